"""Long tables, made cheap to print: fixed column widths, row groups, optional truncation.

WeasyPrint's automatic table layout measures every cell twice (its narrowest
and widest text) before it lays the cell out once more; on a 3,000-row table
that is a third of the table's time. A long table here gets the widths that
measuring would find, computed from the report font's advance widths, and
``table-layout: fixed``: the same columns, each cell shaped once.

Its rows are also grouped into ``<tbody>`` blocks with a marker between
them, so parallel layout (``paginate.py``) can start a chunk in the middle of
the table, repeating the header the way a page break does. An even group
size keeps the zebra striping (``nth-child(even)``) unchanged.

``max_table_rows`` cuts a longer table short with a note, and the note links
the whole table as a CSV file attached to the PDF.

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
from functools import lru_cache

from . import assets

#: From this many body rows a table is laid out with fixed column widths.
LONG_TABLE_ROWS = 60
#: Rows per ``<tbody>`` group: where a chunk of parallel layout may start. Even.
ROW_GROUP = 50
#: The stylesheet's table cell padding (6pt each side) at its 8.5pt font size, plus
#: room for the collapsed borders and rounding: a column exactly as wide as its
#: widest text breaks that text.
CELL_PADDING_EM = 12 / 8.5 + 0.25

_TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
_THEAD = re.compile(r"<thead\b[^>]*>.*?</thead>", re.S)
_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S)
_CELL = re.compile(r"<(t[dh])\b[^>]*>(.*?)</t[dh]>", re.S)
_TAG = re.compile(r"<[^>]+>")
_SPANS = re.compile(r"\b(?:col|row)span\s*=\s*[\"']?(?!1\b)\d")
_CLASS = re.compile(r"""\bclass\s*=\s*(["'])(.*?)\1""", re.S)


class TablePolicy:
    """Rewrites the long tables of a report's HTML; counts the tables it cut short."""

    def __init__(self, max_rows: int = 0, rows_mark: str = ""):
        self.max_rows = max_rows
        self.rows_mark = rows_mark
        self.truncated = 0

    def __call__(self, html: str) -> str:
        return _TABLE.sub(self._table, html)

    def _table(self, match: re.Match) -> str:
        attrs, inner = match.groups()
        if "<table" in inner or _SPANS.search(inner):
            return match.group(0)
        thead = _THEAD.search(inner)
        head = thead.group(0) if thead else ""
        body = inner[thead.end():] if thead else inner
        rows = _ROW.findall(body)
        truncate = 0 < self.max_rows < len(rows)
        if len(rows) < LONG_TABLE_ROWS and not truncate:
            return match.group(0)
        note = ""
        if truncate:
            self.truncated += 1
            note = self._note(head, rows)
            rows = rows[: self.max_rows]
        if len(rows) < LONG_TABLE_ROWS:
            return f"<table{attrs}>{head}<tbody>{''.join(rows)}</tbody></table>{note}"
        widths = column_widths(head, rows)
        groups = ["<tbody>" + "".join(rows[i : i + ROW_GROUP]) + "</tbody>" for i in range(0, len(rows), ROW_GROUP)]
        # A mark after the header and between row groups: where a chunk may resume the table.
        rows_html = self.rows_mark + self.rows_mark.join(groups)
        return f"<table{_fixed(attrs, widths)}>{_colgroup(widths)}{head}{rows_html}</table>{note}"

    def _note(self, head: str, rows: list[str]) -> str:
        name = f"table-{self.truncated}.csv"
        href = "data:text/csv;base64," + base64.b64encode(table_csv(head, rows).encode()).decode()
        return (
            f'<p class="ocx-table-note">Showing the first {self.max_rows:,} of {len(rows):,} rows. '
            f'The full table is attached to this PDF: <a rel="attachment" href="{href}" download="{name}">'
            f"{name}</a>.</p>"
        )


def _cells(row: str) -> list[tuple[str, str]]:
    """(tag, text) of each cell of a row."""
    return [(tag, htmllib.unescape(_TAG.sub("", content)).strip()) for tag, content in _CELL.findall(row)]


def table_csv(head: str, rows: list[str]) -> str:
    """The table as CSV: every header row, then every body row (index cells included)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in _ROW.findall(head) + rows:
        writer.writerow(text for _, text in _cells(row))
    return out.getvalue()


def column_widths(head: str, rows: list[str]) -> list[float]:
    """Each column's widest text in em (report font, header cells semibold), plus padding."""
    widths: list[float] = []
    for row in _ROW.findall(head) + rows:
        for index, (tag, text) in enumerate(_cells(row)):
            width = text_width(text, bold=tag == "th") + CELL_PADDING_EM
            if index == len(widths):
                widths.append(width)
            elif width > widths[index]:
                widths[index] = width
    return widths


def _fixed(attrs: str, widths: list[float]) -> str:
    """The table's attributes plus the fixed-layout class and its natural width."""
    found = _CLASS.search(attrs)
    if found:
        attrs = attrs[: found.start(2)] + found.group(2) + " ocx-long-table" + attrs[found.end(2) :]
    else:
        attrs += ' class="ocx-long-table"'
    return f'{attrs} style="--ocx-table-width: {sum(widths):.2f}em"'


def _colgroup(widths: list[float]) -> str:
    """Column widths as shares of the table, which is its natural width or the page's, if less."""
    total = sum(widths)
    return "<colgroup>" + "".join(f'<col style="width: {100 * w / total:.3f}%">' for w in widths) + "</colgroup>"


def text_width(text: str, bold: bool = False) -> float:
    """Advance width of ``text`` in em, from the report font's metrics (kerning ignored)."""
    advances, default = _advances(bold)
    return sum(advances.get(char, default) for char in text)


@lru_cache(maxsize=2)
def _advances(bold: bool) -> tuple[dict[str, float], float]:
    """Character -> advance in em for the regular or semibold face; digits at their widest
    (tables print tabular figures)."""
    from fontTools.ttLib import TTFont

    path = assets.font_dir() / ("SourceSansPro-Semibold.otf" if bold else "SourceSansPro-Regular.otf")
    with TTFont(path, lazy=True) as font:  # lazy: reads only these tables, from the open file
        scale = 1 / font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        advances = {chr(code): metrics[glyph][0] * scale for code, glyph in font.getBestCmap().items()}
    digit = max(advances.get(d, 0.5) for d in "0123456789")
    advances.update(dict.fromkeys("0123456789", digit))
    return advances, advances.get("n", 0.5)
