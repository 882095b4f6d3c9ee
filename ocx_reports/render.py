"""One report, end to end: execute a notebook, export it, write the file atomically.

The CLI's ``demo`` and ``render`` commands and the batch build all go through
these functions, so a report built by hand and one built in CI are the same.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import threading
from pathlib import Path


from .exporters.contracts import CONTEXT_RESOURCE
from .exporters.errors import ReportError, read_notebook_stream

#: The environment variables that hold a One Codex credential.
CREDENTIAL_VARIABLES = ("ONE_CODEX_API_KEY", "ONE_CODEX_BEARER_TOKEN")

FORMATS = {"pdf": "OneCodexPDFExporter", "html": "OneCodexHTMLExporter"}


def read_notebook(path: Path):
    """Read a notebook, or fail with a one-line error naming the file."""
    try:
        with open(path, encoding="utf-8") as stream:
            return read_notebook_stream(stream, str(path))
    except FileNotFoundError:
        raise ReportError(f"{path}: no such notebook") from None


def execute(
    nb,
    cwd: Path,
    *,
    kernel_name: str = "python3",
    timeout: int = 600,
    env: dict | None = None,
    notebook: Path | None = None,
    on_kernel=None,
    credentials: bool = True,
):
    """Run every cell in a fresh kernel started in ``cwd`` with ``env`` added to its environment.

    A failing cell becomes the same one-line ReportError as under
    ``jupyter nbconvert --execute``; ``notebook`` (where ``nb`` was read
    from) lets it tell a bundled example from the user's own. ``on_kernel``
    is called with the kernel's process ID (None if it runs elsewhere) as
    soon as the kernel is started, before it is ready (see ``build/kernels.py``).
    ``credentials=False`` keeps the One Codex credentials out of the kernel's
    environment, this process's included: the notebook's code could read them.
    """
    from nbclient.exceptions import CellControlSignal, DeadKernelError

    from .exporters.preprocessors.error_outputs import execution_failure

    client = _client_class()(
        nb, timeout=timeout, kernel_name=kernel_name, resources={"metadata": {"path": str(cwd)}}
    )
    client.on_kernel = on_kernel
    try:
        # The kernel process's own stderr holds only its start-up chatter (e.g.
        # ipykernel's transport warning); cell output arrives over the protocol.
        inherited = os.environ if credentials else {
            name: value for name, value in os.environ.items() if name not in CREDENTIAL_VARIABLES
        }
        client.execute(env={**inherited, **(env or {})}, stderr=subprocess.DEVNULL)
    except (CellControlSignal, DeadKernelError) as exc:
        raise execution_failure(nb, exc, notebook=notebook, kernel=kernel_name) from None
    return nb


@functools.cache
def _client_class():
    """nbclient's client, telling ``on_kernel`` about the kernel's process and keeping outputs
    sent under a misspelled JSON mimetype (see ``exporters/preprocessors/execution.py``; imported on first use)."""
    from nbclient import NotebookClient

    from .exporters.preprocessors.execution import RespellingClient

    class ReportClient(RespellingClient, NotebookClient):
        on_kernel = None

        async def async_start_new_kernel(self, **kwargs):
            await super().async_start_new_kernel(**kwargs)
            if self.on_kernel is not None:
                self.on_kernel(getattr(getattr(self.km, "provisioner", None), "pid", None))

    return ReportClient


def export(nb, fmt: str, notebook_path: Path, *, context: dict | None = None, **traits) -> bytes:
    """The report as bytes, from the exporter for ``fmt`` ("pdf" or "html").

    ``context`` is sample metadata already fetched with
    :func:`ocx_reports.context.fetch_report_context`; the exporter then shows
    it without calling the API again.
    """
    exporter = _exporter(fmt, json.dumps(traits, sort_keys=True), threading.get_ident())
    resources = {"metadata": {"path": str(notebook_path.parent), "name": notebook_path.stem}}
    if context is not None:
        resources[CONTEXT_RESOURCE] = context
    output, _ = exporter.from_notebook_node(nb, resources=resources)
    return output if isinstance(output, bytes) else output.encode("utf-8")


@functools.lru_cache(maxsize=8)
def _exporter(fmt: str, traits_json: str, thread: int):
    """One exporter per format, options and thread: batch builds then reuse its
    compiled templates and Jinja environment (about 80 ms a report). An exporter keeps
    nothing of an export (see ``exporters.export``), but nbconvert registers each
    notebook's code highlighter in the exporter's Jinja environment as the export starts,
    so two exports at once need an exporter each: a Dask worker may run several builds
    at once in threads."""
    return exporter_class(fmt)(**json.loads(traits_json))


def exporter_class(fmt: str):
    """The exporter for ``fmt`` ("pdf" or "html"), imported on first use."""
    from . import exporters

    return getattr(exporters, FORMATS[fmt])
