"""SVG images drawn into the PDF as forms converted by vl-convert, not by WeasyPrint.

WeasyPrint draws an SVG image by walking its element tree in Python: about
60-90 ms for a typical chart, the largest single cost of a chart-heavy
report's PDF write. vl-convert (already a dependency for drawing charts)
converts SVG to PDF in compiled code (svg2pdf) in 15-30 ms, keeping
paths as paths and text as real text in the registered report font. The
chart workers convert each chart they draw for the PDF report right away,
and each SVG the kernel drew while the exporter starts (the chart cache keeps
the results, so a warm cache skips both steps); those forms are always
placed. Any other SVG image (the logo, formulas) is converted once per layout
process when the report has enough of it to pay for loading the converter.
WeasyPrint then places the result as a form XObject wherever the image
appears, scaled to its box. A chart whose PDF is ready reaches the layout as
an empty SVG of its size (see ``preprocessors.charts.form_stand_in``), not as its SVG.

WeasyPrint fills in the resources of the forms it knows (fonts included)
while it builds the PDF, so a converted form joins the page's XObjects
(reached through ``engine.compat.weasyprint``, as are the SVG images of the
render's cache) without resources, and ``finish`` adds them to the PDF afterwards (it is
passed as ``write_pdf``'s finisher). SVGs that may refer to anything outside
themselves (an ``href`` that is not a fragment or a ``data:`` URI, a CSS
``url()`` that is not a fragment) stay with
WeasyPrint, whose URL fetcher applies the report's URL policy; so does any
SVG vl-convert cannot convert.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zlib
from decimal import Decimal
from urllib.parse import unquote_to_bytes

import pydyf

from ..contracts import FORM_STAND_IN, FORM_STAND_IN_ATTRIBUTE, form_digest

#: A reference that may point outside the SVG itself: an href that is not
#: "#id" or a data: URI, or a CSS url() that is not "#id".
_OUTSIDE_REF = re.compile(rb"""href\s*=\s*["'](?!#|data:)|url\(\s*(?!["']?#)""")

#: Below this much SVG left to convert in a document, loading the converter (pikepdf
#: and vl-convert's fonts: about 0.1 s and 25 MiB) costs more than it saves
#: (WeasyPrint takes about 3 ms per KB of chart SVG to draw it).
MIN_SVG_BYTES = 150_000


def convert_all(images: dict, ready: dict[str, bytes]) -> dict:
    """URL -> PDFForm for the SVG images (URL -> WeasyPrint SVGImage) worth converting,
    each made to draw as its form; the rest are left to WeasyPrint. ``ready``: PDFs
    the chart workers already made, by ``form_digest`` of the SVG."""
    from ..engine.compat.weasyprint import draw_as
    sources = {url: svg_source(url) for url in images}
    converted = {url: ready.get(form_digest(svg)) for url, svg in sources.items() if svg is not None}
    unconverted = sum(len(sources[url]) for url, pdf in converted.items() if pdf is None)
    forms = {}
    for url, pdf in converted.items():
        if pdf is None and unconverted < MIN_SVG_BYTES:
            continue
        form = convert(sources[url], pdf)
        if form is not None:
            forms[url] = form
            draw_as(images[url], form.draw)
    return forms


#: How the template embeds an SVG, and how every form stand-in's base64 starts: that of the
#: stand-in's fixed start, cut to whole 3-byte groups (each gives 4 characters of its own).
_SVG_URI = "data:image/svg+xml;base64,"
_START = FORM_STAND_IN[: FORM_STAND_IN.index("{")].encode()
_STAND_IN_START = base64.b64encode(_START[: len(_START) // 3 * 3]).decode()
_STAND_IN_URI = re.compile(re.escape(_SVG_URI + _STAND_IN_START) + r"[A-Za-z0-9+/=]{0,1000}(?![A-Za-z0-9+/=])")


def stand_ins(html: str) -> set[str]:
    """The data URIs of the chart form stand-ins ``html`` shows (see ``FORM_STAND_IN_ATTRIBUTE``):
    each must be drawn as a form, or the chart would print as an empty box."""
    if _STAND_IN_START not in html:
        return set()
    marker = FORM_STAND_IN_ATTRIBUTE.encode()
    return {uri for uri in set(_STAND_IN_URI.findall(html)) if marker in (svg_source(uri) or b"")}


def svg_source(url: str) -> bytes | None:
    """The SVG bytes of a ``data:`` URL (how the report embeds its figures), else None."""
    if not url.startswith("data:"):
        return None
    header, _, payload = url.partition(",")
    return base64.b64decode(payload) if header.endswith(";base64") else unquote_to_bytes(payload)


def self_contained(svg: bytes) -> bool:
    """Whether the SVG refers to nothing outside itself, so a converted form may draw it."""
    return not _OUTSIDE_REF.search(svg)


def convert(svg: bytes, pdf: bytes | None = None) -> PDFForm | None:
    """The SVG as a form converted to PDF, or None when it must stay with WeasyPrint;
    ``pdf``: the conversion, when a chart worker made it already."""
    if not self_contained(svg):
        return None
    pdf = pdf or _convert_here(svg)
    return None if pdf is None else read_form(pdf)


def read_form(pdf: bytes) -> PDFForm | None:
    """A one-page PDF as a form to place, or None if it cannot be read (a damaged PDF from
    the chart cache)."""
    import pikepdf

    try:
        form = PDFForm(pikepdf.open(io.BytesIO(pdf)))
    except (pikepdf.PdfError, IndexError, ValueError):
        return None
    return form if form.width > 0 and form.height > 0 else None


def _convert_here(svg: bytes) -> bytes | None:
    """vl-convert's PDF of an SVG no chart worker converted (a kernel-drawn chart, a logo)."""
    from ocx_reports.charts.drawing import register_fonts, to_pdf

    from ..page import assets

    register_fonts(str(assets.font_dir()))
    try:
        return to_pdf(svg.decode("utf-8"))
    except UnicodeDecodeError:
        return None


class PDFForm:
    """One converted SVG: form XObjects that ``draw`` places, their resources added by ``finish``."""

    def __init__(self, document):
        self.document = document  # keeps the page's objects readable
        self.page = page = document.pages[0]
        left, bottom, right, top = (float(v) for v in page.mediabox)
        self.bbox = pydyf.Array((left, bottom, right, top))
        self.width, self.height = right - left, top - bottom
        self.left, self.top = left, top
        page.contents_coalesce()
        self.content = zlib.compress(page.obj.Contents.read_bytes())
        # One form per resources dictionary it is drawn from (the pages share
        # one; groups have their own): pydyf numbers an object each time it is added.
        self.forms: dict[int, tuple[str, pydyf.Stream]] = {}

    def draw(self, stream, width: float, height: float, _style=None) -> None:
        """Place the form in WeasyPrint's box of ``width`` x ``height`` (CSS px, y down);
        the signature of WeasyPrint's ``SVGImage.draw``, which it replaces."""
        from ..engine.compat.weasyprint import xobjects as resources_of

        key, xobjects = resources_of(stream)
        if key not in self.forms:
            form = _stream(self.content, {"Type": "/XObject", "Subtype": "/Form", "BBox": self.bbox})
            name = f"ocxsvg{len(xobjects)}"
            xobjects[name] = form
            self.forms[key] = name, form
        # Scaled to fit and centred, like an SVG's default preserveAspectRatio.
        scale = min(width / self.width, height / self.height)
        left, top = (width - self.width * scale) / 2, (height - self.height * scale) / 2
        stream.push_state()
        stream.transform(a=scale, d=-scale, e=left - scale * self.left, f=top + scale * self.top)
        stream.draw_x_object(self.forms[key][0])
        stream.pop_state()

    def finish(self, copier: "_Copier") -> None:
        """Add the forms' resources (fonts, graphics states...) to the written PDF."""
        resources = self.page.obj.get("/Resources")
        if resources is None or not self.forms:
            return
        copied = copier.copy_direct(resources, {})
        copier.pdf.add_object(copied)
        for _, form in self.forms.values():
            form.extra["Resources"] = copied.reference


def add_resources(forms, pdf: pydyf.PDF) -> None:
    """Add the resources of the ``PDFForm``s drawn in ``pdf``, as ``write_pdf``'s finisher does."""
    copier = _Copier(pdf)
    for form in forms:
        form.finish(copier)


def _stream(compressed: bytes, extra: dict) -> pydyf.Stream:
    return pydyf.Stream([compressed], pydyf.Dictionary({**extra, "Filter": "/FlateDecode"}))


class _Copier:
    """Copies pikepdf objects into a pydyf PDF: each indirect object once per source
    (``done``: its object and generation numbers -> the copy), and each distinct stream
    once per PDF, since converted charts share their colour profile and often their
    font subsets."""

    def __init__(self, pdf: pydyf.PDF):
        self.pdf = pdf
        self.streams: dict[bytes, pydyf.Stream] = {}  # content hash -> the copy

    def copy(self, value, done: dict):
        """``value`` as pydyf writes it; an indirect object becomes a reference to its copy."""
        import pikepdf

        if isinstance(value, pikepdf.Object) and value.is_indirect:
            if value.objgen not in done:
                if isinstance(value, pikepdf.Stream):
                    copied = self._stream(value, done)
                else:
                    copied = self.copy_direct(value, done)
                    if not isinstance(copied, pydyf.Object):
                        return copied
                    self.pdf.add_object(copied)
                done[value.objgen] = copied
            return done[value.objgen].reference
        return self.copy_direct(value, done)

    def copy_direct(self, value, done: dict):
        """``value`` itself copied, even if it is an indirect object."""
        import pikepdf

        if isinstance(value, pikepdf.Dictionary):
            # Sorted: vl-convert orders some dictionaries differently from one run to the next.
            return pydyf.Dictionary({key[1:]: self.copy(value.get(key), done) for key in sorted(value.keys())})
        if isinstance(value, pikepdf.Array):
            return pydyf.Array(self.copy(item, done) for item in value)
        if isinstance(value, pikepdf.Name):
            return pydyf.name(str(value)[1:])
        if isinstance(value, pikepdf.String):
            return b"<" + bytes(value).hex().encode() + b">"
        if isinstance(value, bool):
            return b"true" if value else b"false"
        if value is None:
            return b"null"
        return float(value) if isinstance(value, Decimal) else value  # an int

    def _stream(self, target, done: dict) -> pydyf.Stream:
        skip = {"/Length", "/Filter", "/DecodeParms"}
        extra = pydyf.Dictionary(
            {key[1:]: self.copy(target.stream_dict.get(key), done) for key in sorted(target.keys()) if key not in skip}
        )
        data = target.read_bytes()
        key = hashlib.sha256(extra.data + b"\n" + data).digest()
        if key not in self.streams:
            self.streams[key] = _stream(zlib.compress(data), extra)
            self.pdf.add_object(self.streams[key])
        return self.streams[key]
