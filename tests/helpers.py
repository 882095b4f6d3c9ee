"""Build notebooks in memory and export them, the way a user's nbconvert run would."""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from ocx_reports.exporters import OneCodexHTMLExporter, OneCodexPDFExporter

__all__ = [
    "code",
    "markdown",
    "notebook",
    "html_output",
    "export_html",
    "export_pdf",
    "pdf_pages_text",
    "new_output",
    "export_measured",
    "exports_at_once",
    "one_line_error",
    "copy_checkout",
    "html_svgs",
]


def notebook(*cells, **metadata):
    nb = new_notebook(cells=list(cells))
    nb.metadata.update(metadata)
    return nb


def markdown(source, tags=()):
    cell = new_markdown_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def code(source="", outputs=(), tags=(), **metadata):
    cell = new_code_cell(source, outputs=list(outputs), execution_count=1)
    if tags:
        cell.metadata["tags"] = list(tags)
    cell.metadata.update(metadata)
    return cell


def html_output(html, **metadata):
    return new_output("display_data", data={"text/html": html}, metadata=metadata)


def _resources(path: Path | None):
    if path is None:
        return None
    return {"metadata": {"path": str(path), "name": "report"}}


def export_html(nb, path: Path | None = None, **traits) -> str:
    html, _ = OneCodexHTMLExporter(**traits).from_notebook_node(nb, resources=_resources(path))
    return html


def export_pdf(nb, path: Path | None = None, **traits) -> bytes:
    pdf, _ = OneCodexPDFExporter(**traits).from_notebook_node(nb, resources=_resources(path))
    return pdf


def engine_checked() -> None:
    """Run the PDF engine's self-test in this process now (once), before a test patches the
    layout in a way the self-test would take for a broken WeasyPrint."""
    from ocx_reports.exporters.layout import weasy
    from ocx_reports.exporters.page import assets
    from ocx_reports.exporters.page.urlpolicy import URLPolicy

    weasy.warm_up(URLPolicy(Path.cwd(), logging.getLogger(__name__)), assets.font_face_css(False))


def exports_at_once(monkeypatch, build, names=("Alpha", "Beta")) -> dict:
    """``build(name)`` for each of ``names`` in threads at once, as a Dask worker runs builds:
    each thread's render is done before any waits for its charts (the chart drawings' ``wait``
    meet first). Name -> what ``build`` returned; a thread's error is raised here."""
    import threading

    from ocx_reports.charts import workers

    start, drawing = threading.Barrier(len(names)), threading.Barrier(len(names), timeout=30)
    real_wait = workers.Drawing.wait

    def all_rendered(self):
        try:
            drawing.wait()
        except threading.BrokenBarrierError:  # a build with nothing left to draw
            pass
        return real_wait(self)

    monkeypatch.setattr(workers.Drawing, "wait", all_rendered)
    results, errors = {}, []

    def run(name):
        start.wait()
        try:
            results[name] = build(name)
        except Exception as exc:  # noqa: BLE001 - raised below, in the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def html_svgs(html: str, root: str = "") -> list[str]:
    """The SVG of each picture in an HTML report, in page order: written into the page (a
    figure with text) or embedded as an image's data URI (one without text); only those
    whose ``<svg>`` or ``<img>`` tag holds ``root`` (e.g. a class), if given."""
    import base64

    near = rf"(?=[^>]*{re.escape(root)})"
    written_in = rf'<svg\b{near}[^>]*\bid="ocx-svg-\d+"[^>]*>.*?</svg>'
    embedded = rf'<img\b{near}[^>]*src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"'
    pictures = re.finditer(f"({written_in})|{embedded}", html, re.S)
    return [inline or base64.b64decode(data).decode() for inline, data in (m.groups() for m in pictures)]


def pdf_pages_text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def write(nb, path: Path) -> Path:
    nbformat.write(nb, str(path))
    return path


#: Runs a command and reports the peak memory of its largest process (itself or a descendant).
_MEASURED = """
import resource, subprocess, sys
status = subprocess.run(sys.argv[1:]).returncode
sys.stderr.write(f"\\npeak-rss-kib {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n")
sys.exit(status)
"""


def export_measured(nb, folder: Path, to: str, *options: str, timeout: float = 180, env=None):
    """Export ``nb`` with a fresh ``jupyter nbconvert --to <to>`` in ``folder``: (the finished
    process, its wall-clock seconds, the peak memory of its largest process in MiB)."""
    write(nb, folder / "report.ipynb")
    argv = [sys.executable, "-c", _MEASURED, sys.executable, "-m", "nbconvert", "--to", to, "report.ipynb", *options]
    started = time.monotonic()
    # A session of its own, so that a timeout kills the export's processes too.
    with subprocess.Popen(
        argv, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    seconds = time.monotonic() - started
    result = subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)
    peak = int(re.search(r"peak-rss-kib (\d+)", result.stderr).group(1)) / 1024
    return result, seconds, peak


def in_new_python(script: str, *args: str, env: dict | None = None, timeout: float = 300):
    """Run ``script`` in a new Python in the tests' folder (it may import these helpers and the
    test modules): a host of its own, with one thread until it starts others, whose first PDF
    export forks the layout service, so what the script changes before that reaches the layout."""
    return subprocess.run(
        [sys.executable, "-c", script, *args], cwd=Path(__file__).parent, capture_output=True, text=True,
        timeout=timeout, env=env,
    )


def one_line_error(result) -> str:
    """The one error line of a failed ``jupyter nbconvert`` run (failing if there is anything more)."""
    assert result.returncode == 1, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return errors[0]


#: The checkout the tests run from.
CHECKOUT = Path(__file__).resolve().parents[1]
#: What a fresh clone does not have: virtualenvs, caches and build output.
SKIP = {".venv", "venv", ".git", "__pycache__", ".pytest_cache"}
SKIP_AT_ROOT = {"build", "dist"}


def copy_checkout(dest: Path) -> Path:
    """The files a clone has (symlinks kept as links), without virtualenvs and build output."""

    def ignore(folder, names):
        at_root = Path(folder) == CHECKOUT
        return {
            name for name in names
            if name in SKIP or (at_root and name in SKIP_AT_ROOT) or name.endswith((".egg-info", ".pdf", ".pyc"))
        }

    shutil.copytree(CHECKOUT, dest, symlinks=True, ignore=ignore)
    return dest
