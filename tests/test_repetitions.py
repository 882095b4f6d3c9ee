"""A report says each thing once: the cover's project line gives way to the notebook's project
details, and a first heading that repeats the cover's title is left out."""

import io
import re

import pytest
from helpers import code, export_html, export_pdf, markdown, new_output, notebook, pdf_pages_text
from pypdf import PdfReader

from ocx_reports import report
from ocx_reports.mockserver import DEMO_API_KEY

GUT = "96d911f909956c1c"


@pytest.fixture
def api_env(mock_api, isolated_credentials, monkeypatch):
    monkeypatch.setenv("ONE_CODEX_API_BASE", mock_api.url)
    monkeypatch.setenv("ONE_CODEX_API_KEY", DEMO_API_KEY)
    return mock_api


def _display(helper):
    data, metadata = helper._repr_mimebundle_()
    return new_output("display_data", data=data, metadata=metadata)


def _cover(details):
    report.reset()
    return _display(report.cover_sheet("Gut Microbiome Cohort Study\nTaxonomic Profiling Report", "Dr. Chen", "Core", details))


def _outline(pdf: bytes) -> list[str]:
    def flat(items):
        for item in items:
            yield from flat(item) if isinstance(item, list) else [item.title]

    return list(flat(PdfReader(io.BytesIO(pdf)).outline))


def test_the_cover_lists_the_project_once(api_env):
    details = {"Project": "Gut Microbiome Cohort Study (IRB-2023-0417)", "Samples": "16 samples from 6 subjects"}
    nb = notebook(code(outputs=[_cover(details)]), markdown("text"), onecodex={"project": GUT})
    with_details = pdf_pages_text(export_pdf(nb))[0]
    assert "PROJECT DETAILS" in with_details and "IRB-2023-0417" in with_details
    assert "Gut Microbiome Cohort Study · 16 samples" not in with_details  # the fetched project line
    assert not re.search(r"^PROJECT$", with_details, re.M)
    # Without the notebook's details, the cover names the project as fetched.
    without = pdf_pages_text(export_pdf(notebook(code(outputs=[_cover("")]), markdown("text"), onecodex={"project": GUT})))[0]
    assert re.search(r"^PROJECT$", without, re.M) and "Gut Microbiome Cohort Study · 16 samples" in without


@pytest.mark.parametrize(
    "first",
    [
        code(outputs=[_display(report.title("Gut Microbiome Cohort Study"))]),
        markdown("# Gut  microbiome cohort study\n\nLongitudinal stool metagenomes."),
        code(outputs=[new_output("display_data", data={
            "text/markdown": "## Taxonomic Profiling Report\n\nLongitudinal stool metagenomes."})]),
    ],
    ids=["title helper", "markdown cell", "markdown output"],
)
def test_a_first_heading_that_repeats_the_cover_title_is_left_out(first):
    pdf = export_pdf(notebook(code(outputs=[_cover("")]), first, markdown("## Methods\n\nReads were classified.")))
    pages = pdf_pages_text(pdf)
    body = "\n".join(pages[1:])
    assert not re.search(r"^(Gut Microbiome Cohort Study|Taxonomic Profiling Report)$", body, re.M | re.I), body
    assert "Methods" in body and ("Longitudinal stool metagenomes." in body or first.cell_type == "code")
    assert _outline(pdf) == ["Gut Microbiome Cohort Study Taxonomic Profiling Report", "Methods"]


def test_other_first_headings_stay():
    # A heading that says something else, a repeated title that is not the first heading, and a
    # report with no cover keep their headings.
    different = export_html(notebook(code(outputs=[_cover("")]), markdown("# Gut Microbiome Cohort Study, year two")))
    assert re.search(r"<h1[^>]*>Gut Microbiome Cohort Study, year two", different)
    later = export_html(notebook(code(outputs=[_cover("")]), markdown("# Summary"), markdown("## Taxonomic Profiling Report")))
    assert re.search(r"<h2[^>]*>Taxonomic Profiling Report", later)
    report.reset()
    no_cover = export_pdf(notebook(code(outputs=[_display(report.title("Gut Microbiome Cohort Study"))]), markdown("text")))
    assert "Gut Microbiome Cohort Study" in pdf_pages_text(no_cover)[0]
    assert PdfReader(io.BytesIO(no_cover)).metadata.title == "Gut Microbiome Cohort Study"
    # The title helper still names the PDF when its heading is left out.
    titled = export_pdf(
        notebook(code(outputs=[_cover("")]), code(outputs=[_display(report.title("Gut Microbiome Cohort Study"))]))
    )
    assert PdfReader(io.BytesIO(titled)).metadata.title == "Gut Microbiome Cohort Study"
