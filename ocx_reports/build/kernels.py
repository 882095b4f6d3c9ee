"""Kernels whose worker died: noted by the workers, stopped by the build.

A worker runs each report's kernel as its child, in a session of its own
(jupyter_client starts kernels so). When the worker is killed (the OOM
killer, SIGKILL), nothing stops that kernel: ipykernel notices its parent is
gone within a second and exits, but other kernels do not, and whatever the
notebook started (a subprocess, a multiprocessing pool) is orphaned with it.

So a worker notes each kernel it starts in a directory the build owns, and
removes the note when the kernel is shut down. The build stops the process
group of every noted kernel whose worker is gone, after each report and when
it ends. A note holds both processes' start times, so a process ID the system
has since given to another program is never signalled.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

import psutil


@contextmanager
def registry(local: bool = True):
    """A directory for the notes of one build's workers (None when they run on other machines).

    On leaving, after the workers are stopped, every kernel still noted is stopped too.
    """
    if not local:
        yield None
        return
    directory = tempfile.mkdtemp(prefix="ocx-reports-kernels-")
    try:
        yield directory
    finally:
        reap(directory, everything=True)
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def noting(directory: str | None):
    """In a worker: a function to call with a kernel's process ID once it is started; the note
    goes when the block ends (the kernel is shut down by then)."""
    notes = []

    def note(pid: int | None) -> None:
        if directory is None or pid is None:
            return
        path = Path(directory, f"{pid}.json")
        worker = psutil.Process()
        record = {"worker": [worker.pid, worker.create_time()], "kernel": [pid, _started(pid)]}
        path.write_text(json.dumps(record), encoding="utf-8")
        notes.append(path)

    try:
        yield note
    finally:
        for path in notes:
            path.unlink(missing_ok=True)


def reap(directory: str | None, *, everything: bool = False) -> int:
    """Stop the noted kernels whose worker is gone (``everything``: all of them); how many were."""
    if directory is None:
        return 0
    stopped = 0
    for path in Path(directory).glob("*.json"):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            (worker, worker_started), (kernel, kernel_started) = record["worker"], record["kernel"]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # being written, or already removed
        if not everything and _started(worker) == worker_started:
            continue
        if kernel_started is not None and _started(kernel) == kernel_started:
            _stop_group(kernel)
            stopped += 1
        path.unlink(missing_ok=True)
    return stopped


def _started(pid: int) -> float | None:
    """The process's start time, or None if there is no such process (any more)."""
    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return None


def _stop_group(kernel: int) -> None:
    """SIGKILL the kernel, its process group (it leads one: start_new_session) and any descendant
    that left the group."""
    try:
        process = psutil.Process(kernel)
        tree = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    try:
        os.killpg(kernel, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for process in tree:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
