"""Report kernels forked from the warm process behave as plain kernels do, start with sendlib
loaded, stop when asked or when their client dies, and leave nothing running."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import nbformat
import papermill
import pytest

from sendlib.pipeline import kernels, packs

PROBE = (
    "import os, sys\n"
    "print(os.getcwd())\n"
    "print('sendlib.present.benchmarking_report' in sys.modules)\n"
    "print(os.environ.get('SENDLIB_PROBE'))"
)


def run(notebook: Path, out: Path, cwd: Path, **kwargs) -> list[str]:
    papermill.execute_notebook(
        str(notebook),
        str(out),
        parameters={"x": 2},
        progress_bar=False,
        cwd=str(cwd),
        kernel_name="python3",
        **kwargs,
    )
    cells = nbformat.read(out, as_version=4).cells
    return "".join(output.get("text", "") for output in cells[-1].outputs).split("\n")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def wait_until(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_warm_kernel_runs_a_notebook_like_a_plain_one_with_sendlib_loaded(
    tmp_path, monkeypatch, capfd
):
    notebook = packs.write_notebook(tmp_path / "probe.ipynb", "x = 1", "y = x * 3", PROBE)
    monkeypatch.setenv("SENDLIB_PROBE", "passed on")
    plain = run(notebook, tmp_path / "plain.ipynb", tmp_path)
    capfd.readouterr()
    with kernels.warm_kernels() as manager:
        warm = run(notebook, tmp_path / "warm.ipynb", tmp_path, kernel_manager_class=manager)
    assert "over TCP" not in capfd.readouterr().err  # warm kernels talk over Unix sockets
    assert plain[:3] == [str(tmp_path), "False", "passed on"]
    assert warm[:3] == [str(tmp_path), "True", "passed on"]
    executed = nbformat.read(tmp_path / "warm.ipynb", as_version=4)
    assert executed.cells[1].source.startswith("# Parameters\nx = 2")


def test_an_error_in_a_warm_kernel_fails_the_notebook(tmp_path):
    notebook = packs.write_notebook(tmp_path / "bad.ipynb", "x = 1", "1 / 0")
    with kernels.warm_kernels() as manager:
        with pytest.raises(papermill.PapermillExecutionError, match="ZeroDivisionError"):
            run(notebook, tmp_path / "out.ipynb", tmp_path, kernel_manager_class=manager)


def test_a_cell_that_runs_too_long_is_interrupted(tmp_path):
    notebook = packs.write_notebook(
        tmp_path / "slow.ipynb", "x = 1", "import time; time.sleep(120)"
    )
    with kernels.warm_kernels() as manager:
        with pytest.raises(Exception, match="(?i)timed out|timeout"):
            run(
                notebook,
                tmp_path / "out.ipynb",
                tmp_path,
                kernel_manager_class=manager,
                execution_timeout=2,
            )


async def start_kernel(manager_class, folder: Path):
    """Start a kernel through ``manager_class``; return the manager and the kernel's pid."""
    pid_file = folder / "pid"
    manager = manager_class(kernel_name="python3")
    await manager.start_kernel(cwd=str(folder))
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    client.execute(f"import os; open({str(pid_file)!r}, 'w').write(str(os.getpid()))")
    assert wait_until(lambda: pid_file.exists() and pid_file.read_text())
    client.stop_channels()
    return manager, int(pid_file.read_text())


async def stop_kernel(manager) -> None:
    await manager.shutdown_kernel(now=True)
    manager.context.destroy()


def test_a_kernel_dies_with_its_client_and_the_warm_process_with_the_block(tmp_path):
    async def start_and_kill(manager_class) -> tuple[int, int]:
        manager, kernel = await start_kernel(manager_class, tmp_path)
        launcher = manager.provisioner.process.pid
        os.kill(launcher, signal.SIGKILL)
        await stop_kernel(manager)
        return kernel, launcher

    with kernels.warm_kernels() as manager_class:
        socket_path = Path(os.environ[kernels.SOCKET_VARIABLE])
        kernel, launcher = asyncio.run(start_and_kill(manager_class))
        assert kernel != launcher
        assert wait_until(lambda: not alive(kernel)), "the kernel outlived its client"
    assert kernels.SOCKET_VARIABLE not in os.environ
    assert not socket_path.exists()


def test_without_the_warm_process_kernels_are_plain(tmp_path):
    manager = kernels.WarmKernelManager(kernel_name="python3")
    command = manager.format_kernel_cmd()
    assert str(kernels.CLIENT) not in command
    assert "ipykernel_launcher" in " ".join(command)


def test_a_stopped_warm_process_takes_its_kernels_with_it(tmp_path):
    with kernels.warm_kernels() as manager_class:
        socket_path = os.environ[kernels.SOCKET_VARIABLE].encode()
        warm = [
            int(proc.parent.name)
            for proc in Path("/proc").glob("[0-9]*/cmdline")
            if b"sendlib.pipeline.kernels" in _read(proc) and socket_path in _read(proc)
        ]
        manager, kernel = asyncio.run(start_kernel(manager_class, tmp_path))
        assert len(warm) == 1
        os.kill(warm[0], signal.SIGTERM)
        assert wait_until(lambda: not alive(kernel)), "the kernel outlived the warm process"
        asyncio.run(stop_kernel(manager))
