"""``ocx-reports demo``: the whole job offline, end to end, as the README's first command runs it."""

import subprocess
import sys

import pdfplumber
from pypdf import PdfReader


def test_demo_builds_the_example_report_offline(tmp_path):
    out = tmp_path / "reports" / "demo.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "ocx_reports.cli", "demo", "-o", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},  # no credentials, no API base
    )
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    with pdfplumber.open(out) as pdf:
        pages = [page.extract_text() for page in pdf.pages]
        assert "Gut Microbiome Cohort Study" in pdf.metadata["Title"]
        assert "16 samples" in pdf.metadata["Keywords"]
    assert len(pages) >= 3
    for text in pages:
        assert "DEMO DATA" in text
    body = "\n".join(pages)
    for expected in ("Figure 1. Stool composition", "Figure 2. Alpha diversity", "GMC-S06-V2-ST", "Custom metadata"):
        assert expected in body
    assert list(out.parent.iterdir()) == [out]
    # Each thing said once: one Samples section (the notebook summarises the cohort instead),
    # the project on the cover once (in the notebook's project details), and the body not
    # opening with the cover's title again.
    outline = []
    pending = list(PdfReader(out).outline)
    while pending:
        item = pending.pop(0)
        pending[:0] = item if isinstance(item, list) else []
        outline += [] if isinstance(item, list) else [item.title]
    assert outline.count("Samples") == 1 and "Cohort" in outline
    cover = pages[0].splitlines()
    assert "PROJECT DETAILS" in cover and "PROJECT" not in cover and "16 samples" not in pages[0].replace("16 samples from", "")
    header, first = pages[1].splitlines()[1:3]
    assert header.startswith("Gut Microbiome Cohort Study") and first.startswith("Longitudinal stool")


def test_demo_reports_an_unwritable_output_in_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "ocx_reports.cli", "demo", "-o", str(blocker / "x.pdf")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("ocx-reports: error:") and "Traceback" not in result.stderr
