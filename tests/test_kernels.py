"""Report kernels from the pool behave as plain kernels do, start with sendlib loaded, serve one
report each, and leave nothing running."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbclient.exceptions
import nbformat
import papermill
import pytest

from sendlib.pipeline import kernels, packs

# Builds packs or tables, runs kernels or sweeps every area: `make unit` leaves it out.
pytestmark = pytest.mark.slow

PROBE = (
    "import os, sys\n"
    "print(os.getcwd())\n"
    "print('sendlib.present.benchmarking_report' in sys.modules)\n"
    "print(os.environ.get('SENDLIB_PROBE'))\n"
    "print('leftover' in globals())\n"
    "print([name for name in ('pandas', 'sendlib', '_warm_up') if name in globals()])"
)


def run(notebook: Path, out: Path, cwd: Path, kernel=None, **kwargs) -> list[str]:
    papermill.execute_notebook(
        str(notebook),
        str(out),
        parameters={"x": 2},
        progress_bar=False,
        kernel_name="python3",
        **({"km": kernel} if kernel is not None else {"cwd": str(cwd)}),
        **kwargs,
    )
    cells = nbformat.read(out, as_version=4).cells
    return "".join(output.get("text", "") for output in cells[-1].outputs).split("\n")


def wait_until(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_pool_kernel_runs_a_notebook_like_a_plain_one_with_sendlib_loaded(
    tmp_path, monkeypatch, capfd
):
    notebook = packs.write_notebook(tmp_path / "probe.ipynb", "x = 1", "y = x * 3", PROBE)
    monkeypatch.setenv("SENDLIB_PROBE", "passed on")
    plain = run(notebook, tmp_path / "plain.ipynb", tmp_path)
    capfd.readouterr()
    with kernels.KernelPool(1, tmp_path) as pool:
        with pool.kernel() as kernel:
            warm = run(notebook, tmp_path / "warm.ipynb", tmp_path, kernel)
    assert "over TCP" not in capfd.readouterr().err or os.name != "posix"
    assert plain[:5] == [str(tmp_path), "False", "passed on", "False", "[]"]
    assert warm[:5] == [str(tmp_path), "True", "passed on", "False", "[]"]
    executed = nbformat.read(tmp_path / "warm.ipynb", as_version=4)
    assert executed.cells[1].source.startswith("# Parameters\nx = 2")


def test_each_report_gets_a_fresh_kernel(tmp_path):
    writes = packs.write_notebook(tmp_path / "writes.ipynb", "x = 1", "leftover = 1")
    probe = packs.write_notebook(tmp_path / "probe.ipynb", "x = 1", PROBE)
    with kernels.KernelPool(2, tmp_path) as pool:
        with pool.kernel() as first:
            run(writes, tmp_path / "a.ipynb", tmp_path, first)
        with pool.kernel() as second:
            assert second is not first
            assert run(probe, tmp_path / "b.ipynb", tmp_path, second)[3] == "False"


def test_an_error_in_a_pool_kernel_fails_the_notebook(tmp_path):
    notebook = packs.write_notebook(tmp_path / "bad.ipynb", "x = 1", "1 / 0")
    with kernels.KernelPool(1, tmp_path) as pool, pool.kernel() as kernel:
        with pytest.raises(papermill.PapermillExecutionError, match="ZeroDivisionError"):
            run(notebook, tmp_path / "out.ipynb", tmp_path, kernel)


def test_a_cell_that_runs_too_long_is_interrupted(tmp_path):
    notebook = packs.write_notebook(
        tmp_path / "slow.ipynb", "x = 1", "import time; time.sleep(120)"
    )
    with kernels.KernelPool(1, tmp_path, warm_up="") as pool:
        started = time.monotonic()
        with pytest.raises(nbclient.exceptions.CellTimeoutError):
            with pool.kernel() as kernel:
                run(notebook, tmp_path / "out.ipynb", tmp_path, kernel, execution_timeout=2)
        assert time.monotonic() - started < 60


def test_a_kernel_that_cannot_warm_up_says_why(tmp_path):
    with kernels.KernelPool(1, tmp_path, warm_up="import no_such_module_here") as pool:
        with pytest.raises(kernels.KernelStartError, match="ModuleNotFoundError"):
            pool.take()


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads /proc for the kernels' state")
def test_closing_the_pool_stops_every_kernel_warm_or_in_use(tmp_path, alive, children):
    pool = kernels.KernelPool(3, tmp_path, ahead=2, warm_up="")
    in_use = pool.take()
    assert wait_until(lambda: len(children(os.getpid(), b"ipykernel")) == 3)  # 1 used, 2 warm
    pids = children(os.getpid(), b"ipykernel")
    pool.close()
    assert wait_until(lambda: not any(alive(pid) for pid in pids))
    pool.release(in_use)  # its taker still closes its sockets
    with pytest.raises(kernels.KernelStartError):
        pool.take(timeout=1)


def test_closing_the_pool_lets_go_at_once_of_reports_waiting_and_kernels_warming(tmp_path):
    import threading

    pool = kernels.KernelPool(2, tmp_path, ahead=1, warm_up="import time; time.sleep(60)")
    waited: list[BaseException] = []

    def wait_for_a_kernel():
        try:
            pool.take(timeout=120)
        except kernels.KernelStartError as error:
            waited.append(error)

    taker = threading.Thread(target=wait_for_a_kernel)
    taker.start()
    time.sleep(2)  # the kernel has started and is warming up (a minute)
    started = time.monotonic()
    pool.close()
    taker.join(timeout=30)
    assert not taker.is_alive() and waited
    assert time.monotonic() - started < 15
