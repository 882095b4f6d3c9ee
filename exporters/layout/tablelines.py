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
whole report, with widths and a ToUnicode map like any other text. Each
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
    """Make WeasyPrint draw the values of the cells ``page/tables.py`` marks (once per process).

    WeasyPrint paints a cell's block content through ``draw_block_level``, in
    document order; the values are drawn there, so text extraction meets them
    where it met the lines of text before."""
    from weasyprint import draw

    if getattr(draw.draw_block_level, "draws_table_lines", False):
        return
    draw_block_level = draw.draw_block_level

    def drawing_table_lines(page, stream, blocks_and_cells):
        for block in blocks_and_cells:
            if block.element_tag == "td" and block.element is not None:
                attribute = block.element.get(LINES_COLUMNS_ATTRIBUTE)
                if attribute is not None:
                    _draw(stream, block, attribute)
        draw_block_level(page, stream, blocks_and_cells)

    drawing_table_lines.draws_table_lines = True
    draw.draw_block_level = drawing_table_lines


def _draw(stream, cell, attribute: str) -> None:
    """Draw the values of the rows of ``cell`` laid out on this page."""
    rows = [(row, _values(row.element)) for row in cell.children if row.element is not None]
    rows = [(row, values) for row, values in rows if values is not None]
    if not rows:
        return
    padding, columns = _columns(attribute)
    style = rows[0][0].style
    size, left = style["font_size"], cell.content_box_x()
    faces = {False: _face(style), True: _face(cell.style)}
    fonts = {index: face.font_in(stream) for index, face in faces.items()}
    _, baseline = faces[False].strut
    stream.set_color(style["color"])
    stream.begin_text()
    for row, values in rows:
        y = row.position_y + baseline
        for value, (edge, width, to_right, index) in zip(values, columns):
            if not value:
                continue
            font, font_size = fonts[index]
            glyphs, advance = faces[index].glyphs(value, font)
            x = left + edge * size
            if to_right:
                x += (width - 2 * padding) * size - advance
            stream.set_font_size(font.hash, font_size)
            stream.set_text_matrix(1, 0, 0, -1, x, y)
            stream.show_text(glyphs)
    stream.end_text()


def _values(element) -> list[str] | None:
    """A row's values, or None for an element that is not a row."""
    values = element.get(LINE_ROW_ATTRIBUTE)
    if values is None:
        values = element.get(LINE_SHADED_ROW_ATTRIBUTE)
    return None if values is None else values.split("\t")


def _face(style) -> "_Face":
    """The glyphs of the style's font, kept for the process."""
    from weasyprint.text.line_break import _font_style_cache_key

    key = _font_style_cache_key(style, include_size=True)
    if key not in _faces:
        _faces[key] = _Face(style)
    return _faces[key]


_faces: dict[str, "_Face"] = {}


class _Face:
    """A font as Pango shapes it for a style: each character's glyph and advance."""

    def __init__(self, style):
        from weasyprint.text.line_break import strut

        self.style = style
        self.strut = strut(style)  # (line height, baseline from the line's top)
        self.layout = self.pango_font = None  # the first character's layout keeps the font alive
        self.chars: dict[str, tuple[int, str, float, int]] = {}  # char -> glyph, TJ hex, advance px, width
        self._shape(" ")

    def font_in(self, stream):
        """WeasyPrint's font object and size for this face in ``stream``'s document."""
        return stream.add_font(self.pango_font)

    def glyphs(self, text: str, font) -> tuple[str, float]:
        """``text`` and a space as a TJ string of glyphs, and the text's advance in px;
        ``font`` (WeasyPrint's, for the document) learns their widths and characters."""
        chars = self.chars
        missing = [char for char in set(text) if char not in chars]
        if missing:
            self._shape(*missing)
        for char in (*text, " "):
            glyph, _, _, width = chars[char]
            if glyph not in font.to_unicode:
                font.to_unicode[glyph] = char
                font.widths[glyph] = width
        drawn = "".join(chars[char][1] for char in text)
        return f"<{drawn}{chars[' '][1]}>", sum(chars[char][2] for char in text)

    def _shape(self, *chars: str) -> None:
        from weasyprint.text.ffi import FROM_UNITS, ffi, pango
        from weasyprint.text.line_break import Layout

        rect = ffi.new("PangoRectangle *")
        font_size = self.style["font_size"]
        for char in chars:
            layout = Layout(self.style)
            layout.set_text(char)
            line, _ = layout.get_first_line()
            runs = line.runs
            if runs == ffi.NULL or runs.next != ffi.NULL or runs.data.glyphs.num_glyphs != 1:
                raise _undrawable(char)
            run = runs.data
            info = run.glyphs.glyphs[0]
            if info.glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG or info.glyph == pango.PANGO_GLYPH_EMPTY:
                raise _undrawable(char)
            if self.layout is None:
                self.layout, self.pango_font = layout, run.item.analysis.font
            elif run.item.analysis.font != self.pango_font:
                raise _undrawable(char)
            # The width WeasyPrint writes for the glyph, and a correction where the
            # advance differs from it, as it draws text itself.
            pango.pango_font_get_glyph_extents(self.pango_font, info.glyph, ffi.NULL, rect)
            width = round(rect.width * 1000 * FROM_UNITS / font_size)
            advance = info.geometry.width * FROM_UNITS
            drawn = f"{info.glyph:04x}"
            correction = int(width - advance * 1000 / font_size)
            if correction:
                drawn += f">{correction}<"
            self.chars[char] = info.glyph, drawn, advance, width


def _undrawable(char: str) -> ReportError:
    """The error for a character the table's font cannot draw as a glyph of its own (the
    exporter only makes lines of characters the report font can: a stylesheet in the
    notebook may have given the table another font)."""
    return ReportError(
        f"a table laid out as lines has {char!r}, which its font does not draw as a glyph of its own; "
        "export with --OneCodexPDFExporter.long_tables_as_lines=False"
    )
