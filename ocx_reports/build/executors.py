"""Where the reports run: a local process pool or a Dask cluster, behind one interface.

Both are ``concurrent.futures`` executors (Dask's through
``Client.get_executor``), so the build submits, waits and cancels the same
way on either. Local workers are started with ``spawn``: the parent may hold
threads (a live progress display, a local API server in tests) that a
``fork`` would copy in a broken state.

Kernels that a killed worker leaves behind exit on their own: nbclient starts
them with ``JPY_PARENT_PID``, and ipykernel stops when that parent is gone.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from ..exporters.errors import ReportError


def default_jobs() -> int:
    """The cores this process may use (the affinity mask, which containers and CI runners set)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS
        return os.cpu_count() or 1


@contextmanager
def open_executor(kind: str = "local", *, jobs: int | None = None, scheduler: str | None = None):
    """An executor for the build; on leaving, it is shut down (after ``stop`` if the build was cut short)."""
    if kind == "local":
        pool = ProcessPoolExecutor(
            max_workers=jobs or default_jobs(), mp_context=multiprocessing.get_context("spawn")
        )
        with pool:
            yield pool
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ReportError("--executor dask needs Dask: pip install 'ocx-reports[dask]'") from None
    if scheduler:
        client = Client(scheduler, timeout="30s")
    else:
        cluster = LocalCluster(n_workers=jobs or default_jobs(), threads_per_worker=1, processes=True)
        client = Client(cluster)
    try:
        with client.get_executor(pure=False) as executor:
            yield executor
    finally:
        client.close()
        if not scheduler:
            cluster.close()


def stop(executor) -> None:
    """Cancel what has not started and stop what is running, now (SIGTERM, Ctrl-C).

    Dask's executor cancels its futures itself (a task already running on a
    remote worker finishes there; its result is dropped). A local pool has no
    public way to stop a running task (Python 3.14 adds ``terminate_workers``),
    so its workers are killed, their kernels first: a kernel that outlives
    its worker prints tracebacks into the build log as it notices. Workers
    write no files, so killing them cannot leave a partial one.
    """
    if not isinstance(executor, ProcessPoolExecutor):
        executor.shutdown(wait=False)
        return
    import psutil

    workers = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        try:
            tree = psutil.Process(worker.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            continue
        for process in tree:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        worker.kill()
    for worker in workers:
        worker.join(timeout=10)
