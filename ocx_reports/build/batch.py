"""Run a planned build: submit every job, write each finished report, stop cleanly when told to.

This process is the only writer. Each finished report's files are written
atomically (``files.atomic_write``: a temporary file in the same directory,
fsync, rename), then the manifest records them. SIGTERM becomes an exception
in this thread, so a write in progress removes its temporary file on the way
out, the workers are stopped, and every output is either the old file or the
new one.
"""

from __future__ import annotations

import signal
import uuid
from concurrent.futures import as_completed
from contextlib import contextmanager
from pathlib import Path

from ..files import atomic_write
from .executors import stop
from .runner import Result, run_job


class Terminated(Exception):
    """The build was told to stop (SIGTERM); the CLI exits with 128 + 15."""

    exit_status = 143


@contextmanager
def sigterm_raises():
    """SIGTERM raises `Terminated` here, as Ctrl-C raises KeyboardInterrupt, for the same cleanup."""

    def handler(signum, frame):
        raise Terminated("stopped by SIGTERM")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_jobs(jobs, executor, *, manifest=None, force: bool = False, progress=None) -> list[Result]:
    """Every job's `Result`, in the jobs' order; files written and the manifest updated as they finish."""
    build_id = uuid.uuid4().hex
    futures = {
        executor.submit(
            run_job, job, manifest.known(job.name) if manifest else {}, force=force, build_id=build_id
        ): job
        for job in jobs
    }
    results, claimed = {}, {}
    try:
        for future in as_completed(futures):
            job = futures[future]
            result = _collected(future, job)
            finish(result, manifest, claimed)
            results[job.name] = result
            if progress is not None:
                progress.advance(result)
    except BaseException:
        stop(executor)
        raise
    return [results[job.name] for job in jobs]


def _collected(future, job) -> Result:
    """The worker's result, or a failed one when the worker itself died (OOM killer, segfault)."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a dead worker fails its report, not the build
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return Result(job.name, "failed", error=f"the worker running this report died ({reason})")


def finish(result: Result, manifest=None, claimed: dict | None = None) -> None:
    """Write a built report's files, then record them; a write error fails only this report."""
    claimed = {} if claimed is None else claimed
    for path in result.outputs.values():
        owner = claimed.setdefault(Path(path), result.name)
        if owner != result.name:
            result.status, result.files = "failed", {}
            result.error = (
                f"output {path} is also written by report {owner!r}: put {{name}} in the output template"
            )
            return
    if result.status != "built":
        return
    try:
        for fmt, data in result.files.items():
            atomic_write(result.outputs[fmt], data)
        if manifest is not None:
            manifest.record(
                result.name, {fmt: (path, result.fingerprints[fmt]) for fmt, path in result.outputs.items()}
            )
    except OSError as exc:
        result.status, result.error = "failed", f"cannot write the report: {exc}"
    finally:
        result.files = {}
