"""Report kernels started ahead and warmed: a pool on jupyter_client's public API.

A plain Jupyter kernel is a new Python process: about a second to start ipykernel, and more
than a second again for a report to import pandas, matplotlib and sendlib and read the
tables. A pack runs several reports, so :class:`KernelPool` starts their kernels ahead, a few
at a time, while earlier reports run, and warms each one (:data:`WARM_UP`: the reports'
imports and the processed tables: what every report needs). A report then takes a warm
kernel: papermill runs the notebook on it through nbclient's public ``km`` option, exactly as
on a plain kernel (same folder, same environment, same outputs and errors), and the kernel is
shut down after that one report, so no report sees another's state.

Nothing here needs ``fork`` or Unix sockets: it runs the same on Windows, macOS and Linux.
Kernels are ordinary ipykernel processes started by jupyter_client, so they stop with the pack
(jupyter_client tells each its parent, and ipykernel exits when the parent has gone, even
after ``kill -9``).

>>> with KernelPool(total=1, cwd=".", warm_up="x = 1") as pool, pool.kernel() as kernel:
...     kernel.is_alive()
True
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import queue
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from jupyter_client import KernelManager
from traitlets import DottedObjectName

WARM_IMPORTS = (
    "pandas",
    "matplotlib.pyplot",
    "sendlib",
    "sendlib.present.benchmarking_report",
    "sendlib.present.forecast_report",
    "sendlib.present.finance_report",
    "sendlib.present.kpi_report",
    "sendlib.present.data_notes",
)
"""The modules every report kernel imports before its report: the reports' own imports."""
WARM_UP = "from sendlib.pipeline.kernels import warm_up as _warm_up\n_warm_up()\ndel _warm_up"
"""What a pool kernel runs before it is handed to a report (:func:`warm_up`). It leaves no name
in the report's namespace, so a report that forgets an import fails in a pack as it would
anywhere. Only what every report needs: each kernel serves one report, so work that only one
report uses (the forecast's backtest, say) would be done five times in a pack for one use."""

START_TIMEOUT = 60.0
WARM_TIMEOUT = 120.0
HISTORY_IN_MEMORY = "--HistoryManager.hist_file=:memory:"


class KernelStartError(RuntimeError):
    """A kernel of the pool did not start or warm up."""


class ReportKernelManager(KernelManager):
    """A kernel manager for one report of a pool.

    papermill is handed the manager (nbclient's ``km``) and asks it for a client: that client is
    asynchronous, as nbclient's own managers give, and is remembered so that :meth:`close_clients`
    closes its sockets when the kernel is shut down (nbclient leaves a client open on a manager
    it does not own).
    """

    client_class = DottedObjectName("jupyter_client.asynchronous.AsyncKernelClient")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.clients: list = []

    def client(self, **kwargs):
        """A client connected to the kernel (asynchronous), closed with it."""
        made = super().client(**kwargs)
        self.clients.append(made)
        return made

    def close_clients(self) -> None:
        """Close the sockets of every client made by :meth:`client`."""
        for made in self.clients:
            with contextlib.suppress(Exception):
                made.stop_channels()
            with contextlib.suppress(Exception):
                made.context.destroy(linger=0)
        self.clients.clear()


def warm_up() -> None:
    """In a report kernel, before its report: import :data:`WARM_IMPORTS` and read the
    processed tables (about a second in all)."""
    import importlib

    from sendlib import tables

    for name in WARM_IMPORTS:
        importlib.import_module(name)

    for name in tables.TABLES:
        tables.load(name)


class KernelPool:
    """Kernels for ``total`` reports, started ``ahead`` at a time in ``cwd`` and warmed with
    ``warm_up`` (Python source run in each before it is handed out); ``unix_sockets`` as in
    :func:`new_kernel_manager`.

    :meth:`kernel` gives a warm kernel for a ``with`` block (a started
    :class:`ReportKernelManager`, to pass to papermill as ``km``), starts the next one, and
    shuts the used one down after the block (:meth:`take` and :meth:`release` do it by hand);
    :meth:`close` (or leaving the ``with`` block) shuts down every kernel not handed out and
    stops those in use (their reports fail at once; whoever took one still releases it).

    Each kernel has one owner at a time, so no two threads ever close the same sockets: the
    pool's until it is taken, then the taker's until it is released.
    """

    def __init__(
        self,
        total: int,
        cwd: Path | str,
        *,
        ahead: int = 2,
        warm_up: str = WARM_UP,
        unix_sockets: bool | None = None,
    ) -> None:
        self.cwd = str(Path(cwd).resolve())
        self.unix_sockets = unix_sockets  # None: where the OS has them (new_kernel_manager)
        self.total, self.warm_up = total, warm_up
        self._ready: queue.Queue = queue.Queue()
        self._pooled: set[ReportKernelManager] = set()  # started, not handed out
        self._in_use: set[ReportKernelManager] = set()  # handed out, not released
        self._lock = threading.Lock()
        self._started = 0
        self._closed = False
        self._starter = concurrent.futures.ThreadPoolExecutor(
            max_workers=max(1, ahead), thread_name_prefix="sendlib-kernel-start"
        )
        for _ in range(min(total, max(1, ahead))):
            self._start_next()

    def _start_next(self) -> None:
        with self._lock:
            if self._closed or self._started >= self.total:
                return
            self._started += 1
        self._starter.submit(self._start_one)

    def _start_one(self) -> None:
        manager = new_kernel_manager(self.unix_sockets)
        try:
            with self._lock:
                if self._closed:
                    raise KernelStartError("the pool was closed")
                self._pooled.add(manager)
            # As papermill starts its own kernels: IPython's history kept in memory, not in a
            # database on disk that every kernel of the pack would write to at once.
            manager.start_kernel(cwd=self.cwd, extra_arguments=[HISTORY_IN_MEMORY])
            client = manager.blocking_client()
            client.start_channels()
            try:
                client.wait_for_ready(timeout=START_TIMEOUT)
                if self.warm_up:
                    self._warm(manager, client)
            finally:
                client.stop_channels()
                client.context.destroy(linger=0)
            self._ready.put(manager)
        except BaseException as exc:  # noqa: BLE001 - handed to the report that waits
            with self._lock:
                self._pooled.discard(manager)
            _shut_down(manager)
            self._ready.put(exc)
        finally:
            close_thread_loop()

    def _warm(self, manager: ReportKernelManager, client) -> None:
        """Run the warm-up code in a started kernel; stop waiting as soon as the pool closes
        or the kernel dies, so a pack that is stopped does not wait for a warm-up."""
        msg_id = client.execute(self.warm_up, silent=True, store_history=False)
        deadline = time.monotonic() + WARM_TIMEOUT
        while True:
            if self._closed:
                raise KernelStartError("the pool was closed")
            if not manager.is_alive():
                raise KernelStartError("the kernel stopped while it warmed up")
            if time.monotonic() > deadline:
                raise KernelStartError(f"warming a kernel took over {WARM_TIMEOUT:.0f} s")
            try:
                reply = client.get_shell_msg(timeout=0.2)
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            content = reply["content"]
            if content["status"] != "ok":
                raise KernelStartError(
                    f"warming a kernel failed: {content.get('ename')}: {content.get('evalue')}"
                )
            return

    def take(self, timeout: float = START_TIMEOUT + WARM_TIMEOUT) -> ReportKernelManager:
        """A warm kernel for one report (and the next one starts warming); the caller owns it
        until :meth:`release`."""
        if self._closed:
            raise KernelStartError("the pool was closed")
        try:
            item = self._ready.get(timeout=timeout)
        except queue.Empty:
            raise KernelStartError(f"no kernel was ready within {timeout:.0f} s") from None
        if isinstance(item, BaseException):
            self._start_next()
            raise KernelStartError(f"a report kernel did not start: {item}") from item
        with self._lock:
            if self._closed:  # still the pool's: close() shuts it down
                raise KernelStartError("the pool was closed")
            self._pooled.discard(item)
            self._in_use.add(item)
        self._start_next()
        return item

    @contextlib.contextmanager
    def kernel(
        self, timeout: float = START_TIMEOUT + WARM_TIMEOUT
    ) -> Iterator[ReportKernelManager]:
        """A warm kernel for the ``with`` block, released when it ends (however it ends)."""
        manager = self.take(timeout)
        try:
            yield manager
        finally:
            self.release(manager)

    def release(self, manager: ReportKernelManager) -> None:
        """Shut down a kernel a report has finished with (in the thread that took it)."""
        with self._lock:
            self._in_use.discard(manager)
        _shut_down(manager)

    def close(self) -> None:
        """Shut down every kernel not handed out and stop those in use; start no more. Closing
        a closed pool does nothing."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._starter.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            pooled, self._pooled = list(self._pooled), set()
            in_use = list(self._in_use)
        for manager in pooled:
            _shut_down(manager)
        for manager in in_use:  # its report fails at once; its taker releases it
            with contextlib.suppress(Exception):
                manager.signal_kernel(getattr(signal, "SIGKILL", signal.SIGTERM))
        for _ in range(self.total):  # wake every report still waiting in take()
            self._ready.put(KernelStartError("the pool was closed"))

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _shut_down(manager: ReportKernelManager) -> None:
    """Stop a kernel and close every socket of it: its clients' and its manager's own."""
    manager.close_clients()
    with contextlib.suppress(Exception):
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
    with contextlib.suppress(Exception):
        manager.cleanup_resources()
    with contextlib.suppress(Exception):  # the manager's own sockets (its control channel)
        manager.context.destroy(linger=0)


def close_thread_loop() -> None:
    """Close the event loop jupyter_client's blocking calls made for this thread (they make one
    per thread and leave it open); a later call in the thread makes a new one."""
    from jupyter_core.utils import ensure_event_loop

    with contextlib.suppress(Exception):
        loop = ensure_event_loop()
        if not loop.is_running():
            loop.close()


def new_kernel_manager(unix_sockets: bool | None = None) -> ReportKernelManager:
    """A kernel manager for one report: over Unix sockets in the temporary folder where the
    OS has them (nothing listens on a network port, and ipykernel has no cause to warn about
    unencrypted TCP), else (Windows) over TCP on the loopback address. ``unix_sockets``
    overrides the choice (``None``: by the OS).

    >>> new_kernel_manager(unix_sockets=False).transport
    'tcp'
    """
    if unix_sockets is None:
        unix_sockets = os.name == "posix"
    if unix_sockets:
        path = os.path.join(tempfile.gettempdir(), f"sendlib-kernel-{uuid.uuid4().hex}")
        return ReportKernelManager(kernel_name="python3", transport="ipc", ip=path)
    return ReportKernelManager(kernel_name="python3", transport="tcp", ip="127.0.0.1")
