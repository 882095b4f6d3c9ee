"""The fast PDF paths: parallel layout against serial, long tables, truncation with CSV, the logo drawn once."""

import csv
import gc
import io
import json
import logging
import re

import pdfplumber
import pytest
from helpers import code, export_pdf, html_output, in_new_python, markdown, new_output, notebook, pdf_pages_text
from pypdf import PdfReader

from ocx_reports import report
from ocx_reports.exporters import OneCodexPDFExporter
from ocx_reports.exporters.layout import paginate, weasy
from ocx_reports.exporters.page import sanitize, tables

#: What every page repeats (the running header and footer, the table header), not report text.
FRAME = re.compile(r"Page \d+ of \d+|ocx reports|Center Text \w+ \d+, \d+|NOT FOR DIAGNOSTIC USE|Column 0 Column 1 Column 2")


@pytest.fixture
def small_chunks(monkeypatch):
    """Cut even a short test report into chunks, as a long report would be."""
    monkeypatch.setattr(paginate, "MIN_CHUNK_COST", 500)
    monkeypatch.setattr(paginate, "MAX_CHUNK_COST", 3000)


def _shown(helper):
    data, metadata = helper._repr_mimebundle_()
    return new_output("display_data", data=data, metadata=metadata)


def _table_html(rows, columns=3):
    head = "".join(f"<th>Column {c}</th>" for c in range(columns))
    body = "".join("<tr>" + "".join(f"<td>r{r}c{c}</td>" for c in range(columns)) + "</tr>" for r in range(rows))
    return f'<table class="dataframe"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _report():
    report.reset()
    cells = [
        code(outputs=[_shown(report.cover_sheet("Parallel Report", "Dr. Rivera", "Core", {"Samples": 3}))]),
        code(outputs=[_shown(report.set_center_header("Center Text"))]),
        markdown("# Overview\n\nSee the reference" + " text. " * 20),
        code(outputs=[html_output(f"<p>Cited work{report.reference('Smith J. Gut flora. Nature, 2020.')}.</p>")]),
    ]
    for section in range(1, 7):
        cells.append(markdown(f"## Section {section}\n\n" + f"Paragraph {section} words. " * 120))
        cells.append(markdown(f"### Detail {section}\n\n" + "More detail. " * 40))
    cells.append(markdown("## Full table"))
    cells.append(code(outputs=[html_output(_table_html(260))]))
    cells.append(markdown("## Closing", tags=["page-break-before"]))
    cells.append(code(outputs=[_shown(report.bibliography())]))
    report.reset()
    return notebook(*cells, title="Parallel Report")


def _words(pages):
    return [word for text in pages for word in FRAME.sub("", text).split()]


def _is_subsequence(needle, haystack):
    remaining = iter(haystack)
    return all(word in remaining for word in needle)


def _flat(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flat(item)
        else:
            yield item


@pytest.mark.adapted
def test_parallel_output_has_the_serial_text_in_order_and_right_page_numbers(small_chunks):
    nb = _report()
    serial = pdf_pages_text(export_pdf(nb, workers=1))
    pdf, resources = OneCodexPDFExporter(workers=3).from_notebook_node(nb)
    parallel = pdf_pages_text(pdf)
    assert resources["pdf_chunks"] >= 3
    assert len(serial) <= len(parallel) <= len(serial) + resources["pdf_chunks"]
    assert _is_subsequence(_words(serial), _words(parallel))
    for number, text in enumerate(parallel, start=1):
        assert f"Page {number} of {len(parallel)}" in text
    assert "Center Text" not in parallel[0] and "Parallel Report" in parallel[0]
    assert all("Center Text" in text and "NOT FOR DIAGNOSTIC USE" in text for text in parallel[1:])


def test_parallel_bookmarks_and_links_point_at_their_pages(small_chunks):
    nb = _report()
    serial, parallel = (PdfReader(io.BytesIO(export_pdf(nb, workers=n))) for n in (1, 3))
    titles = [item.title for item in _flat(serial.outline)]
    assert titles == [item.title for item in _flat(parallel.outline)]
    assert "Detail 6" in titles and "Closing" in titles
    for item in _flat(parallel.outline):
        page = parallel.get_destination_page_number(item)
        assert item.title in parallel.pages[page].extract_text()
    # The citation's link crosses chunks: it must still land on the bibliography.
    destinations = parallel.named_destinations
    links = [
        annot.get_object()
        for page in parallel.pages
        for annot in page.get("/Annots", [])
        if annot.get_object().get("/Dest") == "ocx-ref-1"
    ]
    assert len(links) == 1
    target = parallel.get_destination_page_number(destinations["ocx-ref-1"])
    assert "Smith J. Gut flora" in parallel.pages[target].extract_text()


def test_parallel_export_is_byte_identical_under_source_date_epoch(small_chunks, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    nb = _report()
    assert export_pdf(nb, workers=3) == export_pdf(nb, workers=3)


def test_short_report_is_laid_out_in_one_piece():
    html = "head<!--c-->" + "<div class='jp-Cell'><p>text</p></div><!--c-->" * 3 + "</main>"
    assert paginate.split(html, "<!--c-->", "<!--r-->", 4) == [html.replace("<!--c-->", "")]


def test_long_table_columns_line_up_and_the_header_repeats_across_chunks(small_chunks):
    nb = notebook(markdown("# Table"), code(outputs=[html_output(_table_html(400))]))
    pdf = export_pdf(nb, workers=3)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) >= 8
        lefts = {}
        for page in document.pages:
            words = page.extract_words()
            assert any(w["text"] == "Column" for w in words)
            for word in words:
                if re.fullmatch(r"r\d+c\d", word["text"]):
                    lefts.setdefault(word["text"][-1], []).append(word["x0"])
    assert all(max(edges) - min(edges) < 0.05 for edges in lefts.values())  # text, left-aligned: one edge
    rows = re.findall(r"r(\d+)c0\s+r\1c1\s+r\1c2", " ".join(pdf_pages_text(pdf)))
    assert sorted(map(int, rows)) == list(range(400))


def test_max_table_rows_truncates_with_a_note_and_attaches_the_full_table_as_csv():
    nb = notebook(code(outputs=[html_output(_table_html(120).replace("r7c1", "r7c1, &amp; more"))]))
    pdf = export_pdf(nb, max_table_rows=20)
    text = " ".join(pdf_pages_text(pdf))
    assert "Showing the first 20 of 120 rows" in text
    assert "r19c0" in text and "r20c0" not in text
    reader = PdfReader(io.BytesIO(pdf))
    files = [
        annot.get_object()["/FS"]
        for page in reader.pages
        for annot in page.get("/Annots", [])
        if annot.get_object()["/Subtype"] == "/FileAttachment"
    ]
    assert len(files) == 1 and files[0]["/F"] == "table-1.csv"
    rows = list(csv.reader(io.StringIO(files[0]["/EF"]["/F"].get_object().get_data().decode())))
    assert rows[0] == ["Column 0", "Column 1", "Column 2"]
    assert len(rows) == 121
    assert rows[8] == ["r7c0", "r7c1, & more", "r7c2"]
    assert rows[-1] == ["r119c0", "r119c1", "r119c2"]


def test_short_tables_are_left_as_they_are():
    html = _table_html(10)
    assert tables.TablePolicy()(html) == html
    assert tables.RowLimit(20, attach=True).cut(html) == html


@pytest.mark.adapted
def test_header_logo_is_drawn_once_and_placed_on_every_page():
    nb = notebook(markdown("Long text. " * 2500))
    reader = PdfReader(io.BytesIO(export_pdf(nb)))
    assert len(reader.pages) >= 4
    placed = []
    for page in reader.pages:
        content = page.get_contents().get_data().decode("latin-1")
        placed.append(set(re.findall(r"/(\w+) Do", content)))
    common = set.intersection(*placed)
    assert len(common) == 1
    form = reader.pages[0]["/Resources"]["/XObject"][f"/{common.pop()}"].get_object()
    assert form["/Subtype"] == "/Form"
    assert b"Tj" in form.get_data() or b"TJ" in form.get_data()  # the logo's wordmark, drawn once in the form


def test_chunks_start_at_a_forced_page_break_near_the_ideal_cut(monkeypatch):
    monkeypatch.setattr(paginate, "MIN_CHUNK_COST", 10)
    cell = "<div class='jp-Cell'>" + "<p>x</p>" * 50 + "</div>"
    forced = '<div class="jp-Cell celltag_page-break-before">' + "<p>y</p>" * 50 + "</div>"

    def second_chunk(forced_at):
        units = [forced if i == forced_at else cell for i in range(20)]  # the ideal cut is before unit 10
        html = "<html><main>" + "".join(f"<!--c-->{u}" for u in units) + "<!--c--></main></html>"
        first, second = paginate.split(html, "<!--c-->", "<!--r-->", 2)
        assert first.endswith("</main></html>") and first.count("jp-Cell") + second.count("jp-Cell") == 20
        return second[len("<html><main>") :]

    assert second_chunk(9).startswith(forced)  # one unit early: within the slack, it wins
    assert second_chunk(12).startswith(cell)  # two units late: too far, the ideal cut stands
    assert second_chunk(12).count("jp-Cell") == 10


def _dataframe_html(rows, first=0, extra=0):
    """A long table as pandas writes a DataFrame: an index column, numbers, names, and
    ``extra`` more number columns (9 columns or more print smaller, 15 or more smaller still)."""
    genera = ["Bacteroides", "Faecalibacterium", "Bifidobacterium", "Akkermansia", "Prevotella"]
    body = "".join(
        f"<tr><th>{first + r}</th><td>S{r:03d}</td><td>{genera[r % 5]}</td><td>{(r * 7919) % 99991}</td>"
        f"<td>0.{r:05d}</td><td>species</td>" + "".join(f"<td>{(r * k) % 97}</td>" for k in range(extra)) + "</tr>"
        for r in range(rows)
    )
    names = ["", "sample", "genus", "reads", "abundance", "rank"] + [f"q{k}" for k in range(extra)]
    head = "".join(f"<th>{name}</th>" for name in names)
    return f'<table border="1" class="dataframe"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


@pytest.mark.parametrize("as_lines", [True, False])
def test_long_table_values_never_wrap_at_their_computed_widths(as_lines):
    nb = notebook(code(outputs=[html_output(_dataframe_html(80, first=10000))]))
    text = " ".join(pdf_pages_text(export_pdf(nb, long_tables_as_lines=as_lines)))
    assert "sample genus reads abundance rank" in text
    assert len(re.findall(r"\b1\d{4}\s+S\d{3}\s+[A-Za-z]+\s+\d+\s+0\.\d{5}\s+species\b", text)) == 80


def _page_words(page):
    words = page.extract_words(extra_attrs=["fontname"])
    for word in words:
        word["face"] = word["fontname"].split("+")[-1]  # without the subset's prefix
    return sorted(words, key=lambda word: (round(word["top"]), word["x0"]))


SIZES = {"regular": 0, "ocx-wide": 4, "ocx-very-wide": 10}  # extra columns for each size class


def _prints_like_cells(nb, **traits) -> bytes:
    """Export ``nb`` with long tables as lines and as cells; check they print alike
    (the same words on each page, where cells put them); the PDF of lines."""
    lines, cells = (export_pdf(nb, long_tables_as_lines=on, **traits) for on in (True, False))
    with pdfplumber.open(io.BytesIO(lines)) as drawn, pdfplumber.open(io.BytesIO(cells)) as reference:
        assert len(drawn.pages) == len(reference.pages) >= 3
        for page, expected in zip(drawn.pages, reference.pages):
            words, expected_words = _page_words(page), _page_words(expected)
            # The same rows on each page, in the same faces.
            assert [(w["text"], w["face"]) for w in words] == [(w["text"], w["face"]) for w in expected_words]
            # Each value's aligned edge (the right one, for numbers) where the cell puts it; its
            # other edge within the kerning that cells apply and lines do not.
            edges = [sorted([abs(w["x0"] - e["x0"]), abs(w["x1"] - e["x1"])]) for w, e in zip(words, expected_words)]
            assert max(aligned for aligned, _ in edges) < 0.1 and max(other for _, other in edges) < 1
            assert max(abs(w["top"] - e["top"]) for w, e in zip(words, expected_words)) < 1
    return lines


@pytest.mark.parametrize("size", list(SIZES))
def test_long_table_as_lines_prints_like_the_table_of_cells(size):
    html = _dataframe_html(230, extra=SIZES[size]).replace("<td>S007", "<td>S00\n   7")  # white space: one space
    assert "ocx-row-lines" in tables.TablePolicy(as_lines=True)(sanitize.mark_wide_tables(html))  # as exported
    lines = _prints_like_cells(notebook(markdown("# Table\n\nSome words first."), code(outputs=[html_output(html)])))
    # Each line is one row of text, in order, for text extraction too.
    rows = [re.sub(r"\s+", " ", line) for text in pdf_pages_text(lines) for line in text.splitlines()]
    assert any(row.startswith("30 S030 Bacteroides 37588 0.00030 species") for row in rows)


@pytest.mark.parametrize("page_size", ["letter", "a4"])
def test_long_table_as_lines_with_empty_and_unusual_values_breaks_pages_like_cells(page_size):
    """Empty cells, NaN, negative numbers, entities, non-ASCII; and a page may end after
    any row, also just before a new row group (here after row 99, on letter paper)."""
    body = "".join(
        f"<tr><th>{'' if r % 7 == 0 else r}</th><td>{'' if r % 5 == 0 else 'NaN' if r % 3 == 0 else -r * 1.5}</td>"
        f"<td>µg &amp; &lt;x&gt; {r}</td><td>{'' if r % 4 == 0 else 'Ω'}</td></tr>"
        for r in range(120)
    )
    head = "<tr><th></th><th>value</th><th>unit</th><th>sym</th></tr>"
    html = f'<table border="1" class="dataframe"><thead>{head}</thead><tbody>{body}</tbody></table>'
    assert "ocx-row-lines" in tables.TablePolicy(as_lines=True)(html)
    _prints_like_cells(notebook(markdown("# Edge"), code(outputs=[html_output(html)])), page_size=page_size)


@pytest.mark.parametrize("size", list(SIZES))
def test_long_table_as_lines_stripes_every_second_row_across_pages(size):
    html = _dataframe_html(230, extra=SIZES[size])
    nb = notebook(markdown("# Table\n\nSome words first."), code(outputs=[html_output(html)]))
    pdf = export_pdf(nb)
    laid_out = tables.TablePolicy(as_lines=True)(sanitize.mark_wide_tables(html))  # as the exporter does
    assert "ocx-row-lines" in laid_out and (size == "regular" or f'class="{size} ' in laid_out)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        checked = 0
        for page in document.pages:
            image = page.to_image(resolution=144).original.convert("L")
            index = [w for w in page.extract_words() if w["text"].isdigit() and w["x0"] < 80]
            for word in index:
                middle = (word["top"] + word["bottom"]) / 2
                shade = image.getpixel((round((word["x0"] - 1) * 2), round(middle * 2)))
                # The stylesheet shades every second row (#f6f9fa), starting with the second.
                assert (shade < 252) == (int(word["text"]) % 2 == 1), (word["text"], shade)
                checked += 1
    assert checked == 230


def test_a_pandas_styler_table_prints_as_lines_unless_a_stylesheet_styles_it():
    """A Styler's table gives every cell an id and classes, which only a stylesheet naming
    the table's id can style: unstyled, it prints as lines, like its cells (index included)."""
    import pandas as pd

    frame = pd.DataFrame(
        {"sample": [f"S{r:03d}" for r in range(120)], "site": ["stool", "saliva"] * 60, "reads": range(0, 12000, 100)}
    )
    policy = tables.TablePolicy(as_lines=True)
    plain = frame.style.to_html()
    assert 'id="T_' in plain and "ocx-row-lines" in policy(plain)
    _prints_like_cells(notebook(markdown("# Styler"), code(outputs=[html_output(plain)])))
    styled = frame.style.highlight_max(subset=["reads"]).to_html()
    assert "ocx-row-lines" not in policy(styled)
    table_id = re.search(r'<table id="(T_\w+)"', plain).group(1)
    elsewhere = f"<style>#{table_id} td {{ color: red; }}</style>"
    assert "ocx-row-lines" not in policy(elsewhere + plain)  # a stylesheet in another output


def test_lines_are_text_in_the_report_fonts_sharing_one_subset_per_face():
    """The layout draws the lines' values itself (``tablelines``): as text, the index in the
    header cells' semibold and the values in the regular face, through the same embedded
    font subsets as the report's other text."""
    nb = notebook(markdown("Some *words* first."), code(outputs=[html_output(_dataframe_html(120))]))
    pdf = export_pdf(nb)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        words = [w for page in document.pages for w in page.extract_words(extra_attrs=["fontname"])]
    index = [w for w in words if w["text"].isdigit() and w["x0"] < 80]
    values = [w for w in words if w["text"] in ("S007", "Bacteroides", "species")]
    assert len(index) == 120 and {w["fontname"].split("+")[-1] for w in index} == {"Source-Sans-Pro-Semi-Bold"}
    assert len(values) == 145 and {w["fontname"].split("+")[-1] for w in values} == {"Source-Sans-Pro"}
    faces: dict[str, set] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            faces.setdefault(font.get_object()["/BaseFont"].split("+")[-1], set()).add(font.idnum)
    assert len(faces) >= 3 and all(len(fonts) == 1 for fonts in faces.values()), faces


@pytest.mark.adapted
def test_a_lines_value_its_font_cannot_draw_stops_the_layout_with_one_line(tmp_path):
    """The exporter makes lines only of characters the report font draws alone; should a
    value reach the layout with one it cannot (a notebook's stylesheet giving tables
    another font), the export stops with a clear error, not a wrong or missing glyph."""
    from ocx_reports.exporters.errors import ReportError
    from ocx_reports.exporters.page.urlpolicy import URLPolicy

    def lines_table(value):
        return (
            '<table class="ocx-row-lines"><tbody><tr><td data-ocx-columns="0.7 5.0">'
            f'<div data-row="{value}"></div></td></tr></tbody></table>'
        )

    policy = URLPolicy(tmp_path, logging.getLogger(__name__))
    assert "S007" in pdf_pages_text(weasy.render_pdf(lines_table("S007"), policy))[0]
    for value in ("S\u4e2d07", "e\u0301"):  # a character no report face has; a combining mark
        with pytest.raises(ReportError, match="long_tables_as_lines=False"):
            weasy.render_pdf(lines_table(value), policy)


def test_short_plain_tables_are_laid_out_as_lines_too():
    """From four body rows a DataFrame prints as lines (it skips the automatic layout's
    measuring): the same words in the same rows as its automatically laid out cells, each
    row at the same height; the k-th column's aligned edge at most k x 2.5pt further right (each
    column has 0.25 em of slack, 2.1pt, and digits are measured at the widest digit's width)."""
    policy = tables.TablePolicy(as_lines=True)
    assert "ocx-row-lines" in policy(_dataframe_html(tables.LINES_MIN_ROWS))
    short = _dataframe_html(tables.LINES_MIN_ROWS - 1)
    assert policy(short) == tables.align_numbers(short) != short  # cells, their numbers aligned
    marked = _dataframe_html(8).replace("S003", "<b>S003</b>")
    tables._advances.cache_clear()
    assert policy(marked) == tables.align_numbers(marked)  # short and not plain: left to the automatic layout,
    assert tables._advances.cache_info().misses == 0  # without loading the font's metrics
    nb = notebook(markdown("# Tables"), *[code(outputs=[html_output(_dataframe_html(8, first=10 * k))]) for k in range(3)])
    lines, cells = (export_pdf(nb, long_tables_as_lines=on) for on in (True, False))
    with pdfplumber.open(io.BytesIO(lines)) as drawn, pdfplumber.open(io.BytesIO(cells)) as reference:
        assert len(drawn.pages) == len(reference.pages)
        for page, expected in zip(drawn.pages, reference.pages):
            words, expected_words = _page_words(page), _page_words(expected)
            assert [w["text"] for w in words] == [w["text"] for w in expected_words]
            assert max(abs(w["top"] - e["top"]) for w, e in zip(words, expected_words)) < 1
            column = 0
            for index, (word, cell) in enumerate(zip(words, expected_words)):
                column = column + 1 if index and round(word["top"]) == round(words[index - 1]["top"]) else 1
                # Numbers (and their headers) align right, at most the slack of the columns up to
                # theirs further right (the header row's words start in the second column); text
                # aligns left, at most the slack of the columns before it.
                if re.fullmatch(r"[\d.]+|reads|abundance", word["text"]):
                    assert -0.1 < word["x1"] - cell["x1"] < 2.5 * (column + 1), (word["text"], column)
                else:
                    assert -0.1 < word["x0"] - cell["x0"] < 2.5 * column, (word["text"], column)
    assert "S003" in pdf_pages_text(lines)[0]


def test_tables_that_are_not_plain_text_keep_their_cells():
    policy = tables.TablePolicy(as_lines=True)
    assert "ocx-row-lines" in policy(_dataframe_html(80))
    unplain = {
        "markup in a value": _dataframe_html(80).replace("S003", "<b>S003</b>"),
        "a character the font lacks": _dataframe_html(80).replace("S003", "S\u4e2d03"),
        "a combining mark, drawn with its neighbour": _dataframe_html(80).replace("S003", "Se\u030103"),
        "a soft hyphen, drawn only where a line breaks": _dataframe_html(80).replace("S003", "S0\u00ad03"),
        "a cell with attributes": _dataframe_html(80).replace("<td>S003", '<td class="x">S003'),
        "a table with its own class": _dataframe_html(80).replace('class="dataframe"', 'class="dataframe mine"'),
        "wider than the page": _dataframe_html(80).replace("species", "species " * 40),
    }
    for reason, html in unplain.items():
        assert "ocx-row-lines" not in policy(html), reason


#: Exports the chunked test report and a short one, recording in the file ``argv[1]`` the
#: process and the collector's threshold each time WeasyPrint lays out (in the layout service
#: and its chunk processes, forked from this script after the change), and prints its own
#: process and whether its threshold is as it was.
_THRESHOLDS = """
import gc, os, sys
import weasyprint
from helpers import export_pdf, markdown, notebook
from test_parallel_pdf import _report
from ocx_reports.exporters.layout import paginate

paginate.MIN_CHUNK_COST, paginate.MAX_CHUNK_COST = 500, 3000
render = weasyprint.HTML.render

def recording(self, *args, **kw):
    with open(sys.argv[1], "a") as log:
        log.write(f"{os.getpid()} {gc.get_threshold()[0]}\\n")
    return render(self, *args, **kw)

weasyprint.HTML.render = recording
before = gc.get_threshold()
export_pdf(_report())
export_pdf(notebook(markdown("A short report.")))
print(os.getpid(), before == gc.get_threshold())
"""


@pytest.mark.adapted
def test_layout_runs_with_fewer_collections_and_leaves_the_exporter_s_collector_alone(tmp_path):
    seen = tmp_path / "thresholds"
    result = in_new_python(_THRESHOLDS, str(seen))
    exporter, unchanged = result.stdout.split()
    assert unchanged == "True", result.stderr[-3000:]
    layouts = [line.split() for line in seen.read_text().splitlines()]  # the warm-up, the chunks, the short report
    assert len(layouts) >= 4 and {threshold for _, threshold in layouts} == {str(weasy.LAYOUT_GC_THRESHOLD)}
    assert exporter not in {process for process, _ in layouts}  # WeasyPrint never ran in the exporter's process


#: Exports the chunked test report twice, writing a line to the file ``argv[1]`` each time a
#: process sets WeasyPrint up.
_WARM_UPS = """
import sys
from helpers import export_pdf, pdf_pages_text
from test_parallel_pdf import _report
from ocx_reports.exporters.layout import paginate, selftest

paginate.MIN_CHUNK_COST, paginate.MAX_CHUNK_COST = 500, 3000
run = selftest.run

def recording(policy, css):
    with open(sys.argv[1], "a") as log:
        log.write("warmed up\\n")
    return run(policy, css)

selftest.run = recording
first, second = export_pdf(_report()), export_pdf(_report())
print(pdf_pages_text(first) == pdf_pages_text(second))
"""


def test_chunks_inherit_weasyprint_warmed_up_once_in_the_layout_service(tmp_path):
    warm_ups = tmp_path / "warm-ups"
    result = in_new_python(_WARM_UPS, str(warm_ups))
    assert result.stdout.strip() == "True", result.stderr[-3000:]
    assert warm_ups.read_text().splitlines() == ["warmed up"]


def test_layouts_in_threads_of_a_layout_process_restore_the_collector_when_the_last_one_ends(monkeypatch):
    monkeypatch.setattr(weasy, "_collections", weasy._Collections(ours=True))
    before = gc.get_threshold()
    first, second = weasy.fewer_collections(), weasy.fewer_collections()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # ends before the other, as threads may
    assert gc.get_threshold()[0] == weasy.LAYOUT_GC_THRESHOLD
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before


def test_a_layout_in_the_exporter_s_process_leaves_its_collector_alone():
    before = gc.get_threshold()
    with weasy.fewer_collections():
        assert gc.get_threshold() == before


def test_column_widths_read_the_font_metrics_without_leaving_the_font_file_open():
    import warnings

    tables._advances.cache_clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        assert tables.text_width("Bacteroides") > 0 and tables.text_width("reads", bold=True) > 0
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_font_advances_are_kept_in_the_user_cache_between_exports(tmp_path, monkeypatch):
    from ocx_reports.exporters.page import assets, fontmetrics

    font = assets.font_dir() / "SourceSansPro-Regular.otf"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    read = fontmetrics._read
    widths = fontmetrics.advances(font)
    assert widths == read(font) and 0.4 < widths["n"] < 0.6
    (cached,) = (tmp_path / "cache" / "ocx-reports").glob("advances-*SourceSansPro-Regular*.json")
    monkeypatch.setattr(fontmetrics, "_read", lambda path: pytest.fail("read the font again"))
    assert fontmetrics.advances(font) == widths  # from the cache
    cached.write_text("{not json")
    monkeypatch.setattr(fontmetrics, "_read", read)
    assert fontmetrics.advances(font) == widths and json.loads(cached.read_text()) == widths  # read afresh, rewritten
    monkeypatch.setenv("XDG_CACHE_HOME", str(cached))  # a file where the cache folder would be
    assert fontmetrics.advances(font) == widths
