"""Run a planned build: submit every job, write each finished report, stop cleanly when told to.

This process is the only writer. Each finished report's files are written
atomically (``files.atomic_write``: a temporary file in the same directory,
fsync, rename), then the manifest records them. SIGTERM becomes an exception
in this thread, so a write in progress removes its temporary file on the way
out, the workers are stopped (by the executor's context), and every output is
either the old file or the new one. A worker that dies fails only the report
it was running.
"""

from __future__ import annotations

import logging
import signal
import uuid
from concurrent.futures import as_completed
from contextlib import contextmanager
from pathlib import Path

from ..files import atomic_write
from .executors import worker_death
from .kernels import reap
from .runner import Result, run_job

logger = logging.getLogger(__name__)


class Terminated(Exception):
    """The build was told to stop (SIGTERM, or Ctrl-C); the CLI exits with 128 + the signal.

    ``results`` is filled in on the way out: what finished, and the rest failed as not finished.
    """

    exit_status = 143
    results: list[Result] | None = None


@contextmanager
def sigterm_raises():
    """SIGTERM raises `Terminated` here, as Ctrl-C raises KeyboardInterrupt, for the same cleanup.

    Only the first: a second SIGTERM must not cut short the stopping of the workers and their kernels.
    """
    raised = []

    def handler(signum, frame):
        if not raised:
            raised.append(signum)
            raise Terminated("stopped by SIGTERM")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_jobs(
    jobs, executor, *, manifest=None, force: bool = False, progress=None, kernels: str | None = None
) -> list[Result]:
    """Every job's `Result`, in the jobs' order; files written and the manifest updated as they finish.

    ``kernels`` is the directory where workers note their kernels (see
    ``kernels.py``); after each report, those whose worker died are stopped.
    When the build is stopped (SIGTERM, Ctrl-C), the exception carries the
    results so far, the unfinished reports failed as such, for the summary.
    """
    build_id = uuid.uuid4().hex
    results, claimed = {}, {}
    try:
        futures = {
            executor.submit(
                run_job,
                job,
                manifest.known(job.name) if manifest else {},
                force=force,
                build_id=build_id,
                kernels=kernels,
            ): job
            for job in jobs
        }
        for future in as_completed(futures):
            job = futures[future]
            result = _collected(future, job)
            reap(kernels)
            finish(result, manifest, claimed)
            results[job.name] = result
            if progress is not None:
                progress.advance(result)
    except (Terminated, KeyboardInterrupt) as exc:
        how = "stopped by SIGTERM" if isinstance(exc, Terminated) else "interrupted"
        stopped = Terminated(how)
        stopped.exit_status = 143 if isinstance(exc, Terminated) else 130
        stopped.results = [
            results.get(job.name) or Result(job.name, "failed", error=f"not finished: the build was {how}")
            for job in jobs
        ]
        raise stopped from None
    return [results[job.name] for job in jobs]


def _collected(future, job) -> Result:
    """The worker's result, or a failed one when the worker itself died (OOM killer, segfault)."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a dead worker fails its report, not the build
        reason = worker_death(exc)
        if reason is None:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            reason = f"the worker running this report failed ({detail})"
        return Result(job.name, "failed", error=reason)


def finish(result: Result, manifest=None, claimed: dict | None = None) -> None:
    """Write a built report's files, then record them; a write error fails only this report.

    Afterwards ``result.outputs`` are exactly the report's files in place: a
    failed report lists only what this build wrote of it (usually nothing),
    and a report whose files were written is never failed (a manifest that
    cannot be updated is a warning: the report is rebuilt next time).
    """
    claimed = {} if claimed is None else claimed
    written = {}
    try:
        if result.status == "failed":
            return
        for path in result.outputs.values():
            owner = claimed.setdefault(Path(path), result.name)
            if owner != result.name:
                result.status = "failed"
                result.error = (
                    f"output {path} is also written by report {owner!r}: put {{name}} in the output template"
                )
                return
        if result.status != "built":
            return
        for fmt, data in result.files.items():
            atomic_write(result.outputs[fmt], data)
            written[fmt] = result.outputs[fmt]
    except OSError as exc:
        result.status, result.error = "failed", f"cannot write the report: {exc}"
        return
    finally:
        result.files = {}
        if result.status == "failed":
            result.outputs = written
    if manifest is not None:
        try:
            manifest.record(
                result.name, {fmt: (path, result.fingerprints[fmt]) for fmt, path in result.outputs.items()}
            )
        except OSError as exc:
            logger.warning(
                "cannot update the build manifest %s (%s): report %s will be rebuilt next time",
                manifest.path,
                exc,
                result.name,
            )
