"""Where the reports run: a local process pool or a Dask cluster, behind one interface.

Both are ``concurrent.futures`` executors (Dask's through
``Client.get_executor``), so the build submits, waits and cancels the same
way on either. Local workers are started with ``spawn``: the parent may hold
threads (a live progress display, a local API server in tests) that a
``fork`` would copy in a broken state.

A worker may die under a report: the OOM killer's SIGKILL, a crash in a C
library. The local pool is pebble's: a dead worker fails only the future of
the report it was running (``ProcessExpired``) and is replaced, and reports
waiting for a worker go on. On Dask, the scheduler runs the report again on
another worker and gives up (``KilledWorker``) once it has killed
``distributed.scheduler.allowed-failures`` more. Either way the report fails
with `worker_death`'s reason; the kernel the worker leaves behind is stopped
by ``kernels.reap``.
"""

from __future__ import annotations

import importlib
import multiprocessing
import signal
import threading
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

import psutil
from pebble import ProcessExpired, ProcessPool
from pebble.pool.process import WORKERS_NAME

from .. import cores
from ..exporters.errors import ReportError


class LocalPool(Executor):
    """pebble's process pool as a ``concurrent.futures`` executor, renewed if it breaks, with a
    `stop` that takes seconds.

    pebble declares its pool broken when a worker dies while no worker has a
    report (one killed as it starts, or between two reports), and fails every
    waiting report with ``BrokenProcessPool``. None of them ran, so they go to
    a new pool instead, up to `RENEWALS` times a build (a pool whose workers
    cannot start at all breaks every time).
    """

    RENEWALS = 3

    def __init__(self, workers: int):
        self._workers = workers
        self._lock = threading.Lock()
        self._pools = [self._new_pool()]
        self._stopped = False

    def _new_pool(self):
        # Each worker imports the runner before it takes a report: pebble's
        # workers read their next task under a lock they share, and unpickling
        # the first would import it there, for a second or two in which a
        # worker killed would leave the lock held and stall the pool.
        return ProcessPool(
            max_workers=self._workers,
            context=multiprocessing.get_context("spawn"),
            initializer=importlib.import_module,
            initargs=("ocx_reports.build.runner",),
        )

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future = Future()
        self._schedule(future, fn, args, kwargs)
        return future

    def _schedule(self, future: Future, fn, args, kwargs) -> None:
        pool = self._pools[-1]
        try:
            task = pool.schedule(fn, args=args, kwargs=kwargs)
        except RuntimeError:  # the pool broke (or stopped) since: let _settle decide
            task = Future()
            task.set_exception(BrokenProcessPool("the pool is not running"))
        task.add_done_callback(lambda done: self._settle(done, pool, future, fn, args, kwargs))

    def _settle(self, done, pool, future: Future, fn, args, kwargs) -> None:
        """Pass pebble's outcome on to ``future``, or run the report again in a new pool."""
        exc = done.exception()
        if isinstance(exc, BrokenProcessPool) and self._renew(pool):
            self._schedule(future, fn, args, kwargs)
        elif exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(done.result())

    def _renew(self, broken) -> bool:
        """Make a new pool if ``broken`` is still the current one; whether reports may go to one."""
        with self._lock:
            if self._stopped:
                return False
            if self._pools[-1] is broken:
                if len(self._pools) > self.RENEWALS:
                    return False
                broken.stop()
                self._pools.append(self._new_pool())
            return True

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the workers now: called when every report is done, or the build was cut short."""
        self.stop()

    def stop(self) -> None:
        """Cancel what has not started and kill what is running, kernels first.

        pebble would stop each worker in turn with SIGTERM and wait up to 3 s
        for it; killing them at once (a kernel that outlives its worker prints
        tracebacks into the build log as it notices) ends a build in well
        under a second. Workers write no files, so killing them cannot leave
        a partial one.
        """
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        for pool in self._pools:
            pool.stop()
        workers = [p for p in multiprocessing.active_children() if p.name == WORKERS_NAME]
        for worker in workers:
            try:
                tree = psutil.Process(worker.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                tree = []
            for process in tree:
                try:
                    process.kill()
                except psutil.NoSuchProcess:
                    pass
            worker.kill()
        for worker in workers:
            worker.join(timeout=10)
        for pool in self._pools:
            pool.join()


@contextmanager
def open_executor(kind: str = "local", *, jobs: int | None = None, scheduler: str | None = None):
    """An executor for the build; on leaving, its workers are stopped (and with them anything running)."""
    if kind == "local":
        pool = LocalPool(jobs or cores.usable())
        try:
            yield pool
        finally:
            pool.stop()
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ReportError("--executor dask needs Dask: pip install 'ocx-reports[dask]'") from None
    if scheduler:
        client = Client(scheduler, timeout="30s")
    else:
        cluster = LocalCluster(
            n_workers=jobs or cores.usable(), threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    executor = client.get_executor(pure=False)
    try:
        yield executor
    finally:
        # Cancels what is left when the build was cut short (a task already
        # running on a remote worker finishes there; its result is dropped).
        executor.shutdown(wait=False)
        client.close()
        if not scheduler:
            cluster.close()


def worker_death(exc: BaseException) -> str | None:
    """Why the worker running a report died, if ``exc`` says it did (None: some other error)."""
    if isinstance(exc, ProcessExpired):
        return f"the worker running this report {_exit(exc.exitcode)}"
    if type(exc).__name__ == "KilledWorker":  # distributed's, which may not be installed
        tries = exc.args[2] + 1 if len(exc.args) > 2 and isinstance(exc.args[2], int) else 0
        if tries == 1:
            return "the Dask worker running this report died (out of memory?); see its log"
        return (
            f"all {tries or 'the'} Dask workers that ran this report died running it (out of memory?); "
            "see their logs"
        )
    return None


def _exit(code: int | None) -> str:
    """``was killed by SIGKILL (out of memory?)``, ``exited with status 3``."""
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}" + (" (out of memory?)" if -code == signal.SIGKILL else "")
    return f"exited with status {code}"
