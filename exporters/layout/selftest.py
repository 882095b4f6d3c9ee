"""The engine's self-test: a small page laid out once per layout process, as its warm-up.

The adaptations whose absence would change the PDF (``engine.compat.FEATURES``) are
checked on a page that uses each: a table laid out as lines (every row must be drawn), a
page frame numbered as a chunk's ("12 of 99" on its second page: the page count given to
the numbering, the offset and total printed), the page limit counting the pages as they are
made, a chart stand-in drawn as its ready PDF form (placed among the page's XObjects,
its resources added), and an SVG drawn once for both pages. It is also the page that sets
WeasyPrint up in the process (fonts, stylesheets, C types), so it costs little more than
the warm-up did: about 50 ms on top, once per process.

An adaptation that fails is recorded as such (``compat.FAILED``), the page is laid out
again without it, and exports in the process do without it (the exporter warns once).
"""

from __future__ import annotations

import io
import threading

from ..contracts import (
    FORM_STAND_IN,
    LINE_ROW_ATTRIBUTE,
    LINE_SHADED_ROW_ATTRIBUTE,
    LINES_COLUMNS_ATTRIBUTE,
    ROW_LINES_CLASS,
    form_digest,
)
from ..engine import compat
from ..engine.compat import FAILED, AdaptationFailed, Engine
from .tablelines import columns_attribute

#: The numbers a chunk's frame is given: its last page must then print "{10 + pages} of 99".
NUMBERS = (10, 99)
ROWS = 5
_FORM_SIZE = (30, 15)  # pt

_LOGO = (
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='12' height='12'>"
    "<rect width='12' height='12' fill='%2300a'/></svg>"
)
_LINES = (
    f'<table class="{ROW_LINES_CLASS}"><tbody><tr>'
    f'<td {LINES_COLUMNS_ATTRIBUTE}="{columns_attribute(0.5, [3.0, 4.0], [False, True], [True, False])}">'
    + "".join(
        f'<div {LINE_SHADED_ROW_ATTRIBUTE if row % 2 else LINE_ROW_ATTRIBUTE}="r{row}\t{row * 7}"></div>'
        for row in range(ROWS)
    )
    + "</td></tr></tbody></table>"
)
_PAGE = (
    "<html><head><style>{fonts}\n"
    'body {{ font-family: "Source Sans Pro" }}\n'
    "@page {{ size: 5in 4in; margin: 0.4in; @bottom-center {{ content: counter(page) ' of ' counter(pages) }} }}\n"
    f"div[{LINE_ROW_ATTRIBUTE}], div[{LINE_SHADED_ROW_ATTRIBUTE}] {{{{ height: 1.2em }}}}\n"
    "</style></head><body>"
    "<p>Warm <i>up</i> <b>page <i>text</i></b> <span style='font-weight: 600'>1</span> <img src=\"{logo}\"></p>"
    '<img src="{stand_in}"><table><tr><td>1</td></tr></table><ul><li>1</li></ul>{lines}'
    + "<p style='break-before: page'><img src=\"{logo}\"> 2</p></body></html>"
)

_SVG_URI = "data:image/svg+xml;base64,"
_lock = threading.Lock()
_checked = False


def run(policy, font_css: str) -> None:
    """Lay the self-test page out and write it, with the report's ``@font-face`` rules
    (``font_css``); the first time in the process, record each adaptation that fails."""
    global _checked
    with _lock:
        failed: dict[str, str] = {}
        while True:
            try:
                failed.update(_check(policy, font_css, Engine(off=frozenset(failed))))
                break
            except AdaptationFailed as exc:
                if exc.adaptation in failed:
                    raise
                failed[exc.adaptation] = exc.detail
        if not _checked:
            for name, reason in failed.items():
                compat.record(name, FAILED, reason)
            _checked = True


def checked() -> bool:
    """Whether this process ran the self-test."""
    return _checked


def _check(policy, font_css: str, engine: Engine) -> dict[str, str]:
    """Lay the page out and write it; the adaptations that misbehaved without raising."""
    import base64

    import pikepdf

    from . import weasy

    stand_in = FORM_STAND_IN.format(size='width="{}" height="{}"'.format(*_FORM_SIZE), key="selftest").encode()
    html = _PAGE.format(
        fonts=font_css,
        logo=_LOGO,
        stand_in=_SVG_URI + base64.b64encode(stand_in if engine.uses("chart_forms") else b"<svg/>").decode(),
        lines=_LINES if engine.uses("table_lines") else "",
    )
    counts = []

    def numbering(count: int) -> tuple[int, int]:
        counts.append(count)
        return NUMBERS

    with weasy.fewer_collections():
        laid = weasy.render(
            html, policy, numbering if engine.uses("page_frame") else None, {form_digest(stand_in): _form_pdf()},
            100, engine,
        )
        pdf = weasy.write_pdf(laid)
    failed = {}
    pages = laid.document.pages
    if engine.uses("page_frame"):
        texts = compat.weasyprint.margin_texts(pages[-1])
        last = f"{NUMBERS[0] + len(pages)} of {NUMBERS[1]}"
        if counts != [len(pages)] or (texts is not None and last not in texts):
            failed["page_frame"] = f"numbered {counts} for {len(pages)} pages, the frame printed {texts}"
    if engine.uses("page_limit") and laid.frame.made != len(pages):
        failed["page_limit"] = f"counted {laid.frame.made} of {len(pages)} pages as they were made"
    if engine.uses("chart_forms"):
        with pikepdf.open(io.BytesIO(pdf)) as written:
            xobjects = written.pages[0].Resources.get("/XObject", {})
            placed = [name for name in xobjects.keys() if name.startswith("/ocxsvg")]
            if not placed or "/Resources" not in xobjects[placed[0]]:
                failed["chart_forms"] = f"the page's forms are {sorted(xobjects.keys())}"
    return failed


_form: bytes | None = None


def _form_pdf() -> bytes:
    """A one-page PDF of a filled rectangle: the chart's ready form."""
    global _form
    if _form is None:
        import pikepdf

        pdf = pikepdf.new()
        pdf.add_blank_page(page_size=_FORM_SIZE)
        pdf.pages[0].Contents = pdf.make_stream(b"0 0.5 0 rg 0 0 30 15 re f")
        out = io.BytesIO()
        pdf.save(out)
        _form = out.getvalue()
    return _form
