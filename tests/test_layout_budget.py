"""The PDF layout's budget (time, memory, pages) and its temporary folders.

Every layout runs in a layout service and the chunk processes it forks, whoever exports:
``jupyter nbconvert`` (whose service is forked from it), a script, these tests, a Dask
worker (a daemonic process, whose service runs in a new interpreter).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from helpers import code, export_measured, export_pdf, html_output, markdown, notebook, one_line_error, write
from pypdf import PdfReader

from ocx_reports.exporters import OneCodexPDFExporter
from ocx_reports.exporters.errors import ReportError
from ocx_reports.exporters.layout import scratch

SECONDS, MIB = 60, 1024  # the budget for each case


def prose(paragraphs: int):
    """A notebook of a cell per paragraph (about 3 pages per 10), whose layout takes seconds."""
    return notebook(*(markdown(f"Paragraph {i}. " + "Some words of text. " * 40) for i in range(paragraphs)))


def pdf_pages(pdf: bytes):
    return PdfReader(io.BytesIO(pdf)).pages


def pages(count: int):
    """A notebook of ``count`` pages: one cell each."""
    return notebook(markdown("Page 0"), *(markdown(f"Page {i}", tags=["page-break-before"]) for i in range(1, count)))


def test_a_layout_past_its_deadline_stops_in_one_line():
    started = time.monotonic()
    with pytest.raises(ReportError, match=r"^the PDF layout took longer than 0.5 s; raise OneCodexPDFExporter.layout_timeout"):
        export_pdf(prose(400), layout_timeout=0.5)
    assert time.monotonic() - started < 20


@pytest.mark.slow
def test_the_layout_process_stops_at_the_deadline_and_says_so(tmp_path):
    result, seconds, _ = export_measured(
        prose(400), tmp_path, "onecodex_pdf", "--OneCodexPDFExporter.layout_timeout=0.5", "--OneCodexPDFExporter.workers=1"
    )
    assert "took longer than 0.5 s" in one_line_error(result) and "layout_timeout" in result.stderr
    assert seconds < 30 and not (tmp_path / "report.pdf").exists()


#: Exports 4,000 list items (about 130 MiB of layout) with a memory limit, in a fresh process:
#: a forked layout can also use the free memory of its parent's heap, which a long test
#: session has plenty of.
_LIST_WITHIN = """
import sys
from helpers import export_pdf, markdown, notebook
from ocx_reports.exporters import OneCodexPDFExporter
from ocx_reports.exporters.errors import ReportError
items = notebook(markdown("".join(f"- item {i}\\n" for i in range(4000))))
try:
    print(len(export_pdf(items, layout_memory_mib=int(sys.argv[1]))))
except ReportError as exc:
    print(exc)
"""


@pytest.mark.slow
def test_a_layout_past_its_memory_stops_in_one_line():
    def run(mib: int) -> str:
        result = subprocess.run(
            [sys.executable, "-c", _LIST_WITHIN, str(mib)], cwd=Path(__file__).parent, capture_output=True, text=True,
            timeout=300,
        )
        return result.stdout.strip()

    # Python's allocations fail there, or C code aborts the process: either way the line says which limit.
    assert re.match(r"^(the PDF layout needed more than 40 MiB in one process; raise|a PDF layout process was "
                    r"stopped by SIG\w+, most likely out of memory \(it may use 40 MiB).*layout_memory_mib", run(40))
    assert run(0).isdigit()  # no limit: the PDF's size


@pytest.mark.slow
def test_the_layout_process_stops_at_its_memory_limit_and_says_so(tmp_path):
    items = notebook(markdown("".join(f"- item {i}\n" for i in range(4000))))
    result, _, _ = export_measured(
        items, tmp_path, "onecodex_pdf", "--OneCodexPDFExporter.layout_memory_mib=40", "--OneCodexPDFExporter.workers=1"
    )
    assert re.search(r"needed more than 40 MiB in one process|most likely out of memory \(it may use 40 MiB",
                     one_line_error(result))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_report_past_max_pages_stops_in_one_line(workers, monkeypatch):
    monkeypatch.setattr("ocx_reports.exporters.layout.paginate.MIN_CHUNK_COST", 20)  # several chunks with 2 workers
    with pytest.raises(ReportError, match=r"^the report runs past 5 pages; raise OneCodexPDFExporter.max_pages"):
        export_pdf(pages(20), max_pages=5, workers=workers)
    count = len(pdf_pages(export_pdf(pages(5), max_pages=0, workers=workers)))
    assert len(pdf_pages(export_pdf(pages(5), max_pages=count, workers=workers))) == count


@pytest.mark.adapted
@pytest.mark.slow
def test_10k_page_break_divs_stop_in_one_line_within_the_budget(tmp_path):
    nb = notebook(code(outputs=[html_output('<div style="page-break-after: always">x</div>' * 10_000)]))
    result, seconds, peak = export_measured(nb, tmp_path, "onecodex_pdf")
    assert "the report runs past 1,000 pages" in one_line_error(result)
    assert seconds < SECONDS and peak < MIB, f"{seconds:.1f} s, {peak:.0f} MiB"


@pytest.mark.adapted
@pytest.mark.slow
def test_200k_list_items_stop_in_one_line_within_the_budget(tmp_path):
    nb = notebook(markdown("".join(f"- item {i}\n" for i in range(200_000))))
    result, seconds, peak = export_measured(nb, tmp_path, "onecodex_pdf")
    assert "layout_memory_mib" in one_line_error(result)
    assert seconds < SECONDS and peak < MIB, f"{seconds:.1f} s, {peak:.0f} MiB"


def export_chunks(nb, **traits) -> tuple[int, int]:
    """The pages of ``nb``'s PDF, and how many chunks it was laid out in."""
    pdf, resources = OneCodexPDFExporter(**traits).from_notebook_node(nb)
    return len(pdf_pages(pdf)), resources["pdf_chunks"]


@pytest.mark.slow
def test_pdf_reports_export_in_a_dask_worker_in_parallel_within_their_budget():
    """Dask's workers are daemonic processes, which multiprocessing lets have no children: the
    layout service runs in a new interpreter there, and lays out in chunks within the budget."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            short, long = client.gather([client.submit(export_chunks, pages(2)), client.submit(export_chunks, prose(600))])
            late = client.submit(export_pdf, prose(400), layout_timeout=0.5)
            with pytest.raises(ReportError, match=r"^the PDF layout took longer than 0.5 s"):
                late.result()
    assert short == (2, 1)
    assert long[0] > 60 and long[1] > 1


# -- temporary folders ----------------------------------------------------------


def ours(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(("ocx-", "weasyprint-")))


@pytest.mark.adapted
@pytest.mark.slow
def test_a_killed_export_leaves_folders_that_the_next_export_removes(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp))
    write(prose(600), tmp_path / "slow.ipynb")
    export = subprocess.Popen(
        [sys.executable, "-m", "nbconvert", "--to", "onecodex_pdf", "slow.ipynb"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(temp.glob("**/weasyprint-*/*")) and time.monotonic() < deadline:  # fonts copied: laying out
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        family = [psutil.Process(export.pid), *psutil.Process(export.pid).children(recursive=True)]
        for process in family:  # as the out-of-memory killer would
            process.kill()
        export.wait()
    left = ours(temp)
    assert left, "the killed export should have left its folders"
    write(notebook(markdown("# Quick")), tmp_path / "quick.ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "onecodex_pdf", "quick.ipynb"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert ours(temp) == [], f"left behind: {ours(temp)} (before the second export: {left})"


def test_only_our_folders_of_gone_processes_and_old_ones_of_older_releases_are_removed(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = scratch._host()
    two_days_ago = time.time() - 2 * 24 * 3600
    names = {
        f"ocx-reports-{host}-{gone.pid}-a1b2c3": False,  # its process is gone
        f"ocx-reports-{host}-{os.getpid()}-a1b2c3": True,  # alive
        f"ocx-reports-otherhost-{gone.pid}-a1b2c3": True,  # another machine's, sharing the folder
        "ocx-reports-layout-old1": False,
        "ocx-reports-layout-new1": True,  # an older release's, maybe still running
        "weasyprint-old1": False,
        "weasyprint-foreign": True,  # old, but holds what WeasyPrint's font copies are not
        "something-else": True,
    }
    for name in names:
        (tmp_path / name).mkdir()
    (tmp_path / "weasyprint-old1" / ("0" * 32)).write_bytes(b"OTTO")
    (tmp_path / "weasyprint-foreign" / "notes.txt").write_text("not a font")
    for name in ("ocx-reports-layout-old1", "weasyprint-old1", "weasyprint-foreign", "something-else"):
        os.utime(tmp_path / name, (two_days_ago, two_days_ago))
    scratch.clean_stale(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(name for name, kept in names.items() if kept)


_ABORT_AT_THE_LIMIT = """
import os
from ocx_reports.exporters.layout.budget import Budget
with Budget(memory_mib=512).applied():
    os.write(2, b"GLib-ERROR: cannot create thread\\n")
    {end}
"""


@pytest.mark.parametrize("end, printed", [("pass", True), ("os.abort()", False)])
def test_what_c_code_prints_under_the_memory_limit_reaches_stderr_only_if_the_process_lives_on(end, printed):
    """A library aborting at the limit (GLib cannot start a thread) prints its own error: the
    user gets only the export's line about the limit. A process that lives on prints it after."""
    result = subprocess.run(
        [sys.executable, "-c", _ABORT_AT_THE_LIMIT.format(end=end)], capture_output=True, text=True, timeout=60
    )
    assert ("GLib-ERROR: cannot create thread" in result.stderr) is printed, result.stderr
