"""Whole-process ``jupyter nbconvert`` runs, as a user types them."""

import os
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from helpers import code, markdown, new_output, notebook, write

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
    for expected in ("Figure 1. Stool composition by sample.", "Figure 2. Alpha diversity.", "References", "S06 stool, week 12"):
        assert expected in body
    assert f"Page {len(text)} of {len(text)}" in text[-1]


# Runs nbconvert's app, as ``python -m nbconvert`` does, after registering an exit
# handler that runs after every handler the export registers: it records how many
# objects are frozen out of the collector's sight when the interpreter tears down.
_REPORTS_FROZEN = """
import atexit, gc, sys
atexit.register(lambda: open("frozen.txt", "w").write(str(gc.get_freeze_count())))
if sys.argv[1] == "nbconvert":
    from nbconvert.nbconvertapp import main
    sys.argv = ["jupyter-nbconvert", "--to", "onecodex_pdf", "report.ipynb"]
    main()
else:
    import nbformat
    from ocx_reports.exporters import OneCodexPDFExporter
    pdf, _ = OneCodexPDFExporter().from_notebook_node(nbformat.read("report.ipynb", as_version=4))
    open("report.pdf", "wb").write(pdf)
"""


@pytest.mark.parametrize("runner", ["nbconvert", "script"])
def test_only_nbconvert_skips_the_collections_at_exit_and_no_temporary_file_is_left(tmp_path, runner):
    """``jupyter nbconvert`` freezes the objects alive at exit (skipping the interpreter's
    last collections); a script using the exporter exits as Python always does. Either
    way WeasyPrint's temporary font files are gone afterwards."""
    write(notebook(markdown("# Report\n\nSome text.")), tmp_path / "report.ipynb")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary)}
    subprocess.run([sys.executable, "-c", _REPORTS_FROZEN, runner], cwd=tmp_path, env=env, check=True, timeout=300)
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    frozen = int((tmp_path / "frozen.txt").read_text())
    assert frozen > 10_000 if runner == "nbconvert" else frozen == 0
    assert not [path.name for path in temporary.iterdir() if path.name.startswith("weasyprint-")]
