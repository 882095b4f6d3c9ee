"""HTML -> PDF with WeasyPrint, reading only what the URL policy allows.

Imported lazily by the PDF exporter: WeasyPrint and its font machinery take
a noticeable share of a small export's time, and nbconvert builds every
registered exporter just to list them.
"""

from __future__ import annotations

import gc
import re
import tempfile
import threading
from collections.abc import Callable
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from ..engine.compat.cffi import fast_types
from ..engine.compat.fonttools import fonttools_on_first_use
from ..engine.compat.tinyhtml5 import cache_character_runs
from ..engine.compat.weasyprint import linker_cache_lookups
from ..page.urlpolicy import URLPolicy
from . import scratch, svgforms, tablelines
from .budget import Budget

with linker_cache_lookups(), fonttools_on_first_use():  # loading WeasyPrint loads its C libraries
    from weasyprint import CSS, HTML
    from weasyprint.images import SVGImage
    from weasyprint.text.ffi import ffi
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

cache_character_runs()
fast_types(ffi)
tablelines.install()

# One font configuration per process: WeasyPrint rebuilds fontconfig state
# for each new one, and the report fonts never change between exports.
_FONT_CONFIG = None


def font_config() -> FontConfiguration:
    """The process's font configuration. WeasyPrint copies each ``@font-face`` font into a
    ``weasyprint-*`` folder it makes in the temporary directory and removes in a finalizer,
    which a killed process never runs: the folder is made in ours instead (``scratch``)."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        config = FontConfiguration()
        if getattr(config, "_folder", False) is None:  # WeasyPrint makes it on first use
            config._folder = Path(tempfile.mkdtemp(prefix="weasyprint-", dir=scratch.folder()))
        _FONT_CONFIG = config
    return _FONT_CONFIG


class PolicyURLFetcher(URLFetcher):
    """Fetches ``data:`` URIs and the files the URL policy allows (the package's own files,
    images from the notebook's folder); refuses and logs the rest."""

    def __init__(self, policy: URLPolicy):
        super().__init__(allowed_protocols=("data", "file"))
        self.policy = policy

    def fetch(self, url, headers=None):
        if urlsplit(url).scheme == "data":
            return super().fetch(url, headers)
        found = self.policy.read(url)
        if found is None:
            raise ValueError(f"refused by the report's URL policy: {url[:80]}")
        data, mimetype = found
        if mimetype is None:  # one of the package's own files (a font, the stylesheet)
            return super().fetch(url, headers)
        return URLFetcherResponse(url, data, {"Content-Type": mimetype})  # the bytes judged


#: WeasyPrint's user-agent rules that match every element but only make
#: pseudo-elements a report has on list items (markers) or never (footnotes).
_UNIVERSAL_MARKER = "\n::marker {"
_NOTE_RULES = re.compile(r"^::(?:footnote|note)-(?:call|marker) \{[^}]*\}\n", re.M)


@lru_cache(maxsize=1)
def lean_ua_stylesheet() -> CSS | None:
    """WeasyPrint's user-agent stylesheet with its universal ``::marker`` rule
    scoped to list items and ``<summary>``, and its footnote and note rules dropped.

    Universal pseudo-element rules make WeasyPrint compute three or four extra
    styles for every element: on the benchmark's long table, 62,141 style
    computations instead of 11,051, about a tenth of its layout time. Reports
    have markers only on list items and no CSS footnotes. None (use the stock
    sheet) if a WeasyPrint release words these rules differently.
    """
    from weasyprint.html import UA as source
    from weasyprint.html import UA_COUNTER_STYLE

    if source.count(_UNIVERSAL_MARKER) != 1 or len(_NOTE_RULES.findall(source)) != 4:
        return None
    source = _NOTE_RULES.sub("", source.replace(_UNIVERSAL_MARKER, "\nli::marker, summary::marker {"))
    return CSS(string=source, counter_style=UA_COUNTER_STYLE)


class ReportHTML(HTML):
    """A report page for WeasyPrint, laid out with the lean user-agent stylesheet."""

    def _ua_stylesheets(self, forms=False):
        stock = super()._ua_stylesheets(forms)
        lean = lean_ua_stylesheet()
        return stock if lean is None else [lean, *stock[1:]]


#: Called with a chunk's page count once its pages are laid out; returns the
#: (number of pages before it, pages in the whole report) for its page frame.
Numbering = Callable[[int], "tuple[int, int]"]


def render(
    html: str, policy: URLPolicy, numbering: Numbering | None = None, forms: dict | None = None, max_pages: int = 0
):
    """Lay out ``html``: a WeasyPrint document whose SVG images are each drawn once.

    The document carries the SVG forms it converted or found ready in ``forms``
    (``svg_forms``, see ``svgforms``); write it with ``write_pdf`` below, which
    adds their resources. Past ``max_pages`` pages (if set) the layout stops with
    the budget's error; only a process that lays out alone sets it (see ``_page_limit``).
    """
    images: dict = {}
    with _numbered_pages(numbering), _page_limit(max_pages):
        document = ReportHTML(
            string=html,
            base_url=policy.notebook_dir.as_uri() + "/",
            url_fetcher=PolicyURLFetcher(policy),
        ).render(font_config=font_config(), cache=images)
    svgs = {url: image for url, image in images.items() if isinstance(image, SVGImage)}
    document.svg_forms = svgforms.convert_all(svgs, forms or {})
    for url, image in svgs.items():
        if url not in document.svg_forms:
            _draw_once(image)
    return document


def write_pdf(document) -> bytes:
    """The laid-out document's PDF, its converted SVG forms included."""
    return document.write_pdf(finisher=lambda _, pdf: svgforms.add_resources(document.svg_forms.values(), pdf))


#: A page in the report's fonts: laying it out sets up what WeasyPrint builds
#: once per process (the font faces, the user-agent stylesheet, and the C types
#: it declares on first use, about 5 ms each). Its list item's marker starts a
#: thread of Pango's, which a layout near its memory limit could not start.
_WARM_UP_PAGE = (
    '<html><head><style>{fonts}\nbody {{ font-family: "Source Sans Pro" }}</style></head><body>'
    "<p>Warm <i>up</i> <b>page <i>text</i></b> <span style='font-weight: 600'>1</span></p>"
    "<table><tr><td>1</td></tr></table><ul><li>1</li></ul></body></html>"
)


_warmed_up: set[str] = set()


def warm_up(policy: URLPolicy, font_css: str) -> None:
    """Set up WeasyPrint's per-process state now (once), with the report's ``@font-face`` rules.

    The PDF exporter calls this while the charts are being drawn, when it would
    otherwise wait for them, and before it forks the layout processes: they
    inherit the set-up state instead of each building it again (about 0.5 CPU-s
    each on the benchmark's large report).
    """
    if font_css not in _warmed_up:
        render_pdf(_WARM_UP_PAGE.format(fonts=font_css), policy)
        _warmed_up.add(font_css)


def render_pdf(html: str, policy: URLPolicy, forms: dict | None = None, max_pages: int = 0) -> bytes:
    """Lay out ``html`` and return the PDF bytes (deterministic for the same input)."""
    with fewer_collections():
        return write_pdf(render(html, policy, forms=forms, max_pages=max_pages))


#: Allocations between the garbage collector's young-generation passes while
#: WeasyPrint works (Python's default is 700).
LAYOUT_GC_THRESHOLD = 100_000


class _Collections:
    """How many layouts run in this process (batch builds may run several in
    threads), and the collector thresholds to restore when the last one ends."""

    def __init__(self):
        self.lock = threading.Lock()
        self.layouts = 0
        self.saved: tuple = ()


_collections = _Collections()


def forked() -> None:
    """Called first thing in a forked layout process, where no other thread's layout runs
    (and the lock may have been copied while held). Not an ``os.register_at_fork`` hook:
    that keeps this module alive until the interpreter's very last collection, where
    freeing WeasyPrint's Pango objects crashes the process."""
    _collections.__init__()


@contextmanager
def fewer_collections():
    """Let the garbage collector run less often while a document is laid out and written.

    WeasyPrint allocates millions of small objects and keeps most of them (every
    page's boxes) until the PDF is written, so with the default threshold the
    collector keeps re-scanning a growing heap: about an eighth of a long
    table's layout time, for almost no garbage (peak memory is the same with
    the collector off). The older generations keep their thresholds, so
    reference cycles are still collected.
    """
    with _collections.lock:
        if not _collections.layouts:
            _collections.saved = gc.get_threshold()
            gc.set_threshold(LAYOUT_GC_THRESHOLD, *_collections.saved[1:])
        _collections.layouts += 1
    try:
        yield
    finally:
        with _collections.lock:
            _collections.layouts -= 1
            if not _collections.layouts:
                gc.set_threshold(*_collections.saved)


def _draw_once(image: SVGImage) -> None:
    """Draw the SVG into one form XObject per document and place that wherever it repeats.

    WeasyPrint draws an SVG image's content inline at every use, so the header
    logo was drawn (and stored) once per page. Its pages share one resources
    dictionary, which makes a form added there usable from every page. (SVGs
    that ``svgforms`` converts become such forms without WeasyPrint drawing them.)
    """
    draw = image.draw
    forms: dict = {}

    def draw_form(stream, width, height, style):
        key = (id(stream._resources), width, height)
        if key not in forms:
            form = stream.add_group(0, 0, width, height)
            del form.extra["Group"]  # a plain form, painted exactly like inline content
            draw(form, width, height, style)
            forms[key] = form.id
        stream.draw_x_object(forms[key])

    image.draw = draw_form


@contextmanager
def _numbered_pages(numbering: Numbering | None):
    """Give a chunk's page frame the report's page numbers, not its own.

    WeasyPrint paginates the whole chunk before it builds any page's margin
    boxes; at that point the chunk's page count is known and ``numbering``
    turns it into the offset and total that "Page X of Y" must show, which
    only the other chunks' counts can give. (WeasyPrint has no public hook
    there, so its margin box builder is wrapped for the duration.)
    """
    if numbering is None:
        yield
        return
    from weasyprint import layout

    make_margin_boxes = layout.make_margin_boxes
    frame: list[tuple[int, int]] = []

    def numbered_margin_boxes(context, page, state):
        counters = state[1]
        if not frame:
            frame.append(numbering(counters["pages"][0]))
        offset, total = frame[0]
        counters["page"] = [value + offset for value in counters["page"]]
        counters["pages"] = [total]
        return make_margin_boxes(context, page, state)

    layout.make_margin_boxes = numbered_margin_boxes
    try:
        yield
    finally:
        layout.make_margin_boxes = make_margin_boxes


@contextmanager
def _page_limit(max_pages: int):
    """Stop the layout once it makes page ``max_pages + 1`` (0: never).

    WeasyPrint makes the pages one by one before anything else happens to them, and the
    later ones cost more than the first (see ``budget``): counting them as they are made
    ends a runaway layout early. Like ``_numbered_pages``, this wraps a WeasyPrint
    function for the duration, so only a process that lays out alone sets a limit.
    """
    if not max_pages:
        yield
        return
    from weasyprint import layout

    make_all_pages = layout.make_all_pages

    def counted_pages(*args):
        for number, page in enumerate(make_all_pages(*args), start=1):
            if number > max_pages:
                raise Budget(max_pages=max_pages).too_many_pages()
            yield page

    layout.make_all_pages = counted_pages
    try:
        yield
    finally:
        layout.make_all_pages = make_all_pages
