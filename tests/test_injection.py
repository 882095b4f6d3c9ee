"""Sample metadata fetched over real HTTP from the local API and injected into reports."""

import io
import re
import subprocess
import sys

import pytest
from helpers import code, export_html, export_pdf, markdown, new_output, notebook, pdf_pages_text, write
from pypdf import PdfReader

from ocx_reports.exporters.errors import ReportError
from ocx_reports.mockserver import DEMO_API_KEY

WASTEWATER = "c36f5f0e0d94e672"
GUT = "96d911f909956c1c"


@pytest.fixture
def api_env(mock_api, isolated_credentials, monkeypatch):
    monkeypatch.setenv("ONE_CODEX_API_BASE", mock_api.url)
    monkeypatch.setenv("ONE_CODEX_API_KEY", DEMO_API_KEY)
    return mock_api


def test_project_metadata_reaches_header_samples_section_and_keywords(api_env):
    nb = notebook(markdown("# Surveillance update"), onecodex={"project": WASTEWATER})
    pdf = export_pdf(nb)
    pages = pdf_pages_text(pdf)
    assert "Municipal Wastewater Surveillance 2024 · 7 samples" in pages[0]
    samples_page = next(text for text in pages if "Samples" in text and "External ID" in text)
    for expected in ("North Plant influent", "WWS-NP-20241104", "2024-11-04", "holiday-week", "SARS cov2 GC"):
        assert expected in samples_page.replace("\n", " ")
    keywords = PdfReader(io.BytesIO(pdf)).metadata["/Keywords"]
    assert "Municipal Wastewater Surveillance 2024" in keywords and "7 samples" in keywords


def test_markdown_placeholders_render_from_the_context(api_env):
    nb = notebook(
        markdown("# {{ project.name }}\n\n{{ samples | length }} samples; first: {{ samples[0].name }}."),
        onecodex={"project": GUT},
    )
    text = pdf_pages_text(export_pdf(nb))[0]
    assert "Gut Microbiome Cohort Study" in text and "16 samples; first:" in text


def test_a_report_rendered_again_for_a_chart_that_failed_fetches_its_metadata_once(api_env):
    """A chart that fails while the report renders makes the export render it again, showing the
    chart's placeholder: with the sample metadata the export already fetched."""

    def chart(mark: str):
        spec = {"data": {"values": [{"a": "x", "b": 1}]}, "mark": mark,
                "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}}}
        return new_output("display_data", data={"application/vnd.vegalite.v5+json": spec})

    def fetched(mark: str) -> tuple[str, int]:
        api_env.reset()
        nb = notebook(markdown("# {{ project.name }}"), code(outputs=[chart(mark)]), onecodex={"project": WASTEWATER})
        return export_html(nb), len(api_env.requests)

    drawn, once = fetched("bar")
    failed, requests = fetched("no-such-mark")
    assert 'class="ocx-not-shown"' in failed and 'class="ocx-not-shown"' not in drawn
    assert re.search(r"<h1[^>]*>Municipal Wastewater Surveillance 2024<", failed)
    assert requests == once > 0


def test_unknown_placeholder_names_the_cell(api_env):
    nb = notebook(markdown("intro"), markdown("Lead: {{ investigator }}"), onecodex={"project": GUT})
    with pytest.raises(ReportError, match=r"cell 2: markdown placeholder failed .*investigator"):
        export_html(nb)


def test_traits_win_over_notebook_metadata(api_env):
    nb = notebook(markdown("body"), onecodex={"project": GUT})
    text = " ".join(pdf_pages_text(export_pdf(nb, project=WASTEWATER)))
    assert "Municipal Wastewater Surveillance 2024" in text and "Gut Microbiome" not in text
    sample_ids = sorted(api_env.dataset.objects["samples"])[:2]
    html = export_html(nb, samples=sample_ids)
    assert "2 samples" in html and "Municipal" not in html


def test_sample_ids_from_notebook_metadata(api_env):
    first = sorted(api_env.dataset.objects["samples"])[0]
    nb = notebook(markdown("body"), onecodex={"samples": [first]})
    assert "1 sample" in export_html(nb)


def test_no_ids_means_no_api_call_and_no_samples_section(api_env):
    html = export_html(notebook(markdown("# Plain report")))
    assert api_env.requests == []
    assert "ocx-samples" not in html.split("</style>")[-1]


def test_unknown_sample_id_stops_the_export_with_one_line(api_env):
    nb = notebook(markdown("body"), onecodex={"samples": ["ffffffffffffffff"]})
    with pytest.raises(ReportError) as info:
        export_pdf(nb)
    assert "sample ffffffffffffffff not found" in str(info.value)


def test_rejected_key_and_unreachable_server_give_one_line_errors(api_env, monkeypatch):
    nb = notebook(markdown("body"), onecodex={"project": GUT})
    wrong_key = "0123456789abcdef0123456789abcdef"
    monkeypatch.setenv("ONE_CODEX_API_KEY", wrong_key)
    with pytest.raises(ReportError) as info:
        export_pdf(nb)
    assert "ONE_CODEX_API_KEY" in str(info.value) and wrong_key not in str(info.value)
    api_env.stop()
    monkeypatch.setenv("ONE_CODEX_API_KEY", DEMO_API_KEY)
    with pytest.raises(ReportError, match="could not reach"):
        export_pdf(nb)


def test_nbconvert_cli_unknown_project_fails_cleanly_and_never_shows_the_key(api_env, tmp_path):
    write(notebook(markdown("body"), onecodex={"project": "ffffffffffffffff"}), tmp_path / "r.ipynb")
    env = {"ONE_CODEX_API_BASE": api_env.url, "ONE_CODEX_API_KEY": DEMO_API_KEY, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "onecodex_pdf", "r.ipynb"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 1
    assert "project ffffffffffffffff not found" in result.stderr
    assert "Traceback" not in result.stderr and DEMO_API_KEY not in result.stderr + result.stdout
    assert not (tmp_path / "r.pdf").exists()


def test_key_never_reaches_the_report(api_env):
    nb = notebook(markdown("# {{ project.name }}"), onecodex={"project": GUT})
    assert DEMO_API_KEY not in export_html(nb)
    assert DEMO_API_KEY.encode() not in export_pdf(nb)
