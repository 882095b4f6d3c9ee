"""One report in a worker: fetch its data, decide whether to build, execute, export.

``run_job`` runs in a pool process or on a Dask worker, so it takes and
returns plain data and never raises for a report's own failure: the error
becomes the result, and the other reports go on. It returns the files' bytes
rather than writing them, so the process that owns the build (and so the
manifest, the temporary files and SIGTERM) is the only writer, and a remote
Dask cluster needs no shared file system.

What one worker reuses across the reports it makes: the `Api` (its HTTP
connections; one per build, so a long-lived Dask worker never serves
yesterday's data), the imported exporters, WeasyPrint's font configuration
(``exporters/layout/weasy.py``) and the template checksum.
"""

from __future__ import annotations

import resource
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..api.errors import OneCodexError
from ..api.redaction import redact
from ..exporters.errors import ReportError
from .config import exporter_options
from .kernels import noting
from .manifest import fingerprints
from .parameters import inject

_local = threading.local()  # Dask may run several tasks per worker process, one per thread


@dataclass
class Result:
    """What became of one report; ``files`` holds the bytes still to be written."""

    name: str
    status: str  # "built" | "skipped" | "failed"
    outputs: dict[str, Path] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None
    max_rss_mb: float = 0.0  # peak memory of the worker process so far (for bench/build.py)
    kernel_max_rss_mb: float = 0.0  # peak of the kernels it has run


def run_job(
    job,
    known: dict | None = None,
    *,
    force: bool = False,
    build_id: str | None = None,
    kernels: str | None = None,
) -> Result:
    """Make ``job``'s outputs whose fingerprint differs from ``known`` (``{format: (path, fingerprint)}``).

    Jobs of one build share ``build_id`` and so, per worker, one `Api`; without it the job gets its own.
    The kernel is noted in the directory ``kernels`` while it runs (see ``kernels.py``).
    """
    started = time.perf_counter()
    build_id = build_id or uuid.uuid4().hex
    result = Result(job.name, "failed")
    secrets = ()
    try:
        context, data, env = None, None, {}
        if job.project or job.samples:
            from ..context import fetch_report_context

            api = _api(build_id)
            env = api.child_environment()
            secrets = tuple(value for key, value in env.items() if key != "ONE_CODEX_API_BASE")
            context = fetch_report_context(api, project=job.project, samples=list(job.samples) or None)
            data = {"context": context, "analyses": analyses(api, context)}
        _make(job, context, data, env, known or {}, force, result, kernels)
    except (ReportError, OneCodexError, OSError) as exc:
        result.error = _scrub(str(exc), secrets)
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the other reports; its name helps the bug report
        result.error = _scrub(f"internal error ({type(exc).__name__}: {exc}); please report it", secrets)
    result.seconds = round(time.perf_counter() - started, 3)
    result.max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.kernel_max_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result


def analyses(api, context: dict) -> list:
    """Each sample's primary analysis (ID, state, last update): what the notebook's results come from.

    The report context holds sample metadata only; without this, a report
    that said "analysis still running" would be skipped as unchanged after
    the analysis finished. The samples are already in the `Api`'s cache, and
    their classifications arrive in one batched request per 50.
    """
    found = []
    for sample in context["samples"]:
        analysis = api.Samples.get(sample["id"]).primary_classification
        if analysis is None:
            found.append([sample["id"], None])
        else:
            found.append(
                [sample["id"], analysis.id, analysis.complete, analysis.success, str(analysis.updated_at)]
            )
    return found


def _make(
    job, context: dict | None, data, env: dict, known: dict, force: bool, result: Result, kernels: str | None
) -> None:
    """Fingerprint ``data`` (what was fetched), then unless unchanged execute once and export each format to do.

    ``context`` is None for a report about no project or samples: the kernel
    then gets no credentials from us, and the exporter reads the notebook's
    own ``metadata.onecodex`` as under ``jupyter nbconvert``.
    """
    from ..render import CREDENTIAL_VARIABLES, execute, export, read_notebook

    nb = read_notebook(job.notebook)
    result.fingerprints = fingerprints(job, nbformat.writes(nb).encode(), data)
    paths = job.output_paths(context and context["project"])
    todo = [
        fmt for fmt in job.formats if force or known.get(fmt, (None, None))[1] != result.fingerprints[fmt]
    ]
    result.outputs = {fmt: paths[fmt] if fmt in todo else known[fmt][0] for fmt in job.formats}
    if not todo:
        result.status = "skipped"
        return
    parameters = {**_target_parameters(job), **job.parameters}
    inject(nb, parameters)
    with noting(kernels) as note:
        execute(
            nb,
            cwd=job.workdir or job.notebook.parent,
            kernel_name=job.kernel,
            timeout=job.timeout,
            env={k: v for k, v in env.items() if job.kernel_credentials or k not in CREDENTIAL_VARIABLES},
            notebook=job.notebook,
            on_kernel=note,
            credentials=job.kernel_credentials,
        )
    for fmt in todo:
        if fmt == "ipynb":
            result.files[fmt] = nbformat.writes(nb).encode()
        else:
            options = exporter_options(fmt, job.options)
            result.files[fmt] = export(nb, fmt, job.notebook, context=context, **options)
    result.status = "built"


def _target_parameters(job) -> dict:
    """``project_id`` / ``sample_ids`` for the notebook, as a report template expects them."""
    if job.project:
        return {"project_id": job.project}
    return {"sample_ids": list(job.samples)} if job.samples else {}


def _api(build_id: str):
    """This thread's `Api` for this build, made on first use from the worker's own credentials."""
    from ..api import Api

    if getattr(_local, "build_id", None) != build_id:
        if getattr(_local, "api", None) is not None:
            _local.api.close()
            _local.api = None
        _local.api = Api()  # may raise (no credentials); the next job then tries again
        _local.build_id = build_id
    return _local.api


def _scrub(message: str, secrets) -> str:
    """One line, with any credential replaced in any encoding: errors end up in logs, JSON and JUnit."""
    return " ".join(redact(message, secrets).split())
