"""The values of a table laid out as lines, drawn straight into the PDF.

A table of plain text prints each body row as one line (``page/tables.py``).
WeasyPrint laid out each such line as text: a line box, a text box per run
of one weight, Pango shaping and measuring the line, a span for every second
line's stripe: about 1.3 ms a row, most of the large benchmark report's
layout. Now each row is an empty block of the line's height, which
WeasyPrint only stacks, stripes (the stylesheet) and breaks across pages,
the values riding along in an attribute; when WeasyPrint paints a cell of
such rows, this module draws the values of the rows it got on that page,
each at its column's edge (right-aligned ones end at their column's edge,
measured from the glyphs drawn).

The text is real text in the report's fonts, the index in the cell's weight
and the rest in the row's. Each character is shaped once per process by
Pango, with the cell's font settings (tabular figures, no kerning or
ligatures: a glyph does not depend on its neighbours), and drawn through
WeasyPrint's own font objects, so the PDF embeds one subset per face for the
whole report, with widths and a ToUnicode map like any other text. How that
reaches into WeasyPrint (its painter, text layout and fonts) is
``engine.compat.weasyprint``'s; this module places the values. The layout
counts the rows drawn against ``expected_rows``: a WeasyPrint that stops
painting them fails over to cells, never prints blank rows. Each
value ends in a space, so text extraction splits values as it would cells.
``page/tables.py`` only makes lines of characters the report font has and draws
alone (no combining marks), so every character is one glyph here.
"""

from __future__ import annotations

from functools import lru_cache

from ..contracts import LINE_ROW_ATTRIBUTE, LINE_SHADED_ROW_ATTRIBUTE, LINES_COLUMNS_ATTRIBUTE
from ..errors import ReportError


def columns_attribute(padding_em: float, widths_em: list[float], right: list[bool], index: list[bool]) -> str:
    """The cell attribute for ``page/tables.py``: the cell padding, then each column's width in em
    with ``r`` if its values align right and ``i`` if they are index values."""
    return " ".join(
        [f"{padding_em:.4f}"] + [f"{w:.4f}{'r' * r}{'i' * i}" for w, r, i in zip(widths_em, right, index)]
    )


@lru_cache(maxsize=64)
def _columns(attribute: str) -> tuple[float, list[tuple[float, float, bool, bool]]]:
    """(padding, [(left edge, width, right-aligned, index)]) in em, from the attribute."""
    padding, *columns = attribute.split()
    parsed, edge = [], 0.0
    for column in columns:
        width = float(column.rstrip("ri"))
        parsed.append((edge, width, "r" in column, "i" in column))
        edge += width
    return float(padding), parsed


def install() -> None:
    """Make WeasyPrint draw the values of the cells ``page/tables.py`` marks (once per
    process), if its painter is as expected (``engine.compat.weasyprint``)."""
    from ..engine.compat.weasyprint import paint_marked_cells

    paint_marked_cells(LINES_COLUMNS_ATTRIBUTE, _draw)


def _draw(stream, cell, attribute: str) -> int:
    """Draw the values of the rows of ``cell`` laid out on this page; how many rows."""
    from ..engine.compat.weasyprint import Lines, Undrawable

    rows = [(top, values, style) for top, element, style in cell.rows if (values := _values(element)) is not None]
    if not rows:
        return 0
    padding, columns = _columns(attribute)
    try:
        lines = Lines(stream, rows[0][2], cell.style)
        size, baseline = lines.font_size, lines.baseline
        for top, values, _ in rows:
            for value, (edge, width, to_right, index) in zip(values, columns):
                if not value:
                    continue
                glyphs, advance = lines.glyphs(value, index)
                x = cell.left + edge * size
                if to_right:
                    x += (width - 2 * padding) * size - advance
                lines.show(glyphs, index, x, top + baseline)
        lines.end()
    except Undrawable as exc:
        raise _undrawable(exc.args[0]) from None
    return len(rows)


def _values(element) -> list[str] | None:
    """A row's values, or None for an element that is not a row."""
    values = element.get(LINE_ROW_ATTRIBUTE)
    if values is None:
        values = element.get(LINE_SHADED_ROW_ATTRIBUTE)
    return None if values is None else values.split("\t")


def expected_rows(html: str) -> int:
    """How many rows ``html`` has laid out as lines: each must be drawn once."""
    if LINES_COLUMNS_ATTRIBUTE not in html:
        return 0
    return html.count(f' {LINE_ROW_ATTRIBUTE}="') + html.count(f' {LINE_SHADED_ROW_ATTRIBUTE}="')


def _undrawable(char: str) -> ReportError:
    """The error for a character the table's font cannot draw as a glyph of its own (the
    exporter only makes lines of characters the report font can: a stylesheet in the
    notebook may have given the table another font)."""
    return ReportError(
        f"a table laid out as lines has {char!r}, which its font does not draw as a glyph of its own; "
        "export with --OneCodexPDFExporter.long_tables_as_lines=False"
    )
