"""Tables made cheap to print: long ones get fixed column widths, row groups and optional
truncation; plain-text ones become lines that the layout draws itself. In every table, of
both reports, the numeric columns (``numbers``) align right.

WeasyPrint's automatic table layout measures every cell twice (its narrowest
and widest text) before it lays the cell out once more; on a 3,000-row table
that is a third of the table's time. A long table here gets the widths that
measuring would find, computed from the report font's advance widths, and
``table-layout: fixed``: the same columns, each cell shaped once.

Its rows are also grouped into ``<tbody>`` blocks with a marker between
them, so parallel layout (``layout/paginate.py``) can start a chunk in the middle of
the table, repeating the header the way a page break does. An even group
size keeps the zebra striping (``nth-child(even)``) unchanged.

A table of plain text (a pandas DataFrame, say) goes further, from
``LINES_MIN_ROWS`` body rows on (a pandas Styler's table too, when no
stylesheet names its id): its body rows become lines, one empty block of the
line's height per row and one table row per row group. WeasyPrint only
stacks, stripes (the stylesheet) and breaks those blocks, and the layout
draws each line's values itself when WeasyPrint paints the cell
(``layout/tablelines.py``), each value at its column's edge: the large benchmark's
3,000-row table lays out in about a third of the time it took as lines of
text. The header stays a real table header, repeated on every page; the
columns line up within 0.1pt of where cells would put them; text extraction
reads a row per line.
``long_tables_as_lines=False`` keeps one table cell per value.

``max_table_rows`` cuts a longer table short with a note (``RowLimit``), in
the notebook's HTML before the sanitizer builds a tree of it (500,000 rows took
780 MiB there); in the PDF the note links the whole table as a CSV file
attached to the PDF.

The final HTML is well formed (templates plus the sanitizer's serializer),
so tables are found with regular expressions; a table with merged cells or
a nested table is left as it is.
"""

from __future__ import annotations

import base64
import csv
import html as htmllib
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import dropwhile

from ..contracts import (
    COVER_DETAILS_CLASS,
    LINE_ROW_ATTRIBUTE,
    LINE_SHADED_ROW_ATTRIBUTE,
    LINES_COLUMNS_ATTRIBUTE,
    LONG_TABLE_CLASS,
    NUMERIC_CLASS,
    PRINTABLE_WIDTH_PX,
    ROW_LINES_CLASS,
    TABLE_NOTE_CLASS,
    TABLE_TYPE_PT,
    TABLE_WIDTH_PROPERTY,
    VERY_WIDE_CLASS,
    WIDE_CLASS,
)
from ..layout import tablelines
from . import assets, fontmetrics
from .numbers import numeric_columns

#: From this many body rows a table is laid out with fixed column widths.
LONG_TABLE_ROWS = 60
#: From this many body rows a plain-text table is laid out as lines (when that is on).
LINES_MIN_ROWS = 4
#: Rows per ``<tbody>`` group: where a chunk of parallel layout may start. Even, so the
#: stripes on every second row run on across groups (a table laid out as lines has one
#: table row per group).
ROW_GROUP = 50
#: The stylesheet's table cell padding (6pt each side) at its 8.5pt font size, plus
#: room for the collapsed borders and rounding: a column exactly as wide as its
#: widest text breaks that text.
CELL_PADDING_EM = 12 / 8.5 + 0.25
_TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
_THEAD = re.compile(r"<thead\b[^>]*>.*?</thead>", re.S)
_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S)
_CELL = re.compile(r"<(t[dh])\b[^>]*>(.*?)</t[dh]>", re.S)
_CELL_START = re.compile(r"<t[dh]\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")
_SPANS = re.compile(r"\b(?:col|row)span\s*=\s*[\"']?(?!1\b)\d")
_HTML_SPACES = re.compile(r"[ \t\n\r\f]+")
_CLASS = re.compile(r"""\bclass\s*=\s*(["'])(.*?)\1""", re.S)
#: A body row of bare cells holding only text: what a table laid out as lines may have.
_PLAIN_ROW = re.compile(r"<tr>(?:\s*<t[dh]>[^<]*</t[dh]>)*\s*</tr>")
#: The same, with the ids and classes pandas' Styler gives its cells (``T_<uuid>_row0_col0``,
#: ``data row0 col0``, ``row_heading level0 row0``), which only a stylesheet naming the
#: table's id styles.
_STYLER_ROW = re.compile(
    r"""<tr>(?:\s*<t[dh](?:\s+id="T_\w+"|\s+class="(?:data|row_heading|(?:row|col|level)\d+| )*")*\s*>[^<]*</t[dh]>)*\s*</tr>"""
)
#: The attributes a table laid out as lines may have: what pandas writes (a Styler's table
#: has an id), and our size classes.
_PLAIN_TABLE = re.compile(
    rf"""(?:\s+(?:border="\d*"|class="(?:dataframe|{WIDE_CLASS}|{VERY_WIDE_CLASS}| )*"|id="(T_\w+)"))*\s*"""
)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S)
#: Rows and cells in a notebook's HTML, before the sanitizer writes it in lower case.
_ANY_CASE_ROW = re.compile(r"<tr\b[^>]*>.*?</tr\s*>", re.S | re.I)
_ANY_CASE_CELL = re.compile(r"<(t[dh])\b[^>]*>(.*?)</t[dh]\s*>", re.S | re.I)
_ROW_START = re.compile(r"<tr\b", re.I)
_TABLE_TAG = re.compile(r"<(/?)(table|thead|tfoot|tr)\b", re.I)


class TablePolicy:
    """Rewrites the long tables of a report's HTML."""

    def __init__(self, rows_mark: str = "", as_lines: bool = False, page_size: str = "letter"):
        self.rows_mark = rows_mark
        self.as_lines = as_lines
        self.printable_pt = PRINTABLE_WIDTH_PX[page_size] * 0.75
        self._styles = ""  # the report's stylesheets, where a Styler's table id may be named

    def __call__(self, html: str) -> str:
        self._styles = "".join(_STYLE.findall(html))
        return _TABLE.sub(self._table, html)

    def _plain(self, attrs: str, rows: list[str]) -> bool:
        """Whether a table's attributes and body rows allow it to be laid out as lines: bare
        cells, or a pandas Styler's that no stylesheet styles (none names its id)."""
        table = _PLAIN_TABLE.fullmatch(attrs) if self.as_lines else None
        if table is None:
            return False
        styler_id = table.group(1)
        if styler_id and styler_id not in self._styles:
            return all(_STYLER_ROW.fullmatch(row) for row in rows)
        return all(_PLAIN_ROW.fullmatch(row) for row in rows)

    def _table(self, match: re.Match) -> str:
        found = _parsed(match)
        if found is None:
            return match.group(0)
        attrs, head, rows, table, numeric = found
        aligned = _aligner(numeric)
        if len(rows) < min(LONG_TABLE_ROWS, LINES_MIN_ROWS):
            return _aligned_table(match, aligned)
        # Structure first (cheap): a short table that cannot become lines keeps its cells,
        # without reading the font's metrics.
        plain = self._plain(attrs, rows)
        if len(rows) < (LINES_MIN_ROWS if plain else LONG_TABLE_ROWS):
            return _aligned_table(match, aligned)
        widths = column_widths(head, table)
        lines = self._lines(attrs, table, widths, numeric) if plain else None
        if not lines and len(rows) < LONG_TABLE_ROWS:
            return _aligned_table(match, aligned)  # short, and not in the report font or too wide for lines
        if lines:
            placement, body_lines = lines
            groups = [
                _lines_row(body_lines[i : i + ROW_GROUP], len(widths), placement)
                for i in range(0, len(body_lines), ROW_GROUP)
            ]
        else:
            groups = [aligned("".join(rows[i : i + ROW_GROUP])) for i in range(0, len(rows), ROW_GROUP)]
        # A mark after the header and between row groups: where a chunk may resume the table.
        rows_html = self.rows_mark + self.rows_mark.join(f"<tbody>{group}</tbody>" for group in groups)
        kind = f"{LONG_TABLE_CLASS} {ROW_LINES_CLASS}" if lines else LONG_TABLE_CLASS
        return f"<table{_fixed(attrs, widths, kind)}>{_colgroup(widths)}{aligned(head)}{rows_html}</table>"

    def _lines(
        self, attrs: str, table: list, widths: list[float], numeric: list[bool]
    ) -> tuple[str, list[str]] | None:
        """The cell attribute that places a table's values (``tablelines.columns_attribute``)
        and each body row as a line (see ``_line``), for a table of bare cells (``table``:
        their cells; ``numeric``: which columns align right); None when the table is not
        plain enough to be laid out as lines."""
        found = _CLASS.search(attrs)
        classes = found.group(2).split() if found else []
        size = next(name for name in TABLE_TYPE_PT if not name or name in classes)
        font_pt, padding_pt = TABLE_TYPE_PT[size]
        if sum(widths) * font_pt > self.printable_pt:
            return None  # a narrower table would wrap its text
        table = [[(tag, _HTML_SPACES.sub(" ", text)) for tag, text in cells] for cells in table]  # as cells show it
        tags = [tag for tag, _ in table[0]]
        if len(tags) != len(widths) or any([tag for tag, _ in cells] != tags for cells in table):
            return None
        if not all(_drawable(text, tag == "th") for cells in table for tag, text in cells):
            return None  # another font would draw it, at widths we cannot know
        columns = tablelines.columns_attribute(padding_pt / font_pt, widths, numeric, [tag == "th" for tag in tags])
        return columns, [_line(cells, row % 2 == 1) for row, cells in enumerate(table)]


def align_numbers(html: str) -> str:
    """``html`` with the cells of each table's numeric columns (``page.numbers``) marked to
    align right, header cells too: the HTML report's tables (``TablePolicy`` does it for the PDF's)."""

    def table(match: re.Match) -> str:
        found = _parsed(match)
        return match.group(0) if found is None else _aligned_table(match, _aligner(found[-1]))

    return _TABLE.sub(table, html)


def _parsed(match: re.Match):
    """(attributes, header, body rows, their cells, numeric columns) of a table found by
    ``_TABLE``; None for a table with merged cells, a nested table or a cover's project
    details, left as they are."""
    attrs, inner = match.groups()
    if "<table" in inner or _SPANS.search(inner) or COVER_DETAILS_CLASS in attrs:
        return None
    thead = _THEAD.search(inner)
    head = thead.group(0) if thead else ""
    rows = _ROW.findall(inner[thead.end():] if thead else inner)
    table = [_cells(row) for row in rows]
    # A table without <thead> may start with a row of header cells: not values.
    values = table if thead else list(dropwhile(lambda cells: all(tag == "th" for tag, _ in cells), table))
    return attrs, head, rows, table, numeric_columns([[text for _, text in cells] for cells in values])


def _aligner(numeric: list[bool]):
    """What marks the cells of the ``numeric`` columns in rows of a table's HTML, by position."""
    if not any(numeric):
        return lambda html: html

    def row(found: re.Match) -> str:
        columns = iter(numeric)

        def cell(start: re.Match) -> str:
            return _with_class(start.group(0), NUMERIC_CLASS) if next(columns, False) else start.group(0)

        return _CELL_START.sub(cell, found.group(0))

    return lambda html: _ROW.sub(row, html)


def _aligned_table(match: re.Match, aligned) -> str:
    """The table found by ``_TABLE``, its rows passed through ``aligned`` (``_aligner``)."""
    attrs, inner = match.groups()
    marked = aligned(inner)
    return match.group(0) if marked is inner else f"<table{attrs}>{marked}</table>"


def _with_class(tag: str, name: str) -> str:
    """A start tag (or a table's attributes) with the class ``name`` added."""
    found = _CLASS.search(tag)
    if found:
        return tag[: found.start(2)] + found.group(2) + f" {name}" + tag[found.end(2) :]
    at = len(tag) - 1 if tag.endswith(">") else len(tag)
    return f'{tag[:at]} class="{name}"{tag[at:]}'


def _cells(row: str) -> list[tuple[str, str]]:
    """(tag, text) of each cell of a row."""
    return [(tag, htmllib.unescape(_TAG.sub("", content)).strip()) for tag, content in _CELL.findall(row)]


def _lines_row(lines: list[str], columns: int, placement: str) -> str:
    """A table row holding one line per body row, and how to place their values."""
    return f'<tr><td colspan="{columns}" {LINES_COLUMNS_ATTRIBUTE}="{placement}">' + "".join(lines) + "</td></tr>"


def _line(cells: list[tuple[str, str]], shaded: bool) -> str:
    """One body row as an empty block that carries its values (tab-separated); every second
    one is shaded."""
    name = LINE_SHADED_ROW_ATTRIBUTE if shaded else LINE_ROW_ATTRIBUTE
    values = htmllib.escape("\t".join(text for _, text in cells))
    return f'<div {name}="{values}"></div>'


def _drawable(text: str, bold: bool) -> bool:
    """Whether the report font has every character of ``text``, each drawn alone as one glyph."""
    advances, _ = _advances(bold)
    return all(char in advances and _alone(char) for char in text)


@lru_cache(maxsize=1024)
def _alone(char: str) -> bool:
    """Letters, digits, punctuation, symbols and spaces: no combining marks, controls or
    line separators, whose glyphs depend on their neighbours or break the line."""
    category = unicodedata.category(char)
    return category[0] in "LNPS" or category == "Zs"


def table_csv(table: str) -> str:
    """A table's HTML, as the notebook has it, as CSV: every row in order (header rows
    first, index cells included)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in _ANY_CASE_ROW.findall(table):
        writer.writerow(htmllib.unescape(_TAG.sub("", text)).strip() for _, text in _ANY_CASE_CELL.findall(row))
    return out.getvalue()


def column_widths(head: str, table: list[list[tuple[str, str]]]) -> list[float]:
    """Each column's widest text in em (report font, header cells semibold), plus padding;
    ``table``: the body rows' cells (``_cells``)."""
    widths: list[float] = []
    for cells in [_cells(row) for row in _ROW.findall(head)] + table:
        for index, (tag, text) in enumerate(cells):
            width = text_width(text, bold=tag == "th") + CELL_PADDING_EM
            if index == len(widths):
                widths.append(width)
            elif width > widths[index]:
                widths[index] = width
    return widths


def _fixed(attrs: str, widths: list[float], kind: str) -> str:
    """The table's attributes plus the classes of its ``kind`` and its natural width."""
    return f'{_with_class(attrs, kind)} style="{TABLE_WIDTH_PROPERTY}: {sum(widths):.2f}em"'


def _colgroup(widths: list[float]) -> str:
    """Column widths as shares of the table, which is its natural width or the page's, if less."""
    total = sum(widths)
    return "<colgroup>" + "".join(f'<col style="width: {100 * w / total:.3f}%">' for w in widths) + "</colgroup>"


def text_width(text: str, bold: bool = False) -> float:
    """Advance width of ``text`` in em, from the report font's metrics (kerning ignored)."""
    advances, default = _advances(bold)
    try:
        return sum(map(advances.__getitem__, text))  # 3x a generator's speed; 0.5M characters on a long table
    except KeyError:  # a character the font lacks
        return sum(advances.get(char, default) for char in text)


@lru_cache(maxsize=2)
def _advances(bold: bool) -> tuple[dict[str, float], float]:
    """Character -> advance in em for the regular or semibold face; digits at their widest
    (tables print tabular figures)."""
    path = assets.font_dir() / ("SourceSansPro-Semibold.otf" if bold else "SourceSansPro-Regular.otf")
    advances = dict(fontmetrics.advances(path))
    digit = max(advances.get(d, 0.5) for d in "0123456789")
    advances.update(dict.fromkeys("0123456789", digit))
    return advances, advances.get("n", 0.5)


@dataclass
class _OpenTable:
    start: int
    rows: int = 0  # body rows so far
    heading: bool = False  # in its <thead> or <tfoot>
    cut: int = -1  # where its first row past the limit starts


class RowLimit:
    """Cuts each table of notebook HTML to its first ``max_rows`` body rows (0: no limit),
    before the sanitizer builds a tree of it, and puts a note after it: how many rows were
    left out, or with ``attach`` (the PDF) a link to the whole table as a CSV file attached
    to the PDF. One per rendering of a report, which numbers the files.

    The cut is made in the notebook's HTML as it is (any case, any attributes), so only
    outermost tables are cut; the sanitizer then closes what the cut left open. The note
    goes in as a paragraph holding an unguessable mark (no notebook can write it), which
    ``noted`` replaces with the note once the HTML is clean: the CSV link is the report's
    own, so it must not be sanitized away as a notebook's would be.
    """

    def __init__(self, max_rows: int, attach: bool):
        self.max_rows = max_rows
        self.attach = attach
        self.mark = f"ocx-table-note-{secrets.token_hex(8)}-"
        self.notes: list[str] = []

    def cut(self, html: str) -> str:
        """``html`` with the rows past the limit left out of each table, and a note's mark after it."""
        if not self.max_rows or len(_ROW_START.findall(html)) <= self.max_rows:
            return html
        out, done, open_tables = [], 0, []
        for tag in _TABLE_TAG.finditer(html):
            closing, name = tag.group(1), tag.group(2).lower()
            if name == "table" and not closing:
                open_tables.append(_OpenTable(tag.start()))
            elif name == "table" and open_tables:
                table = open_tables.pop()
                if not open_tables and table.cut >= 0:
                    out.append(html[done : table.cut] + "</table>" + self._note(html[table.start : tag.start()], table))
                    done = html.find(">", tag.end()) + 1 or len(html)
            elif open_tables and name != "tr":
                open_tables[-1].heading = not closing
            elif open_tables and not closing and not open_tables[-1].heading:
                table = open_tables[-1]
                table.rows += 1
                if table.rows == self.max_rows + 1:
                    table.cut = tag.start()
        if open_tables and open_tables[0].cut >= 0:  # the fragment ends inside a long table
            table = open_tables[0]
            out.append(html[done : table.cut] + "</table>" + self._note(html[table.start :], table))
            done = len(html)
        return "".join(out) + html[done:]

    def _note(self, table_html: str, table: _OpenTable) -> str:
        """The mark of the note for a table cut short (``table_html``: all of it)."""
        number = len(self.notes) + 1
        shown = f"Showing the first {self.max_rows:,} of {table.rows:,} rows"
        if self.attach:
            name = f"table-{number}.csv"
            href = "data:text/csv;base64," + base64.b64encode(table_csv(table_html).encode()).decode()
            note = (
                f'{shown}. The full table is attached to this PDF: <a rel="attachment" href="{href}" '
                f'download="{name}">{name}</a>.'
            )
        else:
            note = f"{shown}; the other {table.rows - self.max_rows:,} are left out of this report (max_table_rows)."
        self.notes.append(note)
        return f'<p class="{TABLE_NOTE_CLASS}">{self.mark}{number}</p>'

    def noted(self, cleaned: str) -> str:
        """Sanitized HTML with each note's mark replaced by the note."""
        if not self.notes or self.mark not in cleaned:
            return cleaned
        return re.sub(re.escape(self.mark) + r"(\d+)", lambda found: self.notes[int(found.group(1)) - 1], cleaned)
