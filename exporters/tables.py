"""Tables made cheap to print: long ones get fixed column widths, row groups and optional
truncation; plain-text ones become lines of text.

WeasyPrint's automatic table layout measures every cell twice (its narrowest
and widest text) before it lays the cell out once more; on a 3,000-row table
that is a third of the table's time. A long table here gets the widths that
measuring would find, computed from the report font's advance widths, and
``table-layout: fixed``: the same columns, each cell shaped once.

Its rows are also grouped into ``<tbody>`` blocks with a marker between
them, so parallel layout (``paginate.py``) can start a chunk in the middle of
the table, repeating the header the way a page break does. An even group
size keeps the zebra striping (``nth-child(even)``) unchanged.

A table of plain text (a pandas DataFrame, say) goes further, from
``LINES_MIN_ROWS`` body rows on: its body rows become lines of text, one line
per row and one table row per row group, each value placed by spaces measured
from the font's advance widths (kerning and ligatures off, so the widths are
exact). WeasyPrint lays out a line for about the price of one cell, so such a
table takes about half the CPU; short ones gain as much, since they skip the
automatic layout's measuring too (30 DataFrames of 4 / 16 rows: 0.99 / 3.57
CPU-s as cells, 0.64 / 1.54 as lines). The header stays a real table header,
repeated on every page; the columns line up within 0.1pt of where cells would
put them; a tiled image draws the rules and every second line's span its
stripe; text extraction reads a row per line (the gaps are runs of space
characters).
``long_tables_as_lines=False`` keeps one table cell per value.

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
from .charts import PRINTABLE_WIDTH_PX

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
#: Per size class (``sanitize.WIDTH_CLASSES``): the stylesheet's table font size and the
#: cells' left and right padding, in pt.
_SIZES = {"ocx-very-wide": (6.0, 2.0), "ocx-wide": (7.0, 3.5), "": (8.5, 6.0)}
#: Space characters of the report font: 0.497 (a figure's width), 0.202, 0.2 and 0.125 em wide.
_FIGURE, _NBSP, _SPACE, _NARROW = "\u2007", "\u00a0", " ", "\u202f"
#: How close a gap's spaces must come to its width, in em (0.04pt at the regular size).
_GAP_ERROR = 0.005

_TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
_THEAD = re.compile(r"<thead\b[^>]*>.*?</thead>", re.S)
_ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S)
_CELL = re.compile(r"<(t[dh])\b[^>]*>(.*?)</t[dh]>", re.S)
_TAG = re.compile(r"<[^>]+>")
_SPANS = re.compile(r"\b(?:col|row)span\s*=\s*[\"']?(?!1\b)\d")
_HTML_SPACES = re.compile(r"[ \t\n\r\f]+")
_CLASS = re.compile(r"""\bclass\s*=\s*(["'])(.*?)\1""", re.S)
#: A body row of bare cells holding only text: what a table laid out as lines may have.
_PLAIN_ROW = re.compile(r"<tr>(?:\s*<t[dh]>[^<]*</t[dh]>)*\s*</tr>")
#: The attributes a table laid out as lines may have: what pandas writes, and our size classes.
_PLAIN_TABLE = re.compile(r"""(?:\s+(?:border="\d*"|class="(?:dataframe|ocx-wide|ocx-very-wide| )*"))*\s*""")


class TablePolicy:
    """Rewrites the long tables of a report's HTML; counts the tables it cut short."""

    def __init__(self, max_rows: int = 0, rows_mark: str = "", as_lines: bool = False, page_size: str = "letter"):
        self.max_rows = max_rows
        self.rows_mark = rows_mark
        self.as_lines = as_lines
        self.printable_pt = PRINTABLE_WIDTH_PX[page_size] * 0.75
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
        if len(rows) < min(LONG_TABLE_ROWS, LINES_MIN_ROWS) and not truncate:
            return match.group(0)
        note = ""
        if truncate:
            self.truncated += 1
            note = self._note(head, rows)
            rows = rows[: self.max_rows]
        as_is = f"<table{attrs}>{head}<tbody>{''.join(rows)}</tbody></table>{note}" if truncate else match.group(0)
        # Structure first (cheap): a short table that cannot become lines keeps its cells,
        # without reading the font's metrics.
        plain = self.as_lines and _PLAIN_TABLE.fullmatch(attrs) and all(_PLAIN_ROW.fullmatch(row) for row in rows)
        if len(rows) < (LINES_MIN_ROWS if plain else LONG_TABLE_ROWS):
            return as_is
        table = [_cells(row) for row in rows]
        widths = column_widths(head, table)
        lines = self._lines(attrs, table, widths) if plain else None
        if not lines and len(rows) < LONG_TABLE_ROWS:
            return as_is  # short, and not in the report font or too wide for lines
        if lines:
            groups = [_lines_row(lines[i : i + ROW_GROUP], len(widths)) for i in range(0, len(lines), ROW_GROUP)]
        else:
            groups = ["".join(rows[i : i + ROW_GROUP]) for i in range(0, len(rows), ROW_GROUP)]
        # A mark after the header and between row groups: where a chunk may resume the table.
        rows_html = self.rows_mark + self.rows_mark.join(f"<tbody>{group}</tbody>" for group in groups)
        kind = "ocx-long-table ocx-row-lines" if lines else "ocx-long-table"
        return f"<table{_fixed(attrs, widths, kind)}>{_colgroup(widths)}{head}{rows_html}</table>{note}"

    def _lines(self, attrs: str, table: list, widths: list[float]) -> list[str] | None:
        """Each body row of a table of bare cells (``table``: their cells) as a line of text
        (see ``_line``), or None when the table is not plain enough to be laid out as lines."""
        found = _CLASS.search(attrs)
        classes = found.group(2).split() if found else []
        size = next(name for name in _SIZES if not name or name in classes)
        font_pt, padding_pt = _SIZES[size]
        if sum(widths) * font_pt > self.printable_pt:
            return None  # a narrower table would wrap its text
        table = [[(tag, _HTML_SPACES.sub(" ", text)) for tag, text in cells] for cells in table]  # as cells show it
        tags = [tag for tag, _ in table[0]]
        if len(tags) != len(widths) or any([tag for tag, _ in cells] != tags for cells in table):
            return None
        if not all(_in_font(text, tag == "th") for cells in table for tag, text in cells):
            return None  # another font would draw it, at widths we cannot know
        # The stylesheet aligns a DataFrame's data cells right, every other cell left.
        right = ["dataframe" in classes and tag == "td" for tag in tags]
        padding = padding_pt / font_pt
        return [_line(cells, widths, right, padding, row % 2 == 1) for row, cells in enumerate(table)]

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


def _lines_row(lines: list[str], columns: int) -> str:
    """A table row holding one line per body row; it says how many, for the chunk cost."""
    return f'<tr data-lines="{len(lines)}"><td colspan="{columns}">' + "\n".join(lines) + "</td></tr>"


def _line(cells: list[tuple[str, str]], widths: list[float], right: list[bool], padding: float, shaded: bool) -> str:
    """One body row as a line of text: each value at its column's left edge (or ending at
    its right edge), in em from the first column's text edge; header cells semibold. A
    shaded row (every second one) is wrapped in a span whose background is its stripe,
    and filled with spaces to the right edge, which the stripe must reach."""
    parts, at, edge = [], 0.0, 0.0  # ``at``: where the line has got to, spaces as printed
    for (tag, text), width, to_right in zip(cells, widths, right):
        advance = text_width(text, bold=tag == "th")
        start = edge + width - 2 * padding - advance if to_right else edge
        if parts or start > at:  # the first value starts the line unless it is aligned right
            gap = spaces(start - at)
            parts.append(gap)
            at += text_width(gap)  # not ``start``: a gap's rounding must not add up along the line
        shown = htmllib.escape(text, quote=False)
        parts.append(f'<span class="ocx-row-head">{shown}</span>' if tag == "th" and text else shown)
        at, edge = at + advance, edge + width
    if not shaded:
        return "".join(parts)
    if edge - 2 * padding > at + 0.01:
        parts.append(spaces(edge - 2 * padding - at))
    return '<span class="ocx-shaded">' + "".join(parts) + "</span>"


def spaces(gap: float) -> str:
    """Space characters that advance ``gap`` em (at least one), within ``_GAP_ERROR`` where
    some combination comes that close, in as few characters as that allows: WeasyPrint
    shapes and draws each space like a letter, and gaps were most of a line's characters."""
    return _spaces(round(gap, 4))  # a column's gaps repeat: values of one width


@lru_cache(maxsize=4096)
def _spaces(gap: float) -> str:
    advances, _ = _advances(False)
    figure, space, nbsp, narrow = (advances[char] for char in (_FIGURE, _SPACE, _NBSP, _NARROW))
    best = None  # ((error, or the tolerance if less; characters), figures, narrow, plain, no-break)
    for figures in range(max(0, int(gap / figure) - 8), int(gap / figure) + 1):
        for narrows in range(8):  # narrow spaces fill in between multiples of a space
            rest = gap - figures * figure - narrows * narrow
            for plain in {max(0, int(rest / space)), max(0, int(rest / space)) + 1}:
                wide = max(0, min(plain, round((rest - plain * space) / (nbsp - space))))  # a bit wider
                error = abs(rest - plain * space - wide * (nbsp - space))
                count = figures + narrows + plain
                if count:
                    score = (max(error, _GAP_ERROR), count)
                    if best is None or score < best[0]:
                        best = (score, figures, narrows, plain - wide, wide)
    _, figures, narrows, plain, wide = best
    return _FIGURE * figures + _NARROW * narrows + _SPACE * plain + _NBSP * wide


def _in_font(text: str, bold: bool) -> bool:
    """Whether the report font has every character of ``text``."""
    advances, _ = _advances(bold)
    return all(char in advances for char in text)


def table_csv(head: str, rows: list[str]) -> str:
    """The table as CSV: every header row, then every body row (index cells included)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in _ROW.findall(head) + rows:
        writer.writerow(text for _, text in _cells(row))
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
    found = _CLASS.search(attrs)
    if found:
        attrs = attrs[: found.start(2)] + found.group(2) + f" {kind}" + attrs[found.end(2) :]
    else:
        attrs += f' class="{kind}"'
    return f'{attrs} style="--ocx-table-width: {sum(widths):.2f}em"'


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
    from fontTools.ttLib import TTFont

    path = assets.font_dir() / ("SourceSansPro-Semibold.otf" if bold else "SourceSansPro-Regular.otf")
    with TTFont(path, lazy=True) as font:  # lazy: reads only these tables, from the open file
        scale = 1 / font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        advances = {chr(code): metrics[glyph][0] * scale for code, glyph in font.getBestCmap().items()}
    digit = max(advances.get(d, 0.5) for d in "0123456789")
    advances.update(dict.fromkeys("0123456789", digit))
    return advances, advances.get("n", 0.5)
