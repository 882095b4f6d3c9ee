"""The package as nbconvert and pip see it: entry points, cheap constructors, the wheel."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import copy_checkout
from nbconvert.exporters.base import get_export_names, get_exporter

from ocx_reports.exporters import OneCodexHTMLExporter, OneCodexPDFExporter

ROOT = Path(__file__).resolve().parents[1]


def test_entry_points_resolve_to_our_exporters():
    assert get_exporter("onecodex_html") is OneCodexHTMLExporter
    assert get_exporter("onecodex_pdf") is OneCodexPDFExporter
    names = get_export_names()
    assert {"onecodex_html", "onecodex_pdf"} <= set(names)


def test_exporters_appear_in_jupyterlab_export_menu():
    assert OneCodexHTMLExporter.export_from_notebook == "One Codex HTML Report"
    assert OneCodexPDFExporter.export_from_notebook == "One Codex PDF Report"
    assert OneCodexPDFExporter().output_mimetype == "application/pdf"
    assert OneCodexPDFExporter().file_extension == ".pdf"
    assert OneCodexHTMLExporter().file_extension == ".html"


def test_listing_exporters_imports_no_pdf_or_chart_engine():
    # nbconvert instantiates every registered exporter just to list them.
    code = (
        "import sys\n"
        "from nbconvert.exporters.base import get_export_names, get_exporter\n"
        "get_export_names()\n"
        "get_exporter('onecodex_pdf')(); get_exporter('onecodex_html')()\n"
        "heavy = [m for m in ('weasyprint', 'vl_convert', 'ziamath', 'httpx', 'altair') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the compiler fallback is Linux's find_library")
@pytest.mark.adapted
def test_loading_weasyprint_runs_no_compiler_or_linker(tmp_path):
    """WeasyPrint's Windows and macOS names for its C libraries miss on Linux; a miss must
    not cost a compiler and a linker run (``ctypes.util.find_library``'s fallbacks)."""
    ran = tmp_path / "ran"
    for tool in ("gcc", "cc", "ld"):
        (tmp_path / tool).write_text(f"#!/bin/sh\necho {tool} >> {ran}\nexit 1\n")
        (tmp_path / tool).chmod(0o755)
    code = (
        "import ctypes.util\n"
        "find_library = ctypes.util.find_library\n"
        "from ocx_reports.exporters.layout import weasy\n"
        "assert ctypes.util.find_library is find_library, 'left patched'\n"
        "weasy.font_config()  # its C libraries work\n"
    )
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    assert not ran.exists(), ran.read_text()


@pytest.mark.adapted
def test_loading_weasyprint_leaves_fonttools_subsetter_and_instancer_for_first_use():
    """Report fonts are static and HarfBuzz subsets them, so WeasyPrint's fontTools fallbacks
    (most of fontTools) load only when used; once WeasyPrint is loaded, they are the real ones."""
    code = (
        "import sys\n"
        "from ocx_reports.exporters.layout import weasy\n"
        "from weasyprint.pdf import fonts\n"
        "loaded = [m for m in ('fontTools.varLib', 'fontTools.ttLib.tables.otTables', 'fontTools.cffLib')"
        " if m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "import fontTools.subset, fontTools.varLib.instancer as instancer\n"
        "assert fonts.subset.Subsetter is fontTools.subset.Subsetter\n"
        "instancer.instantiateVariableFont = lambda font, axes, static: ('real', axes, static)\n"
        "assert fonts.instantiateVariableFont(None, {'wght': 600}, static=True) == ('real', {'wght': 600}, True)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_traits_are_configurable_from_the_command_line():
    from traitlets.config import Config

    config = Config()
    config.OneCodexPDFExporter.page_size = "a4"
    config.OneCodexPDFExporter.footer_text = "RESEARCH USE ONLY"
    exporter = OneCodexPDFExporter(config=config)
    assert exporter.page_size == "a4"
    assert exporter.footer_text == "RESEARCH USE ONLY"


@pytest.mark.slow
def test_wheel_carries_templates_css_logo_and_entry_points(tmp_path):
    # From a copy as a clone has it: setuptools' build/ folder in the checkout keeps the files
    # of earlier builds, which would hide a subpackage missing from pyproject.toml.
    source = copy_checkout(tmp_path / "source")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("ocx_reports-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for member in (
        "ocx_reports/templates/onecodex/conf.json",
        "ocx_reports/templates/onecodex/index.html.j2",
        "ocx_reports/templates/onecodex/onecodex.css",
        "ocx_reports/templates/onecodex/logo.svg",
        "ocx_reports/exporters/pdf.py",
        "ocx_reports/report.py",
        "ocx_reports/build/runner.py",
        "ocx_reports/examples/example.ipynb",
        "ocx_reports/examples/project_report.ipynb",
        "ocx_reports/demo_data/samples.json",
    ):
        assert member in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "onecodex_pdf = ocx_reports.exporters.pdf:OneCodexPDFExporter" in text
    assert "onecodex_html = ocx_reports.exporters.html:OneCodexHTMLExporter" in text
    assert not any(n.startswith(("exporters/", "templates/")) for n in names)
    # Every module of the source tree, in whichever room (subpackage) it lives.
    sources = {"ocx_reports": ROOT / "ocx_reports", "ocx_reports/exporters": ROOT / "exporters"}
    modules = {
        f"{package}/{path.relative_to(folder).as_posix()}"
        for package, folder in sources.items()
        for path in folder.rglob("*.py")
        if not (folder / path.relative_to(folder).parts[0]).is_symlink()  # ocx_reports/exporters -> exporters/
    }
    assert len(modules) > 40 and "ocx_reports/exporters/html.py" in modules
    assert modules <= names, sorted(modules - names)
