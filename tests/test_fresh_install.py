"""The README's first command as a new user runs it: a copy of the checkout, a fresh venv, a
non-editable ``pip install .``, then ``demo``, ``render`` and ``build`` from the checkout root.

The checkout root holds the source folder ``ocx_reports/``, which the kernels (started
there) import instead of the installed package; it must be the whole package.
"""

import os
import stat
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pypdf
import pytest
from helpers import copy_checkout

from ocx_reports.mockserver import DEMO_API_KEY

ROOT = Path(__file__).resolve().parents[1]
@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """(checkout copy, its venv's bin folder) after ``python3 -m venv .venv && .venv/bin/pip install .``."""
    checkout = copy_checkout(tmp_path_factory.mktemp("fresh") / "ocx-reports")
    venv.EnvBuilder(with_pip=True).create(checkout / ".venv")
    bin_dir = checkout / ".venv" / "bin"
    result = subprocess.run(
        [str(bin_dir / "pip"), "install", "-q", "."],
        cwd=checkout, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return checkout, bin_dir


def run(bin_dir: Path, *args, cwd: Path, env=None):
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]],
        cwd=cwd, capture_output=True, text=True, timeout=600, umask=0o022,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(cwd.parent), **(env or {})},
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.slow
def test_demo_from_the_checkout_root_with_a_non_editable_install(fresh):
    checkout, bin_dir = fresh
    installed = run(bin_dir, "python", "-c", "import ocx_reports.exporters as e; print(e.__file__)", cwd=ROOT.parent)
    assert "site-packages" in installed.stdout, installed.stderr

    result = run(bin_dir, "ocx-reports", "demo", "-o", "demo-report.pdf", cwd=checkout)

    assert result.returncode == 0, result.stderr
    pdf = checkout / "demo-report.pdf"
    assert "Gut Microbiome Cohort Study" in pypdf.PdfReader(pdf).metadata.title
    assert mode(pdf) == 0o644


@pytest.mark.slow
def test_the_checkout_root_imports_one_whole_package_or_refuses(fresh):
    checkout, bin_dir = fresh
    whole = run(
        bin_dir, "python", "-c",
        "import ocx_reports.exporters, ocx_reports.templates, ocx_reports.examples, ocx_reports.demo\n"
        "from ocx_reports.exporters.errors import ReportError\n"
        "print(ocx_reports.__file__)",
        cwd=checkout,
    )
    assert whole.returncode == 0, whole.stderr
    assert whole.stdout.strip() == str(checkout / "ocx_reports" / "__init__.py")
    for folder, package in (
        ("exporters", "ocx_reports.exporters"),
        ("templates", "ocx_reports.templates"),
        ("notebook_examples", "ocx_reports.examples"),
    ):
        refused = run(bin_dir, "python", "-c", f"import {folder}", cwd=checkout)
        assert refused.returncode == 1
        assert f"ImportError: {folder}/ is the source of {package}: import {package}" in refused.stderr


@pytest.mark.slow
def test_render_and_build_from_the_checkout_root(fresh, mock_api):
    checkout, bin_dir = fresh
    env = {"ONE_CODEX_API_BASE": mock_api.url, "ONE_CODEX_API_KEY": DEMO_API_KEY}
    (checkout / "old.pdf").write_bytes(b"")
    (checkout / "old.pdf").chmod(0o640)

    rendered = run(
        bin_dir, "ocx-reports", "render", "notebook_examples/project_report.ipynb", "--to", "pdf",
        "--project", "841f8678e7c361fd", "-o", "old.pdf", cwd=checkout, env=env,
    )
    assert rendered.returncode == 0, rendered.stderr
    assert "ICU Built Environment" in pypdf.PdfReader(checkout / "old.pdf").metadata["/Keywords"]
    assert mode(checkout / "old.pdf") == 0o640  # a replaced file keeps its mode

    (checkout / "reports.toml").write_text(textwrap.dedent("""
        [defaults]
        notebook = "notebook_examples/project_report.ipynb"
        formats = ["pdf", "html"]
        output = "out/{name}.{ext}"
        [[report]]
        name = "icu"
        project = "841f8678e7c361fd"
        [[report]]
        name = "qc"
        samples = ["5cc30dbae53ee7eb", "5216fb4df0bfaeac"]
    """))
    built = run(
        bin_dir, "ocx-reports", "build", "reports.toml", "-j", "2", "--summary-json", "out/summary.json",
        "--junit-xml", "out/junit.xml", cwd=checkout, env=env,
    )
    assert built.returncode == 0, built.stderr
    written = sorted(p.name for p in (checkout / "out").iterdir())
    assert written == ["icu.html", "icu.pdf", "junit.xml", "qc.html", "qc.pdf", "summary.json"]
    for path in [*(checkout / "out").iterdir(), checkout / ".ocx-reports-manifest.json"]:
        assert mode(path) == 0o644, path


@pytest.mark.slow
def test_a_kernel_missing_part_of_ocx_reports_blames_the_environment_not_the_bundled_notebook(fresh, tmp_path):
    """A half package in the kernel's folder, as the source tree once was."""
    checkout, bin_dir = fresh
    (tmp_path / "ocx_reports").mkdir()
    (tmp_path / "ocx_reports" / "__init__.py").write_text("")

    result = run(bin_dir, "ocx-reports", "demo", "-o", "demo.pdf", cwd=tmp_path)

    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("ocx-reports: error: executing the bundled example.ipynb failed: cell 2")
    assert "raised ImportError: cannot import name 'report' from 'ocx_reports'" in line
    assert f"the Python environment of kernel 'python3' ({bin_dir}/python" in line
    assert "reinstall ocx-reports there" in line and "fix the notebook" not in line
    assert not (tmp_path / "demo.pdf").exists()
