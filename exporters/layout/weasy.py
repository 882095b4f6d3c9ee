"""HTML -> PDF with WeasyPrint, reading only what the URL policy allows.

Imported by the layout service (``service``), the process the PDF exporter's layouts run
in; by the exporter itself only where no service can start. Loading it installs the adaptations
that ``engine.compat`` finds WeasyPrint (and cffi, tinyhtml5, fontTools) shaped
for; a layout uses those an export's ``Engine`` allows, checks what it can
count (rows drawn, page frames numbered, a form for every chart stand-in), and
raises ``AdaptationFailed`` for one that did not work, never printing blank
or wrong content.
"""

from __future__ import annotations

import gc
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..engine import compat
from ..engine.compat import AdaptationFailed, Engine
from ..engine.compat.fonttools import fonttools_on_first_use
from ..engine.compat.python import linker_cache_lookups, without_linker_cache
from ..engine.compat.tinyhtml5 import cache_character_runs
from ..page.urlpolicy import URLPolicy
from . import scratch, svgforms, tablelines
from .budget import Budget


def _load() -> None:
    """Load WeasyPrint (and its C libraries) with the load-time adaptations."""
    try:
        with linker_cache_lookups(), fonttools_on_first_use():
            import weasyprint.text.fonts  # noqa: F401
            import weasyprint.urls  # noqa: F401
    except OSError as exc:  # a library the linker's cache does not know
        if not compat.installed("linker_cache"):
            raise
        without_linker_cache(exc)
        with fonttools_on_first_use():
            import weasyprint.text.fonts  # noqa: F401
            import weasyprint.urls  # noqa: F401


_load()

from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

from ..engine.compat import weasyprint as adapted  # noqa: E402 - once WeasyPrint is loaded

cache_character_runs()
adapted.install()
tablelines.install()

#: One font configuration per process (and one more for stock-engine exports): WeasyPrint
#: rebuilds fontconfig state for each new one, and the report fonts never change between exports.
_font_configs: dict = {}


def font_config(stock: bool = False):
    """The process's font configuration. WeasyPrint copies each ``@font-face`` font into a
    ``weasyprint-*`` folder it makes in the temporary directory and removes in a finalizer,
    which a killed process never runs: the folder is made in ours instead (``scratch``)."""
    if stock not in _font_configs:
        if stock:
            from weasyprint.text.fonts import FontConfiguration

            _font_configs[stock] = FontConfiguration()
        else:
            _font_configs[stock] = adapted.font_configuration(
                lambda: Path(tempfile.mkdtemp(prefix="weasyprint-", dir=scratch.folder()))
            )
    return _font_configs[stock]


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


@dataclass
class LaidOut:
    """A laid-out page: WeasyPrint's document, the SVG forms it places (``svgforms``), how many
    table rows the layout must draw (``tablelines``), and what its page makers saw."""

    document: object
    forms: dict = field(default_factory=dict)
    rows: int = 0
    frame: adapted.PageFrame | None = None


def render(
    html: str, policy: URLPolicy, numbering=None, forms: dict | None = None, max_pages: int = 0,
    engine: Engine = Engine(),
) -> LaidOut:
    """Lay ``html`` out with the adaptations ``engine`` allows; write it with ``write_pdf``.

    ``numbering`` (a chunk of a report laid out in parallel): called with the chunk's page
    count once its pages are laid out; returns the (pages before it, pages in the whole
    report) for its page frame. SVG images are converted to forms or found ready in ``forms``
    (see ``svgforms``). Past ``max_pages`` pages (if set) the layout stops with the budget's
    error. Raises ``AdaptationFailed`` where an adaptation the page relies on is not there or
    did not work: the exporter then lays the report out without it.
    """
    rows = tablelines.expected_rows(html)
    for name, needed in (("page_frame", numbering is not None), ("table_lines", rows)):
        if needed and not engine.uses(name):
            raise AdaptationFailed(name, "not installed in the layout process")
    limit = max_pages if engine.uses("page_limit") else 0
    frame = adapted.PageFrame(numbering, limit, Budget(max_pages=max_pages).too_many_pages)
    images: dict = {}
    with adapted.page_frame(frame):
        document = adapted.html_class(engine.uses("lean_ua"))(
            string=html,
            base_url=policy.notebook_dir.as_uri() + "/",
            url_fetcher=PolicyURLFetcher(policy),
        ).render(font_config=font_config(engine.stock), cache=images)
    if numbering is not None and frame.numbered is None:
        raise AdaptationFailed("page_frame", "WeasyPrint built the page frame without the hook")
    if max_pages and len(document.pages) > max_pages:  # stock: counted once laid out
        raise Budget(max_pages=max_pages).too_many_pages()
    laid = LaidOut(document, rows=rows, frame=frame)
    stand_ins = svgforms.stand_ins(html)
    svgs = adapted.svg_images(images) if engine.uses("chart_forms") or engine.uses("draw_once") else {}
    if engine.uses("chart_forms"):
        laid.forms = svgforms.convert_all(svgs, forms or {})
    if engine.uses("draw_once"):
        for url, image in svgs.items():
            if url not in laid.forms:
                adapted.draw_once(image)
    if stand_ins - set(laid.forms):  # each would print as an empty box
        raise AdaptationFailed("chart_forms", f"{len(stand_ins - set(laid.forms))} chart stand-in(s) found no form")
    return laid


def write_pdf(laid: LaidOut) -> bytes:
    """The laid-out page's PDF, its converted SVG forms included; every table row laid out
    as a line must have been drawn (``tablelines``), else ``AdaptationFailed``."""
    finisher = (lambda _, pdf: svgforms.add_resources(laid.forms.values(), pdf)) if laid.forms else None
    with adapted.counting_rows() as drawn:
        pdf = laid.document.write_pdf(finisher=finisher)
    if drawn[0] != laid.rows:
        raise AdaptationFailed("table_lines", f"the layout drew {drawn[0]} of {laid.rows} table rows")
    return pdf


_warmed_up: set[str] = set()


def warm_up(policy: URLPolicy, font_css: str) -> None:
    """Set up WeasyPrint's per-process state now (once), with the report's ``@font-face``
    rules, by laying out the engine's self-test page (``selftest``): the font faces, the
    user-agent stylesheet, and the C types it declares on first use (about 5 ms each).

    The layout service does this as it starts, while the exporter reads and renders the
    report, and before it forks the chunk processes: they inherit the set-up state instead
    of each building it again (about 0.5 CPU-s each on the benchmark's large report).
    """
    if font_css not in _warmed_up:
        from . import selftest

        selftest.run(policy, font_css)
        _warmed_up.add(font_css)


def render_pdf(
    html: str, policy: URLPolicy, forms: dict | None = None, max_pages: int = 0, engine: Engine = Engine()
) -> bytes:
    """Lay out ``html`` and return the PDF bytes (deterministic for the same input)."""
    with fewer_collections(not engine.stock):
        return write_pdf(render(html, policy, forms=forms, max_pages=max_pages, engine=engine))


#: Allocations between the garbage collector's young-generation passes while
#: WeasyPrint works (Python's default is 700).
LAYOUT_GC_THRESHOLD = 100_000


class _Collections:
    """Whether this process exists to lay out, how many layouts run in it, and the collector
    thresholds to restore when the last one ends."""

    def __init__(self, ours: bool = False):
        self.lock = threading.Lock()
        self.ours = ours
        self.layouts = 0
        self.saved: tuple = ()


_collections = _Collections()


def layout_process() -> None:
    """Called first thing in a process that exists to lay out (the layout service, a chunk's),
    where no other thread's layout runs (and the lock may have been copied while held): its
    collector may be tuned (``fewer_collections``). Not an ``os.register_at_fork`` hook: that
    keeps this module alive until the interpreter's very last collection, where freeing
    WeasyPrint's Pango objects crashes the process."""
    _collections.__init__(ours=True)


@contextmanager
def fewer_collections(fewer: bool = True):
    """Let the garbage collector run less often while a document is laid out and written, in
    a layout process (``layout_process``): never in the exporter's, whose collector belongs
    to whatever runs the export (a notebook server, a Dask worker, a script).

    WeasyPrint allocates millions of small objects and keeps most of them (every
    page's boxes) until the PDF is written, so with the default threshold the
    collector keeps re-scanning a growing heap: about an eighth of a long
    table's layout time, for almost no garbage (peak memory is the same with
    the collector off). The older generations keep their thresholds, so
    reference cycles are still collected. (Not with the stock engine: ``fewer`` False.)
    """
    if not fewer or not _collections.ours:
        yield
        return
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
