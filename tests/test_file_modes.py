"""Files come out with the mode any other program gives them: the replaced file's, else 0666
minus the umask. (``demo``, ``render`` and ``build`` are also checked end to end in
test_fresh_install.py.)"""

import os
import stat
import subprocess
import sys

import pytest
from helpers import markdown, notebook, write

from ocx_reports.build.summary import write_json
from ocx_reports.charts.cache import ChartCache
from ocx_reports.files import atomic_write


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask():
    """Set the process umask for one test, then put it back."""
    previous = os.umask(0o022)
    yield lambda value: os.umask(value)
    os.umask(previous)


@pytest.mark.parametrize("value, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_0666_minus_the_umask(tmp_path, umask, value, expected):
    umask(value)
    atomic_write(tmp_path / "report.pdf", b"%PDF")
    assert mode(tmp_path / "report.pdf") == expected
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_a_replaced_file_keeps_its_mode(tmp_path, umask):
    target = tmp_path / "report.html"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write(target, "new")
    assert target.read_text() == "new" and mode(target) == 0o640


def test_summaries_and_shared_chart_caches_are_readable_by_the_group_and_others(tmp_path, umask):
    write_json(tmp_path / "summary.json", [])
    ChartCache(tmp_path / "charts").put("key", "<svg/>")
    assert mode(tmp_path / "summary.json") == 0o644
    assert mode(tmp_path / "charts" / "key.svg") == 0o644


@pytest.mark.parametrize("to, ext", [("onecodex_html", "html"), ("onecodex_pdf", "pdf")])
def test_nbconvert_writes_reports_with_the_usual_mode(tmp_path, to, ext):
    write(notebook(markdown("# Modes")), tmp_path / "r.ipynb")
    (tmp_path / "kept.ipynb").write_bytes((tmp_path / "r.ipynb").read_bytes())
    (tmp_path / f"kept.{ext}").write_text("")
    (tmp_path / f"kept.{ext}").chmod(0o600)
    for name in ("r.ipynb", "kept.ipynb"):
        result = subprocess.run(
            [sys.executable, "-m", "nbconvert", "--to", to, name],
            cwd=tmp_path, capture_output=True, text=True, timeout=300, umask=0o022,
        )
        assert result.returncode == 0, result.stderr
    assert mode(tmp_path / f"r.{ext}") == 0o644
    assert mode(tmp_path / f"kept.{ext}") == 0o600
