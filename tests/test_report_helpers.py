"""Report helpers: their live HTML, where exports put them, numbering, and env vars."""

import io

import nbformat
import pdfplumber
import pytest
from helpers import code, export_html, export_pdf, markdown, new_output, notebook, pdf_pages_text
from nbclient import NotebookClient
from pypdf import PdfReader

from ocx_reports import report


@pytest.fixture(autouse=True)
def fresh_report_state():
    report.reset()
    yield
    report.reset()


def shown(helper):
    """The output a kernel would record for ``helper.display()``."""
    data, metadata = helper._repr_mimebundle_()
    return new_output("display_data", data=data, metadata=metadata)


def test_references_are_numbered_deduplicated_and_labelled():
    first = report.reference("Smith J. Gut flora. Nature, 2020.", "smith")
    second = report.reference("Doe A. Soil flora. Science, 2021.")
    again = report.reference("Smith J. Gut flora. Nature, 2020.")
    by_label = report.reference(label="smith")
    assert (first.ref_num, second.ref_num, again.ref_num, by_label.ref_num) == (1, 2, 1, 1)
    assert str(second) == '<sup class="reference"><a href="#ocx-ref-2">2</a></sup>'
    html = report.bibliography()._repr_mimebundle_()[0]["text/html"]
    assert html.index("Smith J.") < html.index("Doe A.")
    assert html.count("<li") == 2


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: report.reference(), "needs text"),
        (lambda: report.reference(label="missing"), "no reference with label"),
        (lambda: report.set_logo("logo.png", position="top"), "position must be"),
    ],
)
def test_helper_misuse_gets_a_clear_error(call, message):
    with pytest.raises(report.ReportHelperError, match=message):
        call()


def test_reusing_a_label_for_other_text_is_refused():
    report.reference("One.", "a")
    with pytest.raises(report.ReportHelperError, match="already used"):
        report.reference("Two.", "a")


def test_legends_are_renumbered_in_document_order():
    # Cells run out of order in Jupyter leave numbers 2 then 1 in the outputs.
    late = report.legend("shown second", heading="Late.")
    early = report.legend("shown first", heading="Early.")
    fixed = report.legend("explicit", fignum="S1")
    nb = notebook(code(outputs=[shown(early)]), code(outputs=[shown(late)]), code(outputs=[shown(fixed)]))
    text = " ".join(pdf_pages_text(export_pdf(nb)))
    assert "Figure 1. Early." in text
    assert "Figure 2. Late." in text
    assert "Figure S1." in text


def test_cover_sheet_is_a_full_first_page_without_running_header():
    cover = report.cover_sheet(
        title="Cohort Report",
        prepared_for="Dr. Rivera\nCity Hospital",
        prepared_by="Analytics Core",
        project_details={"Project": "Cohort A", "Samples": 24},
    )
    nb = notebook(
        code(outputs=[shown(report.set_center_header("Center Text"))]),
        code(outputs=[shown(cover)]),
        markdown("# Body heading\n\nBody text."),
    )
    pages = pdf_pages_text(export_pdf(nb))
    assert len(pages) == 2
    first, second = pages
    for expected in ("Cohort Report", "PREPARED FOR", "City Hospital", "Analytics Core", "Cohort A", "24"):
        assert expected in first
    assert "Center Text" not in first and "Body heading" not in first
    assert "Center Text" in second and "Body heading" in second


def test_center_header_and_custom_date_go_to_every_page_header():
    nb = notebook(
        code(outputs=[shown(report.set_center_header("Project Falcon"))]),
        code(outputs=[shown(report.set_date("March 3, 2026"))]),
        markdown("Long text. " * 900),
    )
    pages = pdf_pages_text(export_pdf(nb))
    assert len(pages) >= 2
    for text in pages:
        assert "Project Falcon" in text and "March 3, 2026" in text


def test_set_style_reaches_the_document_head():
    nb = notebook(code(outputs=[shown(report.set_style("h1 { color: rgb(200, 10, 10); }"))]), markdown("# Red"))
    html = export_html(nb)
    head, body = html.split("</head>", 1)
    assert "rgb(200, 10, 10)" in head and "rgb(200, 10, 10)" not in body


def test_set_logo_embeds_a_local_image(tmp_path):
    (tmp_path / "lab-logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#c00"/></svg>'
    )
    nb = notebook(code(outputs=[shown(report.set_logo("lab-logo.svg", position="right"))]), markdown("text"))
    html = export_html(nb, path=tmp_path)
    assert "lab-logo.svg" not in html.split("<main", 1)[0]
    assert "data:image/svg+xml;base64," in html


def _logo_drawn(pdf):
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        # The logo's circles are the only curves above the header rule.
        return any(curve["bottom"] < 0.9 * 72 for curve in page.curves)


def test_report_uuid_no_logo_and_insert_date_env_vars(monkeypatch):
    nb = notebook(markdown("Body."))
    default = export_pdf(nb)
    assert _logo_drawn(default)
    monkeypatch.setenv("ONE_CODEX_REPORT_UUID", "4f1c2a9e-77aa-4c1b-9d2e-0c5b7e1f3a11")
    monkeypatch.setenv("ONE_CODEX_REPORT_NO_LOGO", "1")
    monkeypatch.setenv("ONE_CODEX_INSERT_DATE", "False")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    pdf = export_pdf(nb)
    text = pdf_pages_text(pdf)[0]
    assert "Report 4f1c2a9e-77aa-4c1b-9d2e-0c5b7e1f3a11" in text
    assert "January 1, 2026" not in text
    assert not _logo_drawn(pdf)


def test_traits_override_env_vars(monkeypatch):
    monkeypatch.setenv("ONE_CODEX_REPORT_UUID", "from-env")
    monkeypatch.setenv("ONE_CODEX_REPORT_NO_LOGO", "1")
    monkeypatch.setenv("ONE_CODEX_INSERT_DATE", "0")
    pdf = export_pdf(
        notebook(markdown("Body.")),
        report_id="from-trait",
        show_logo=True,
        insert_date=True,
        report_date="July 4, 2026",
        footer_text="RESEARCH USE ONLY",
    )
    text = pdf_pages_text(pdf)[0]
    assert "Report from-trait" in text and "from-env" not in text
    assert "July 4, 2026" in text and "RESEARCH USE ONLY" in text
    assert _logo_drawn(pdf)


def test_helpers_render_live_in_a_real_kernel_and_in_the_export(tmp_path):
    nb = notebook(
        code(
            "from ocx_reports import report\n"
            "from IPython.display import Markdown, display\n"
            "report.title('Kernel Report').display()\n"
            "display(Markdown(f\"Claim{report.reference('Ref A.', 'a')} and{report.reference('Ref B.')}\"))"
        ),
        code("report.legend('first legend').display()\nreport.legend('second legend').display()"),
        code("display(Markdown(f\"Again{report.reference(label='a')}\"))\nreport.bibliography().display()"),
        kernelspec={"name": "python3", "display_name": "Python 3", "language": "python"},
    )
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    live = nbformat.writes(nb)
    assert "Figure 2." in live and "ocx-bibliography" in live
    pdf = export_pdf(nb)
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Kernel Report"
    text = " ".join(pdf_pages_text(pdf))
    assert "Figure 1. first legend" in text and "Figure 2. second legend" in text
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        laid_out = doc.pages[0].extract_text()
    assert "References" in laid_out and "1. Ref A." in laid_out and "2. Ref B." in laid_out
