"""WeasyPrint: the internals the layout adapts, each installed only if WeasyPrint's shape is as read.

Imported by ``layout.weasy`` once WeasyPrint is loaded; ``install`` (once per process) checks
each adaptation's upstream names and signatures and installs it, or records it as skipped.
WeasyPrint then runs as stock wherever no export asks for an adaptation: the hooks below
act only on what the report's layout hands them (``page_frame``, marked table cells, its
own image cache), so another user of WeasyPrint in the process is not affected.

* ``lean_ua``: the user-agent stylesheet without rules a report never uses (speed);
* ``page_frame``: a chunk's "Page X of Y" numbered across the report, and ``page_limit``:
  the layout stopped at a page limit, through WeasyPrint's margin-box and page makers;
* ``table_lines``: table rows laid out as empty lines whose values the layout draws
  (``layout.tablelines``), through WeasyPrint's block painter, text layout and fonts;
* ``chart_forms``: SVG images found in the render's image cache and drawn as PDF forms
  (``layout.svgforms``), placed in the page's XObject resources;
* ``draw_once``: an SVG drawn into one form per document, placed at each use (size, speed);
* ``font_folder``: the process's font configuration copying fonts into our scratch folder.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

import weasyprint
from weasyprint import CSS, HTML
from weasyprint import draw as _draw
from weasyprint import layout as _layout
from weasyprint.images import SVGImage
from weasyprint.text.fonts import FontConfiguration

from ...errors import ReportError
from . import AdaptationFailed, fenced

#: WeasyPrint releases these adaptations were read against and tested with. Their names moved
#: in 66 (``draw_block_level``), 67 (``strut``, ``_font_style_cache_key``), 68 (``URLFetcher``)
#: and 70 (``UA``): the cap in pyproject.toml moves only after this list does (docs/compat.md).
CHECKED = ("70.0",)

ADAPTATIONS = {
    "lean_ua": "the user-agent stylesheet without universal ::marker and note rules (speed)",
    "page_frame": "a chunk's page frame numbered across the report (parallel layout)",
    "page_limit": "the layout stopped as it makes one page too many",
    "table_lines": "the values of tables laid out as lines drawn by the layout (speed)",
    "chart_forms": "SVG images drawn as PDF forms vl-convert made (speed)",
    "draw_once": "an SVG drawn once per document and placed at each use (size, speed)",
    "font_folder": "WeasyPrint's font copies kept in the process's scratch folder",
}

#: Errors that mean WeasyPrint's objects are not shaped as an adaptation expects.
_SHAPE_ERRORS = (AttributeError, TypeError, KeyError, IndexError, ValueError)


def version() -> str:
    return weasyprint.__version__


def install() -> None:
    """Check and install the adaptations that live in WeasyPrint's modules, and cffi's on
    WeasyPrint's C bindings (once per process)."""
    from weasyprint.text.ffi import ffi

    from .cffi import fast_types

    if getattr(_layout.make_margin_boxes, "ocx_adapted", False):
        return
    fast_types(ffi)
    fenced("lean_ua", _lean_ua_shape)
    if fenced("page_frame", lambda: _called_by(_layout.layout_document, _layout, "make_margin_boxes", 3)):
        _layout.make_margin_boxes = _adapted(_numbered_margin_boxes(_layout.make_margin_boxes))
    if fenced("page_limit", lambda: _called_by(_layout.layout_document, _layout, "make_all_pages", 4)):
        _layout.make_all_pages = _adapted(_counted_pages(_layout.make_all_pages))
    fenced("chart_forms", _svg_shape)
    fenced("draw_once", _draw_once_shape)


def _adapted(function):
    function.ocx_adapted = True
    return function


def _called_by(caller, module, name: str, arguments: int) -> str | None:
    """None if ``caller`` calls ``module.name`` through the module's globals, with
    ``arguments`` positional parameters; else what differs."""
    function = getattr(module, name, None)
    if not callable(function):
        return f"{module.__name__}.{name} is gone"
    if name not in caller.__code__.co_names:
        return f"{caller.__qualname__} no longer calls {name} by its module name"
    parameters = inspect.signature(function).parameters
    if len(parameters) != arguments:
        return f"{name} takes {len(parameters)} parameters, not {arguments}"
    return None


# -- lean_ua -----------------------------------------------------------------------------

#: WeasyPrint's user-agent rules that match every element but only make
#: pseudo-elements a report has on list items (markers) or never (footnotes).
_UNIVERSAL_MARKER = "\n::marker {"
_NOTE_RULES = re.compile(r"^::(?:footnote|note)-(?:call|marker) \{[^}]*\}\n", re.M)


def _lean_ua_shape() -> str | None:
    from weasyprint import html

    if not all(hasattr(html, name) for name in ("UA", "UA_COUNTER_STYLE", "UA_STYLESHEET")):
        return "weasyprint.html's UA, UA_COUNTER_STYLE or UA_STYLESHEET is gone"
    if list(inspect.signature(HTML._ua_stylesheets).parameters) != ["self", "forms"]:
        return "HTML._ua_stylesheets takes other parameters"
    if HTML._ua_stylesheets(None)[0] is not html.UA_STYLESHEET:
        return "HTML._ua_stylesheets no longer starts with UA_STYLESHEET"
    if html.UA.count(_UNIVERSAL_MARKER) != 1 or len(_NOTE_RULES.findall(html.UA)) != 4:
        return "the user-agent stylesheet words its ::marker or note rules differently"
    return None


@lru_cache(maxsize=1)
def _lean_ua_stylesheet() -> CSS:
    """WeasyPrint's user-agent stylesheet with its universal ``::marker`` rule
    scoped to list items and ``<summary>``, and its footnote and note rules dropped.

    Universal pseudo-element rules make WeasyPrint compute three or four extra
    styles for every element: on the benchmark's long table, 62,141 style
    computations instead of 11,051, about a tenth of its layout time. Reports
    have markers only on list items and no CSS footnotes.
    """
    from weasyprint.html import UA, UA_COUNTER_STYLE

    source = _NOTE_RULES.sub("", UA.replace(_UNIVERSAL_MARKER, "\nli::marker, summary::marker {"))
    return CSS(string=source, counter_style=UA_COUNTER_STYLE)


class _LeanHTML(HTML):
    """A report page for WeasyPrint, laid out with the lean user-agent stylesheet."""

    def _ua_stylesheets(self, forms=False):
        return [_lean_ua_stylesheet(), *super()._ua_stylesheets(forms)[1:]]


def html_class(lean: bool) -> type[HTML]:
    """The class to lay a page out with: with the lean user-agent stylesheet or stock."""
    return _LeanHTML if lean else HTML


# -- page_frame, page_limit ----------------------------------------------------------------


@dataclass
class PageFrame:
    """What one render asks of WeasyPrint's page makers, and what they saw.

    ``numbering``: called with the render's page count once its pages are laid out; returns
    the (pages before it, pages in the whole report) for its page frame. ``max_pages``:
    past it (if set), ``too_many()`` is raised as the page is made."""

    numbering: Callable[[int], tuple[int, int]] | None = None
    max_pages: int = 0
    too_many: Callable[[], Exception] = lambda: ReportError("too many pages")
    numbered: int | None = None  # the page count ``numbering`` was called with
    made: int = 0  # pages counted in the last pagination pass
    offset: int = 0
    total: int = 0


_frame: ContextVar[PageFrame | None] = ContextVar("ocx_page_frame", default=None)


@contextmanager
def page_frame(frame: PageFrame):
    """Give this thread's renders ``frame`` for the duration."""
    token = _frame.set(frame)
    try:
        yield frame
    finally:
        _frame.reset(token)


def _numbered_margin_boxes(make_margin_boxes):
    """WeasyPrint paginates the whole document before it builds any page's margin boxes; at
    that point the page count is known, and the frame's ``numbering`` turns it into the
    offset and total that "Page X of Y" must show (WeasyPrint has no public hook there)."""

    def numbered_margin_boxes(context, page, state):
        frame = _frame.get()
        if frame is not None and frame.numbering is not None:
            try:
                counters = state[1]
                count = counters["pages"][0]
            except _SHAPE_ERRORS as exc:
                raise AdaptationFailed("page_frame", f"the page state has no page count ({exc!r})") from exc
            if frame.numbered is None:
                frame.numbered = count
                frame.offset, frame.total = frame.numbering(count)
            counters["page"] = [value + frame.offset for value in counters["page"]]
            counters["pages"] = [frame.total]
        return make_margin_boxes(context, page, state)

    return numbered_margin_boxes


def _counted_pages(make_all_pages):
    """WeasyPrint makes the pages one by one before anything else happens to them, and the
    later ones cost more than the first: counting them as they are made ends a runaway
    layout early."""

    def counted_pages(*args):
        frame = _frame.get()
        pages = make_all_pages(*args)
        return pages if frame is None or not frame.max_pages else _counting(frame, pages)

    return counted_pages


def _counting(frame: PageFrame, pages):
    frame.made = 0
    for page in pages:
        frame.made += 1
        if frame.made > frame.max_pages:
            raise frame.too_many()
        yield page


def margin_texts(page) -> list[str] | None:
    """The texts of a laid-out page's margin boxes (for the self-test); None if unknown."""
    from weasyprint.formatting_structure import boxes

    box = getattr(page, "_page_box", None)
    if box is None:
        return None
    return [
        "".join(text.text for text in margin.descendants() if isinstance(text, boxes.TextBox))
        for margin in box.children
        if isinstance(margin, boxes.MarginBox)
    ]


# -- table_lines ---------------------------------------------------------------------------


def _table_lines_shape() -> str | None:
    from weasyprint.pdf.stream import Stream
    from weasyprint.text import ffi, line_break

    if reason := _called_by(_draw.draw_block_level, _draw, "draw_block_level", 3):
        return reason
    for module, names in (
        (line_break, ("_font_style_cache_key", "strut", "Layout")),
        (ffi, ("ffi", "pango", "FROM_UNITS")),
        (Stream, ("add_font", "set_color", "begin_text", "set_font_size", "set_text_matrix", "show_text")),
    ):
        missing = [name for name in names if not hasattr(module, name)]
        if missing:
            return f"{module.__name__}.{missing[0]} is gone"
    return None


#: Rows drawn in this thread's current ``counting_rows``.
_rows: ContextVar[list | None] = ContextVar("ocx_rows_drawn", default=None)


@dataclass
class MarkedCell:
    """A table cell WeasyPrint is about to paint: its content box's left edge, its style, and
    its rows laid out on this page as (top, element, style)."""

    left: float
    style: object
    rows: list


def paint_marked_cells(attribute: str, paint: Callable[[object, MarkedCell, str], int]) -> None:
    """Before WeasyPrint paints a table cell whose element has ``attribute``, call ``paint(stream,
    cell, value)``, which returns how many rows it drew (once per process).

    WeasyPrint paints a cell's block content through ``draw_block_level``, in document order,
    so what is drawn there comes where its own text would."""
    if getattr(_draw.draw_block_level, "ocx_adapted", False) or not fenced("table_lines", _table_lines_shape):
        return
    draw_block_level = _draw.draw_block_level

    def painting_marked_cells(page, stream, blocks_and_cells):
        for block in blocks_and_cells:
            if block.element_tag == "td" and block.element is not None:
                value = block.element.get(attribute)
                if value is not None:
                    _paint(paint, stream, block, value)
        draw_block_level(page, stream, blocks_and_cells)

    _draw.draw_block_level = _adapted(painting_marked_cells)


def _paint(paint, stream, block, value: str) -> None:
    try:
        cell = MarkedCell(
            block.content_box_x(),
            block.style,
            [(row.position_y, row.element, row.style) for row in block.children if row.element is not None],
        )
        drawn = paint(stream, cell, value)
    except _SHAPE_ERRORS as exc:
        raise AdaptationFailed("table_lines", f"{type(exc).__name__}: {exc}") from exc
    counter = _rows.get()
    if counter is not None:
        counter[0] += drawn


@contextmanager
def counting_rows():
    """Count the rows ``paint_marked_cells`` draws in this thread meanwhile (``[count]``)."""
    counter = [0]
    token = _rows.set(counter)
    try:
        yield counter
    finally:
        _rows.reset(token)


class Undrawable(Exception):
    """A character the face cannot draw as a glyph of its own."""


class Lines:
    """Text put straight into a page's stream in the faces of a row style and of a cell style
    (``index``: the latter), WeasyPrint's font objects learning the glyphs' widths and
    characters, so the PDF embeds one subset per face with a ToUnicode map as for any text."""

    def __init__(self, stream, row_style, cell_style):
        self.stream = stream
        self.font_size = row_style["font_size"]
        self.faces = {False: _face(row_style), True: _face(cell_style)}
        self.fonts = {index: face.font_in(stream) for index, face in self.faces.items()}
        self.baseline = self.faces[False].strut[1]  # from a line's top
        stream.set_color(row_style["color"])
        stream.begin_text()

    def glyphs(self, text: str, index: bool) -> tuple[str, float]:
        """``text`` and a space as a TJ string of glyphs, and the text's advance in px."""
        return self.faces[index].glyphs(text, self.fonts[index][0])

    def show(self, glyphs: str, index: bool, x: float, y: float) -> None:
        font, size = self.fonts[index]
        self.stream.set_font_size(font.hash, size)
        self.stream.set_text_matrix(1, 0, 0, -1, x, y)
        self.stream.show_text(glyphs)

    def end(self) -> None:
        self.stream.end_text()


def _face(style) -> _Face:
    """The glyphs of the style's font, kept for the process."""
    from weasyprint.text.line_break import _font_style_cache_key

    key = _font_style_cache_key(style, include_size=True)
    if key not in _faces:
        _faces[key] = _Face(style)
    return _faces[key]


_faces: dict[str, _Face] = {}


class _Face:
    """A font as Pango shapes it for a style: each character's glyph and advance. Each
    character is shaped alone, with the style's font settings (tabular figures, no kerning
    or ligatures: a glyph does not depend on its neighbours)."""

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
                raise Undrawable(char)
            run = runs.data
            info = run.glyphs.glyphs[0]
            if info.glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG or info.glyph == pango.PANGO_GLYPH_EMPTY:
                raise Undrawable(char)
            if self.layout is None:
                self.layout, self.pango_font = layout, run.item.analysis.font
            elif run.item.analysis.font != self.pango_font:
                raise Undrawable(char)
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


# -- chart_forms, draw_once --------------------------------------------------------------------


def _svg_shape() -> str | None:
    from weasyprint import DEFAULT_OPTIONS
    from weasyprint.pdf.stream import Stream

    if "cache" not in DEFAULT_OPTIONS:
        return "HTML.render takes no image cache"
    if len(inspect.signature(SVGImage.draw).parameters) != 5:  # self, stream, width, height, style
        return "SVGImage.draw takes other parameters"
    if "_resources" not in Stream.__init__.__code__.co_names:
        return "a page's stream keeps its resources elsewhere"
    return None


def _draw_once_shape() -> str | None:
    from weasyprint.pdf.stream import Stream

    return None if _svg_shape() is None and hasattr(Stream, "add_group") else "Stream.add_group is gone"


def svg_images(cache: dict) -> dict:
    """URL -> WeasyPrint's SVG image, of the images a render put in its ``cache``."""
    return {url: image for url, image in cache.items() if isinstance(image, SVGImage)}


def draw_as(image, draw: Callable, adaptation: str = "chart_forms") -> None:
    """Make WeasyPrint draw ``image`` with ``draw(stream, width, height, style)``."""

    def drawing(stream, width, height, style):
        try:
            draw(stream, width, height, style)
        except _SHAPE_ERRORS as exc:
            raise AdaptationFailed(adaptation, f"{type(exc).__name__}: {exc}") from exc

    image.draw = drawing


def xobjects(stream) -> tuple[int, dict]:
    """A key for the resources ``stream`` draws with (the pages share one dictionary; groups
    have their own), and its XObject dictionary: WeasyPrint writes every XObject in it."""
    resources = stream._resources
    return id(resources), resources["XObject"]


def draw_once(image) -> None:
    """Draw the SVG into one form XObject per document and place that wherever it repeats.

    WeasyPrint draws an SVG image's content inline at every use, so the header
    logo was drawn (and stored) once per page. Its pages share one resources
    dictionary, which makes a form added there usable from every page."""
    draw = image.draw
    forms: dict = {}

    def draw_form(stream, width, height, style):
        key = (xobjects(stream)[0], width, height)
        if key not in forms:
            form = stream.add_group(0, 0, width, height)
            del form.extra["Group"]  # a plain form, painted exactly like inline content
            draw(form, width, height, style)
            forms[key] = form.id
        stream.draw_x_object(forms[key])

    draw_as(image, draw_form, "draw_once")


# -- font_folder -------------------------------------------------------------------------------


def font_configuration(folder: Callable) -> FontConfiguration:
    """A font configuration whose ``@font-face`` copies go in ``folder()`` (made now), not in a
    ``weasyprint-*`` folder of WeasyPrint's that only a finalizer removes, which a killed
    process never runs."""
    config = FontConfiguration()
    if fenced("font_folder", lambda: None if getattr(config, "_folder", False) is None else "no _folder to set"):
        config._folder = folder()
    return config
