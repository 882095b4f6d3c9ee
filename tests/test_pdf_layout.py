"""The printed report read back: frame, metadata, bookmarks, tables, images, determinism."""

import base64
import io
import re
import struct
import zlib

import pdfplumber
import pytest
from helpers import code, export_pdf, html_output, markdown, new_output, notebook, pdf_pages_text
from pypdf import PdfReader

from ocx_reports import report

LETTER = (612, 792)
A4_WIDTH = 595


def _reader(pdf):
    return PdfReader(io.BytesIO(pdf))


def _long_notebook():
    return notebook(
        markdown("# Soil Survey Summary\n\nIntroductory text for the survey."),
        markdown("## Methods\n\n" + "Sampling details. " * 400),
        markdown("## Results\n\nThe results follow."),
        title="Soil Survey",
    )


def test_footer_page_numbers_and_page_count():
    pdf = export_pdf(_long_notebook())
    pages = pdf_pages_text(pdf)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "NOT FOR DIAGNOSTIC USE" in text


def test_page_size_letter_by_default_and_a4_by_trait():
    nb = notebook(markdown("# A"))
    box = _reader(export_pdf(nb)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == LETTER
    box = _reader(export_pdf(nb, page_size="a4")).pages[0].mediabox
    assert round(float(box.width)) == A4_WIDTH


def test_metadata_title_creator_and_creation_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    meta = _reader(export_pdf(_long_notebook())).metadata
    assert meta.title == "Soil Survey"
    assert meta.creator.startswith("ocx-reports ")
    assert meta["/CreationDate"].startswith("D:20260101000000")


def test_title_falls_back_to_first_heading_then_title_helper_wins():
    nb = notebook(markdown("Some intro.\n\n# Water Quality Report\n\ntext"))
    assert _reader(export_pdf(nb)).metadata.title == "Water Quality Report"
    nb.cells.append(code(outputs=[_display(report.title("Helper Title"))]))
    assert _reader(export_pdf(nb)).metadata.title == "Helper Title"


def test_headings_become_bookmarks():
    outline = _reader(export_pdf(_long_notebook())).outline
    titles = [item.title for item in _flatten(outline)]
    assert titles[:3] == ["Soil Survey Summary", "Methods", "Results"]


def test_a_cover_title_of_several_lines_is_one_bookmark_with_spaces_between_them():
    cover = report.cover_sheet("Gut &amp; Oral Cohort Study\nTaxonomic Profiling Report", "Dr. Chen", "Core", "")
    nb = notebook(code(outputs=[_display(cover)]), markdown("# Samples\n\ntext"))
    titles = [item.title for item in _flatten(_reader(export_pdf(nb)).outline)]
    assert titles == ["Gut & Oral Cohort Study Taxonomic Profiling Report", "Samples"]


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def test_body_font_comes_from_the_font_package():
    with pdfplumber.open(io.BytesIO(export_pdf(_long_notebook()))) as pdf:
        fonts = {char["fontname"].split("+")[-1] for char in pdf.pages[0].chars}
    assert any(name.startswith("Source-Sans-Pro") for name in fonts)


@pytest.mark.adapted
def test_weasyprint_c_types_are_resolved_without_parsing_c(monkeypatch):
    """cffi parses a C program (about 5 ms) for each type text it has not seen, and
    WeasyPrint's font subsetting puts each glyph list's length in the text: the pointers and
    arrays WeasyPrint allocates are resolved from cffi's type model instead, to the same types."""
    from weasyprint.text.ffi import ffi

    from ocx_reports.exporters.layout import weasy  # noqa: F401 - loaded first: its check parses a few types

    parsed = []
    parse_type = ffi._parser.parse_type
    monkeypatch.setattr(ffi._parser, "parse_type", lambda cdecl: parsed.append(cdecl) or parse_type(cdecl))
    texts = ["A few words *in italics* and **in bold**.", "Other letters: xyzzy *QVW* **jkq** 0123456789."]
    for text in texts:
        shown = " ".join(pdf_pages_text(export_pdf(notebook(markdown(text))))[0].split())
        assert shown.startswith(text.replace("*", "").split(":")[0])
    declarations = ("hb_codepoint_t[57]", "PangoRectangle *", "FcChar8 **", "unsigned int *", "char[]")
    resolved = [ffi.typeof(cdecl) for cdecl in declarations]
    assert parsed == []
    with ffi._lock:
        assert resolved == [ffi._get_cached_btype(parse_type(cdecl)) for cdecl in declarations]


def test_same_notebook_exports_byte_identical_under_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    nb = _long_notebook()
    assert export_pdf(nb) == export_pdf(nb)


def test_report_date_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert "January 1, 2026" in pdf_pages_text(export_pdf(_long_notebook()))[0]


def _table_html(rows, columns=3):
    head = "".join(f"<th>Column {c}</th>" for c in range(columns))
    body = "".join(
        "<tr>" + "".join(f"<td>r{r}c{c}</td>" for c in range(columns)) + "</tr>" for r in range(rows)
    )
    return f'<table class="dataframe"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def test_long_table_repeats_header_and_keeps_every_row_whole():
    nb = notebook(code(outputs=[html_output(_table_html(150))]))
    pages = pdf_pages_text(export_pdf(nb))
    assert len(pages) >= 3
    for text in pages:
        assert "Column 0" in text
    cells = re.findall(r"r(\d+)c0\s+r\1c1\s+r\1c2", " ".join(pages))
    assert sorted(map(int, cells)) == list(range(150))


def test_wide_table_shrinks_to_the_page_width():
    nb = notebook(code(outputs=[html_output(_table_html(5, columns=22))]))
    with pdfplumber.open(io.BytesIO(export_pdf(nb))) as pdf:
        page = pdf.pages[0]
        words = {w["text"] for w in page.extract_words()}
        assert {f"r4c{c}" for c in range(22)} <= words
        assert max(char["x1"] for char in page.chars) <= page.width - 0.5 * 72


def _png(width, height):
    """A solid PNG of the given size, built without an imaging library."""
    raw = b"".join(b"\x00" + b"\x2f\x9c\x95" * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _image_output(width, height):
    data = base64.b64encode(_png(width, height)).decode()
    return new_output("display_data", data={"image/png": data, "text/plain": "<Figure>"})


def test_images_are_scaled_to_fit_the_page_and_never_split():
    nb = notebook(
        markdown("Text before. " * 300),
        code(outputs=[_image_output(3000, 1200)]),
        code(outputs=[_image_output(400, 5000)]),
    )
    with pdfplumber.open(io.BytesIO(export_pdf(nb))) as pdf:
        images = [(page, image) for page in pdf.pages for image in page.images]
        assert len(images) == 2
        for page, image in images:
            assert image["x0"] >= 0.7 * 72 - 1 and image["x1"] <= page.width - 0.7 * 72 + 1
            assert image["top"] >= 0.9 * 72 - 1 and image["bottom"] <= page.height - 0.8 * 72 + 1
        wide = images[0][1]
        assert wide["width"] / wide["height"] == pytest.approx(3000 / 1200, rel=0.02)


def test_no_empty_trailing_page_after_a_final_page_break():
    nb = notebook(
        markdown("# Last words"),
        code(outputs=[_display(report.page_break())]),
        code(tags=["page-break-after"], outputs=[html_output("<p>closing</p>")]),
    )
    pages = pdf_pages_text(export_pdf(nb))
    assert len(pages) == 2 and "closing" in pages[-1]
    nb.cells.append(code(outputs=[_display(report.page_break())]))
    assert len(pdf_pages_text(export_pdf(nb))) == 2


def _display(helper):
    data, metadata = helper._repr_mimebundle_()
    return new_output("display_data", data=data, metadata=metadata)


def test_lists_keep_their_markers_under_the_lean_user_agent_stylesheet():
    from ocx_reports.exporters.engine import compat
    from ocx_reports.exporters.layout import weasy  # noqa: F401 - checks and installs the adaptations

    if not compat.stock_from_env():
        assert compat.installed("lean_ua"), f"the export is slower: {compat.states()['lean_ua']}"
    pdf = export_pdf(notebook(markdown("- first item\n- second item\n\n1. one\n2. two")))
    text = pdf_pages_text(pdf)[0]
    assert text.count("•") == 2 and "1." in text and "2." in text


@pytest.mark.adapted
def test_the_html_parser_builds_each_character_run_pattern_once(monkeypatch):
    """WeasyPrint's HTML parser looks up the pattern for each run of text in a cache that
    never hits in tinyhtml5 2.1.0; ours does, and the parse is the same."""
    import xml.etree.ElementTree as ElementTree

    import tinyhtml5
    from tinyhtml5 import inputstream

    from ocx_reports.exporters.layout import weasy  # noqa: F401 - installs the cache

    html = "<table>" + "".join(f"<tr><td class='n'>{row} &amp; {row}</td><td>a\u00a0b</td></tr>\n" for row in range(300))
    tree = tinyhtml5.parse(html + "</table>")
    compiled = []
    compile_pattern = re.compile
    monkeypatch.setattr(re, "compile", lambda *args: compiled.append(args) or compile_pattern(*args))
    assert ElementTree.tostring(tinyhtml5.parse(html + "</table>")) == ElementTree.tostring(tree)
    assert compiled == []
    monkeypatch.setattr(inputstream, "characters_until_regex", {})  # tinyhtml5's own
    assert ElementTree.tostring(tinyhtml5.parse(html + "</table>")) == ElementTree.tostring(tree)
    assert len(compiled) > 1000
