"""Warm report kernels: each report of a pack runs in a kernel forked from one warm process.

A plain Jupyter kernel is a new Python process: about a second to start ipykernel, and more
than a second again for a report to import pandas, matplotlib and sendlib. A pack runs
several reports, so :func:`warm_kernels` starts one *warm* process that has imported them
once, and each report's kernel is a fork of it: the report starts with the library loaded.
The warm process also reads the processed tables and the
default forecast's backtest once (:func:`warm_up`). Everything else is an ordinary ipykernel run by papermill through jupyter_client: the
notebook, its outputs and its errors are the same.

How: jupyter_client launches ``_kernel_client.py`` (standard library only, quick to start)
as the kernel process. It asks the warm process, over a Unix socket, to fork a kernel with
its arguments, working folder and environment; it passes on interrupts and stops, and exits
with the kernel's exit code. If the client is killed, the warm process kills its kernel.

>>> with warm_kernels() as manager:
...     manager.__name__
'WarmKernelManager'
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from jupyter_client import AsyncKernelManager
from traitlets import default

SOCKET_VARIABLE = "SENDLIB_KERNEL_SOCKET"
CLIENT = Path(__file__).with_name("_kernel_client.py")
PRELOAD = (
    "pandas",
    "matplotlib.pyplot",
    "sendlib.present.benchmarking_report",
    "sendlib.present.forecast_report",
    "sendlib.present.finance_report",
    "sendlib.present.kpi_report",
    "sendlib.present.data_notes",
    "sendlib.measures.forecasting",
)
"""What the warm process imports before it forks kernels (the report notebooks' imports)."""
START_TIMEOUT = 60.0
INHERITED_FDS: set[int] = set()
"""File descriptors a forked worker must close: the warm process stops when its input
closes, which cannot happen while a worker still holds the writing end."""


def worker_start(parent: int) -> None:
    """In a pack's worker process: let go of the warm process's input, and exit if the pack
    process dies (``kill -9`` leaves no worker behind)."""
    import threading
    import time

    for fd in list(INHERITED_FDS):
        with contextlib.suppress(OSError):
            os.close(fd)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="sendlib-orphan-watch").start()


class WarmKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels are forked from the warm process (see the module).

    Its kernels talk over Unix sockets (IPC) in the temporary folder rather than TCP: nothing
    listens on a network port, and ipykernel has no cause to warn about unencrypted TCP.
    """

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc" if os.environ.get(SOCKET_VARIABLE) else "tcp"

    @default("ip")
    def _ip_default(self) -> str:
        if self.transport == "ipc":  # an absolute path: the kernel runs in another folder
            return os.path.join(tempfile.gettempdir(), f"sendlib-kernel-{uuid.uuid4().hex}")
        return super()._ip_default()

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts a kernel before it asks it to shut down. Papermill stops
        # kernels when they are idle, and a forwarded interrupt would only land in the
        # kernel's shutdown handler (and log an error), so on the way out it is not sent.
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        path = os.environ.get(SOCKET_VARIABLE)
        if not path:
            return super().format_kernel_cmd(extra_arguments)
        return [
            sys.executable,
            "-S",
            str(CLIENT),
            path,
            "-f",
            os.path.realpath(self.connection_file),
            *(extra_arguments or []),
        ]


@contextlib.contextmanager
def warm_kernels(preload: tuple[str, ...] = PRELOAD) -> Iterator[type[WarmKernelManager]]:
    """Start the warm process for the duration of the block; yields the kernel manager class
    to give papermill (``kernel_manager_class``). Kernels started after the block are plain."""
    folder = Path(tempfile.mkdtemp(prefix="sendlib-kernels-"))
    path = folder / "warm.sock"
    process = subprocess.Popen(
        [sys.executable, "-m", "sendlib.pipeline.kernels", str(path), *preload],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    previous = os.environ.get(SOCKET_VARIABLE)
    try:
        ready = process.stdout.readline().strip() if process.stdout else ""
        if ready == "ready":
            os.environ[SOCKET_VARIABLE] = str(path)
        if process.stdin:
            INHERITED_FDS.add(process.stdin.fileno())
        yield WarmKernelManager
    finally:
        if process.stdin:
            INHERITED_FDS.discard(process.stdin.fileno())
        if previous is None:
            os.environ.pop(SOCKET_VARIABLE, None)
        else:
            os.environ[SOCKET_VARIABLE] = previous
        if process.stdin:
            process.stdin.close()  # the warm process stops when its input closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()


def _run_kernel(request: dict) -> None:
    """In a forked child: become the kernel the client asked for."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [sys.executable, *request["argv"]]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=request["argv"])


def warm_up() -> None:
    """Read what every report reads, once, so each forked kernel starts with it in memory:
    the processed tables, and the forecasting backtest of the default method that gives every
    forecast its intervals (for both statistical neighbour models). About a second."""
    from sendlib import tables
    from sendlib.measures import forecasting

    for name in tables.TABLES:
        tables.load(name)
    for model in ("2025", "2021"):
        forecasting.backtest_points(forecasting.DEFAULT_METHOD, sn_model=model)


def serve(path: str, preload: list[str]) -> None:
    """The warm process: import ``preload``, then fork a kernel for each client on ``path``."""
    import importlib

    parent = os.getppid()
    # Ctrl-C reaches the whole process group: the warm process ignores it and stops when the
    # pack process closes its input (or on SIGTERM), killing any kernel still running.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stop: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.append(signum))
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import ipykernel.kernelapp  # noqa: F401

    for name in preload:
        importlib.import_module(name)
    warm_up()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(sys.stdin, selectors.EVENT_READ, "stop")
    kernels: dict[int, socket.socket] = {}
    print("ready", flush=True)
    running = True
    while running and not stop:
        if os.getppid() != parent:  # the pack process died (kill -9): stop with it
            break
        for key, _ in selector.select(timeout=0.05):
            if key.data == "stop":
                running = False
            elif key.data == "accept":
                connection, _ = listener.accept()
                request = json.loads(connection.makefile().readline())
                pid = os.fork()
                if pid == 0:
                    selector.close()
                    listener.close()
                    connection.close()
                    for other in kernels.values():
                        other.close()
                    try:
                        _run_kernel(request)
                    finally:
                        os._exit(0)
                kernels[pid] = connection
                connection.sendall(f"{pid}\n".encode())
                selector.register(connection, selectors.EVENT_READ, pid)
            else:  # the client went away: its kernel goes too
                pid = key.data
                if not key.fileobj.recv(1):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
        for pid, connection in list(kernels.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                with contextlib.suppress(OSError):
                    connection.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
                selector.unregister(connection)
                connection.close()
                del kernels[pid]
    for pid in kernels:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    listener.close()
    with contextlib.suppress(OSError):  # the pack process may have died without tidying up
        os.unlink(path)
        os.rmdir(os.path.dirname(path))


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
