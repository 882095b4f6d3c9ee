"""Whole-process ``jupyter nbconvert`` runs, as a user types them."""

import os
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from helpers import code, markdown, new_output, notebook, write

from ocx_reports.exporters.engine.compat import stock_from_env

ROOT = Path(__file__).resolve().parents[1]
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def nbconvert(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "nbconvert", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def assert_one_line_failure(result, *expected):
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, result.stderr
    for text in expected:
        assert text in errors[0]
    assert "Traceback" not in result.stderr


def test_error_output_fails_with_one_line_and_no_pdf(tmp_path):
    error = new_output("error", ename="ValueError", evalue="no reads", traceback=["ValueError: no reads"])
    write(notebook(markdown("# R"), code("load()", outputs=[error])), tmp_path / "report.ipynb")
    result = nbconvert("--to", "onecodex_pdf", "report.ipynb", cwd=tmp_path)
    assert_one_line_failure(result, "report.ipynb", "cell 2", "ValueError: no reads", "allow_errors=True")
    assert not (tmp_path / "report.pdf").exists()


def test_malformed_notebook_fails_with_one_line(tmp_path):
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    result = nbconvert("--to", "onecodex_html", "broken.ipynb", cwd=tmp_path)
    assert_one_line_failure(result, "broken.ipynb is not a readable Jupyter notebook")
    assert not (tmp_path / "broken.html").exists()


@pytest.mark.parametrize("to", ["onecodex_pdf", "onecodex_html"])
def test_notebook_that_breaks_the_schema_is_logged_once_and_exported(tmp_path, to):
    """As ``nbformat.read`` does; the PDF export checks the schema while its layout process
    works, the HTML export once it is done."""
    nb = notebook(markdown("# Report"), code("x = 1"))
    nb.cells[1]["bogus"] = 1  # not a key a cell may have
    write(nb, tmp_path / "odd.ipynb")
    result = nbconvert("--to", to, "odd.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    logged = [line for line in result.stderr.splitlines() if "Notebook JSON is invalid" in line]
    assert len(logged) == 1 and "'bogus' was unexpected" in logged[0], result.stderr
    assert (tmp_path / f"odd.{'pdf' if to == 'onecodex_pdf' else 'html'}").exists()


def test_failing_cell_under_execute_names_the_cell(tmp_path):
    nb = notebook(code("x = 1"), code("x / 0"), kernelspec=KERNEL)
    write(nb, tmp_path / "fails.ipynb")
    result = nbconvert("--to", "onecodex_pdf", "--execute", "fails.ipynb", cwd=tmp_path)
    assert_one_line_failure(result, "cell 2", "ZeroDivisionError")
    assert not (tmp_path / "fails.pdf").exists()


def test_debug_keeps_the_traceback_for_developers(tmp_path):
    (tmp_path / "broken.ipynb").write_text("not json")
    result = nbconvert("--to", "onecodex_pdf", "--debug", "broken.ipynb", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" in result.stderr


@pytest.mark.slow
def test_example_notebook_executes_offline_and_exports(tmp_path):
    result = nbconvert(
        "--to", "onecodex_pdf", "--execute", str(ROOT / "notebook_examples" / "example.ipynb"),
        "--output-dir", str(tmp_path), cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(tmp_path / "example.pdf") as pdf:
        text = [page.extract_text() for page in pdf.pages]
        assert pdf.metadata["Title"] == "Gut Microbiome Cohort Study"
    assert "Taxonomic Profiling Report" in text[0] and "PREPARED FOR" in text[0]
    body = "\n".join(text[1:])
    for expected in ("Figure 1. Stool composition by sample.", "Figure 2. Alpha diversity.", "References", "ulcerative colitis"):
        assert expected in body
    assert f"Page {len(text)} of {len(text)}" in text[-1]
    outline = pypdf.PdfReader(tmp_path / "example.pdf").outline
    assert outline[0].title == "Gut Microbiome Cohort Study Taxonomic Profiling Report"  # the cover's two lines
    assert "never been run" not in result.stderr


# Runs nbconvert's app, as ``python -m nbconvert`` does, after registering an exit
# handler that runs after every handler the export registers: it records how many
# objects are frozen out of the collector's sight when the interpreter tears down,
# and whether this process loaded WeasyPrint.
_REPORTS_FROZEN = """
import atexit, gc, sys
atexit.register(lambda: open("frozen.txt", "w").write(f"{gc.get_freeze_count()} {'weasyprint' in sys.modules}"))
if sys.argv[1] == "nbconvert":
    sys.argv = ["jupyter-nbconvert", "--to", "onecodex_pdf", "report.ipynb"]
    from nbconvert.nbconvertapp import main
    main()
else:
    import nbformat
    from ocx_reports.exporters import OneCodexPDFExporter
    pdf, _ = OneCodexPDFExporter().from_notebook_node(nbformat.read("report.ipynb", as_version=4))
    open("report.pdf", "wb").write(pdf)
"""


@pytest.mark.parametrize("runner", ["nbconvert", "script"])
def test_pdf_is_laid_out_in_the_layout_service_and_only_nbconvert_skips_the_collections_at_exit(tmp_path, runner):
    """The PDF is laid out in the layout service, so WeasyPrint never loads in the exporter's
    process. ``jupyter nbconvert`` (a process that exits once its notebooks are converted)
    freezes the objects alive at exit, skipping the interpreter's last collections; a script
    using the exporter exits as Python always does. Either way no temporary file is left
    (WeasyPrint's copies of the fonts, the chart workers' font links), only Jinja's template
    cache."""
    spec = {"mark": "bar", "data": {"values": [{"a": "S1", "b": 2}]}, "title": "Chart title",
            "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}}}
    chart = new_output("display_data", data={"application/vnd.vegalite.v5+json": spec, "text/plain": "chart"})
    write(notebook(markdown("# Report\n\nSome text."), code("chart", outputs=[chart])), tmp_path / "report.ipynb")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary)}
    subprocess.run([sys.executable, "-c", _REPORTS_FROZEN, runner], cwd=tmp_path, env=env, check=True, timeout=300)
    with pdfplumber.open(tmp_path / "report.pdf") as pdf:
        text = pdf.pages[-1].extract_text()
        assert "Some text." in text and "Charttitle" in "".join(text.split())
    frozen, weasyprint_loaded = (tmp_path / "frozen.txt").read_text().split()
    assert (int(frozen) > 10_000 if runner == "nbconvert" else int(frozen) == 0) and weasyprint_loaded == "False"
    # The stock engine lets WeasyPrint keep its copies of the fonts where it wants: a layout
    # process that ends without finalizers leaves them (the next export removes them a day on).
    kept = ("_jinja2-cache", "weasyprint-") if stock_from_env() else ("_jinja2-cache",)
    assert [path.name for path in temporary.iterdir() if not path.name.startswith(kept)] == []


# ``jupyter nbconvert`` with chunks as small as the parallel layout tests use.
_SMALL_CHUNKS = """
import sys
sys.argv = ["jupyter-nbconvert", *sys.argv[1:]]
from nbconvert.nbconvertapp import main
from ocx_reports.exporters.layout import paginate

paginate.MIN_CHUNK_COST, paginate.MAX_CHUNK_COST = 500, 3000
main()
"""


@pytest.mark.adapted
def test_layout_process_messages_reach_the_user_once_at_nbconvert_log_level(tmp_path):
    """What the layout processes log (a refused URL in every chunk, the chunks' timings)
    is printed by nbconvert as its own lines, each message once and only at a log level
    that shows it; WeasyPrint's own messages stay as quiet as in the exporter's process."""
    style = new_output(
        "display_data",
        # A data: image the notebook's CSS may use, which itself refers to the network.
        data={"text/css": "<style>body { background: url(\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'"
                          " width='4' height='4'%3E%3Cimage href='http://127.0.0.1:9/bg.png' width='4' height='4'/%3E"
                          "%3C/svg%3E\"); }</style>"},
        metadata={"onecodex": "head.style"},
    )
    prose = [markdown(f"## Part {part}\n\n" + "Words of prose for the layout. " * 40) for part in range(60)]
    write(notebook(markdown("# Report"), *prose, code(outputs=[style])), tmp_path / "long.ipynb")
    refused = "[NbConvertApp] WARNING | Not loading http://127.0.0.1:9/bg.png: reports never fetch from the network"
    for level in ("--debug", "--log-level=INFO"):
        result = subprocess.run(
            [sys.executable, "-c", _SMALL_CHUNKS, "--to", "onecodex_pdf", level, "long.ipynb"],
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr.count(refused) == 1
        shown = [f"[NbConvertApp] PDF chunk {number}: " in result.stderr for number in (1, 2)]
        assert shown == [level == "--debug"] * 2
        assert "Failed to load image" not in result.stderr  # WeasyPrint's logger is silenced
    with pdfplumber.open(tmp_path / "long.pdf") as pdf:
        pages = len(pdf.pages)
        assert f"Page {pages} of {pages}" in pdf.pages[-1].extract_text()


# Makes the layout fail in the processes forked for it (the layout service ``jupyter
# nbconvert`` forks, and the processes it forks; never in nbconvert's own, which never
# loads WeasyPrint): the service dies as it starts ("start"), or the report's layout fails
# with a user error or by dying.
_LAYOUT_FAILS = """
import os, sys

failure = sys.argv[1]


def fail_in_the_forked_process():
    from ocx_reports.exporters.layout import weasy
    from ocx_reports.exporters.errors import ReportError

    render = weasy.render

    def layout_process():
        if failure == "start":
            os._exit(9)

    def render_report(html, *args, **kw):
        if "Some text." in html:  # not the self-test's page
            if failure == "error":
                raise ReportError("the layout refused this report; fix it")
            os._exit(9)
        return render(html, *args, **kw)

    weasy.layout_process, weasy.render = layout_process, render_report


os.register_at_fork(after_in_child=fail_in_the_forked_process)
sys.argv = ["jupyter-nbconvert", "--to", "onecodex_pdf", "report.ipynb"]
from nbconvert.nbconvertapp import main
main()
"""


def _fail_layout(tmp_path, failure):
    write(notebook(markdown("# Report\n\nSome text.")), tmp_path / "report.ipynb")
    return subprocess.run(
        [sys.executable, "-c", _LAYOUT_FAILS, failure], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    "failure, message",
    [("error", "the layout refused this report; fix it"), ("crash", "PDF layout process stopped unexpectedly (exit status 9)")],
)
def test_a_failure_in_the_layout_process_is_one_line_and_no_pdf(tmp_path, failure, message):
    assert_one_line_failure(_fail_layout(tmp_path, failure), message)
    assert not (tmp_path / "report.pdf").exists()


def test_a_layout_process_that_stopped_before_the_export_leaves_the_layout_to_the_exporter(tmp_path):
    result = _fail_layout(tmp_path, "start")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    with pdfplumber.open(tmp_path / "report.pdf") as pdf:
        assert "Some text." in pdf.pages[-1].extract_text()


# A notebook saved without being run exports as its text only: say so, once.


def _warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if "WARNING" in line]


@pytest.mark.parametrize("to, extension", [("onecodex_pdf", "pdf"), ("onecodex_html", "html")])
def test_a_notebook_never_run_is_exported_with_one_warning_to_execute_it(tmp_path, to, extension):
    nb = notebook(markdown("# Survey\n\nThe chart below."), code("chart()"), code(""), kernelspec=KERNEL)
    nb.cells[1].execution_count = nb.cells[2].execution_count = None
    write(nb, tmp_path / "survey.ipynb")
    result = nbconvert("--to", to, "survey.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / f"survey.{extension}").exists()
    warnings = _warnings(result)
    assert len(warnings) == 1, result.stderr
    assert "survey.ipynb has never been run" in warnings[0] and "export with --execute" in warnings[0]


def _never_run(*cells):
    nb = notebook(markdown("# Survey"), *cells, kernelspec=KERNEL)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
    return nb


@pytest.mark.parametrize(
    "nb, args",
    [
        (_never_run(), ()),  # no code at all
        (_never_run(code("setup()", tags=["remove-cell"]), code("plot()", tags=["hide-output"])), ()),  # none shown
        (notebook(markdown("# Survey"), code("x = 1")), ()),  # run, and nothing printed: it has a count
        (_never_run(code("print('ran')")), ("--execute",)),  # run as it is exported
    ],
    ids=["no-code", "code-left-out", "run-without-outputs", "execute"],
)
def test_no_never_run_warning_when_running_would_not_change_the_report(tmp_path, nb, args):
    write(nb, tmp_path / "survey.ipynb")
    result = nbconvert("--to", "onecodex_html", *args, "survey.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "never been run" not in result.stderr
    if args:
        assert "ran" in (tmp_path / "survey.html").read_text()


# A value an option does not take: one line naming the option, the value and what it takes.


@pytest.mark.parametrize(
    "option, expected",
    [
        ("--OneCodexPDFExporter.page_size=a5", "option OneCodexPDFExporter.page_size: expected any of ['letter', 'a4'], not the str 'a5'"),
        ("--OneCodexHTMLExporter.markdown_placeholders=maybe", "markdown_placeholders: expected any of ['auto', 'on', 'off'], not the str 'maybe'"),
        ("--OneCodexPDFExporter.max_table_rows=lots", "option OneCodexPDFExporter.max_table_rows: expected an int, not the str 'lots'"),
        ("--OneCodexPDFExporter.max_table_rows=-3", "option OneCodexPDFExporter.max_table_rows: should not be less than 0, but a value of -3"),
        ("--OneCodexPDFExporter.workers=0", "option OneCodexPDFExporter.workers: should not be less than 1, but a value of 0"),
        ("--OneCodexPDFExporter.show_logo=junk", "option OneCodexPDFExporter.show_logo: expected a boolean, not the str 'junk'"),
        ("--MetadataPreprocessor.placeholder_max_chars=0", "option MetadataPreprocessor.placeholder_max_chars: should not be less than 1"),
        ("--MetadataPreprocessor.placeholder_timeout=soon", "option MetadataPreprocessor.placeholder_timeout: expected a float, not the str 'soon'"),
        ("--config=bad_config.py", "option OneCodexPDFExporter.layout_timeout: expected a float, not the str 'soon'"),
        ("--OneCodexPDFExporter.logo=missing.png", "logo missing.png: No such file or directory; give the path of an image file"),
    ],
)
def test_a_value_an_option_does_not_take_is_one_line_and_no_output(tmp_path, option, expected):
    write(notebook(markdown("# Report\n\nSome text.")), tmp_path / "report.ipynb")
    (tmp_path / "bad_config.py").write_text("c.OneCodexPDFExporter.layout_timeout = 'soon'\n")
    result = nbconvert("--to", "onecodex_pdf", "report.ipynb", option, cwd=tmp_path)
    assert_one_line_failure(result, expected)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad_config.py", "report.ipynb"]


def test_an_exporter_option_set_on_a_preprocessor_is_named_as_not_taken_there(tmp_path):
    """strict_charts and the other options the preprocessors read are the exporter's alone,
    declared once: set on the chart preprocessor, nbconvert says it has no such option (it
    used to take the value, then silently replace it with the exporter's)."""
    write(notebook(markdown("# Report")), tmp_path / "report.ipynb")
    result = nbconvert("--to", "onecodex_html", "report.ipynb", "--ChartPreprocessor.strict_charts=True", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Config option `strict_charts` not recognized by `ChartPreprocessor`" in result.stderr


def test_a_refused_option_keeps_its_traceback_under_debug(tmp_path):
    write(notebook(markdown("# Report")), tmp_path / "report.ipynb")
    result = nbconvert("--to", "onecodex_html", "report.ipynb", "--OneCodexHTMLExporter.page_size=a5", "--debug", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" in result.stderr and "TraitError" in result.stderr
