"""Vega-Lite and Vega outputs become static SVG at export time, with no browser or network.

Notebooks run in JupyterLab, papermill or CI usually keep only a chart's
Vega-Lite JSON; the frontend draws it with JavaScript, which neither
WeasyPrint nor a printed page can run. This preprocessor draws it instead,
with vl-convert (the Vega libraries in an embedded JavaScript engine), and
leaves each output holding the one figure the report shows:

* the first mimetype of ``figure_priority`` present wins (by default an SVG
  the kernel already made, then the chart JSON, then PNG/JPEG), so SVG beats
  PNG for matplotlib too;
* conversions are cached by content hash and run in worker processes
  (``chartworkers``);
  for the PDF report the workers also convert each drawn chart, and each
  SVG the kernel drew, to PDF (see ``svgforms``), and the report's HTML
  holds an empty SVG of the chart's size in place of each chart whose PDF
  is ready (``form_stand_in``);
* vl-convert may fetch nothing (an empty allowed-base-URL list), so a chart
  that needs data from a URL fails fast instead of touching the network;
* a chart that cannot be drawn falls back to a PNG of it if the output has
  one, else to a visible placeholder box, and a warning names the cell;
  ``strict_charts`` turns that into an error.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from html import escape

from nbconvert.filters.strings import text_base64
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Enum, List, Unicode

from ocx_reports.chartsvg import CHART_CONFIG, VEGA_FONT_CONFIG, Chart, ChartError, Figure, vega_with_font

from . import svgforms
from .chartcache import ChartCache, content_key, svg_digest
from .chartworkers import Drawing, Drawn
from .error_outputs import describe_cell
from .errors import ReportError
from .visibility import DROP_CELL, DROP_OUTPUT, cell_tags

_CHART_MIMETYPE = re.compile(r"^application/vnd\.(vegalite|vega)\.v(\d+)\+json$")
CHART_MIMETYPES = (
    "application/vnd.vegalite.v6+json",
    "application/vnd.vegalite.v5+json",
    "application/vnd.vegalite.v4+json",
    "application/vnd.vega.v6+json",
    "application/vnd.vega.v5+json",
)
DEFAULT_FIGURE_PRIORITY = ["image/svg+xml", *CHART_MIMETYPES, "image/png", "image/jpeg"]
#: What a chart output's frontend view is made of besides the JSON: dropped
#: once the chart is static, since the sanitizer would leave it empty anyway.
_SCRIPTED_VIEWS = ("text/html", "application/javascript")

REMOVED_OUTPUT_TAGS = DROP_CELL | DROP_OUTPUT

#: Printable area of the report page, in CSS px (1/96 in): width per paper
#: size (page width minus 0.75in margins) and the stylesheet's max-height.
PRINTABLE_WIDTH_PX = {"letter": 7.0 * 96, "a4": (8.27 - 1.5) * 96}
PRINTABLE_HEIGHT_PX = 7.6 * 96
#: Below this, scaled-down chart text is hard to read on paper: warn.
MIN_TEXT_PT = 5.0

#: Runs in the HTML page of ``interactive_charts``: draws each chart live with
#: vega-embed and hides its static SVG only once that worked. ``ast``: Vega evaluates
#: expressions with its interpreter rather than compiling them with ``Function``, which
#: the report's Content-Security-Policy forbids.
EMBED_SNIPPET = """
function showChart(box) {
  const spec = JSON.parse(box.querySelector("script.ocx-chart-spec").textContent);
  vegaEmbed(box.querySelector(".ocx-chart-view"), spec, {mode: "vega", renderer: "svg", actions: false, ast: true})
    .then(() => box.classList.add("ocx-chart-live"))
    .catch((error) => console.warn("ocx-reports: chart kept static:", error));
}
window.addEventListener("DOMContentLoaded", () => document.querySelectorAll(".ocx-chart").forEach(showChart));
"""


#: The cache's kind for a chart's PDF (base64 text), which the PDF report places.
PDF_SUFFIX = ".pdf.b64"

def chart_key(chart: Chart) -> str:
    """Cache key: the spec and everything else that changes the picture."""
    import vl_convert

    return content_key(chart.mode, chart.spec, chart.vl_version, CHART_CONFIG, VEGA_FONT_CONFIG, vl_convert.__version__)


def figure_key(svg: str) -> str:
    """Cache key of a kernel-drawn SVG's PDF."""
    return content_key("figure", svg, _converter_version())


@functools.lru_cache(maxsize=1)
def _converter_version() -> str:
    """vl-convert's version, read from its metadata (about 1 ms): this process need
    not load the converter for kernel-drawn SVGs."""
    from importlib.metadata import version

    return version("vl-convert-python")


def is_chart_mimetype(mimetype: str) -> bool:
    return bool(_CHART_MIMETYPE.match(mimetype))


def vegalite_version(major: int, schema: str, available: list[str]) -> str:
    """The vl-convert Vega-Lite version for a spec: its ``$schema`` version if shipped,
    else the newest of its major version; older majors (v4) get the oldest shipped."""
    versions = sorted(available, key=lambda v: tuple(int(p) for p in v.split(".")))
    found = re.search(r"/v(\d+)(?:\.(\d+))?", schema or "")
    if found:
        major = int(found.group(1))
        if found.group(2) and f"{major}.{found.group(2)}" in versions:
            return f"{major}.{found.group(2)}"
    same_major = [v for v in versions if int(v.split(".")[0]) == major]
    if same_major:
        return same_major[-1]
    return versions[0] if major < int(versions[0].split(".")[0]) else versions[-1]


def chart_for(mimetype: str, data) -> Chart:
    """The chart an output's JSON describes."""
    try:
        # Plain JSON types (not nbformat's dict subclass): cheap to hash and to
        # send to a worker process.
        spec = json.loads(data if isinstance(data, str) else json.dumps(data))
    except ValueError as exc:
        raise ChartError(f"the chart JSON does not parse ({exc})") from None
    if not isinstance(spec, dict):
        raise ChartError("the chart JSON is not an object")
    kind, major = _CHART_MIMETYPE.match(mimetype).groups()
    if kind == "vega":
        return Chart("vega", spec)
    import vl_convert

    version = vegalite_version(int(major), spec.get("$schema", ""), vl_convert.get_vegalite_versions())
    return Chart("vega-lite", spec, version)


def to_vega(chart: Chart) -> dict:
    """The chart as a Vega spec, so one bundled Vega draws every Vega-Lite version."""
    if chart.mode == "vega":
        return vega_with_font(chart.spec)
    import vl_convert

    return vl_convert.vegalite_to_vega(chart.spec, vl_version=chart.vl_version, config=CHART_CONFIG)


def embed_script(cache: ChartCache) -> str:
    """Vega, Vega-Lite, vega-embed and our snippet as one inline script (no CDN)."""
    import vl_convert

    key = content_key("embed-script", EMBED_SNIPPET, vl_convert.__version__)
    script = cache.get(key, ".js")
    if script is None:
        script = vl_convert.javascript_bundle(EMBED_SNIPPET).replace("</script", "<\\/script")
        cache.put(key, script, ".js")
    return script


def printed_text_pt(svg: str, printable_px: float) -> float | None:
    """The smallest chart text size on paper once the chart is scaled to fit, in pt."""
    size = re.search(r'<svg[^>]*?\bwidth="([\d.]+)"[^>]*?\bheight="([\d.]+)"', svg)
    fonts = [float(px) for px in re.findall(r'font-size="([\d.]+)px"', svg)]
    if not size or not fonts:
        return None
    width, height = float(size.group(1)), float(size.group(2))
    scale = min(1.0, printable_px / width, PRINTABLE_HEIGHT_PX / height)
    return min(fonts) * 0.75 * scale


def chart_alt(spec: dict) -> str:
    """Alternative text for a chart image: its description, else its title."""
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(spec.get("description") or title or "Chart")


def placeholder_html(reason: str) -> str:
    return (
        '<div class="ocx-chart-placeholder"><span class="ocx-chart-placeholder-title">'
        f"Chart not shown</span> {escape(reason)}</div>"
    )


def stand_in(key: str) -> str:
    """What a chart still being drawn shows while the report renders: an SVG unique to it."""
    return f'<svg xmlns="http://www.w3.org/2000/svg" data-ocx-drawing="{key}"/>'


#: The size attributes of an SVG's root element, which are all a layout reads of it.
_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE = re.compile(r'\s((?:width|height|viewBox)="[^"<>]*")')


def form_stand_in(key: str, svg: str) -> str | None:
    """What the PDF report's HTML holds for a chart whose PDF form is ready: an empty SVG
    of the chart's size (the layout places the form in its box, see ``svgforms``), so the
    chart's SVG is not carried through the template, the HTML parser and the image decoder
    of every layout process. None if the SVG's size cannot be read."""
    root = _ROOT.search(svg)  # after any XML declaration and doctype (matplotlib writes both)
    size = _SIZE.findall(root.group(0)) if root else []
    if not {attribute.split("=")[0] for attribute in size} >= {"width", "height"}:
        return None
    return f'<svg xmlns="http://www.w3.org/2000/svg" {" ".join(size)} data-ocx-chart="{key}"/>'


def _swap(html: str, replacements: dict[str, str]) -> str:
    """``html`` with each key of ``replacements`` (an SVG's data URI, as the template embeds
    it) replaced by its value, copying the report once: a ``str.replace`` per chart copied
    the whole report each time (40 charts in a 2 MB report: 160 ms), and one regular
    expression of them all takes long to compile when the keys are whole SVGs."""
    spans = []
    for old, new in replacements.items():
        start = html.find(old)
        while start >= 0:
            spans.append((start, start + len(old), new))
            start = html.find(old, start + len(old))
    if not spans:
        return html
    parts, done = [], 0
    for start, end, new in sorted(spans):
        parts += [html[done:start], new]
        done = end
    parts.append(html[done:])
    return "".join(parts)


def show_only(output, mimetype: str, value) -> None:
    """Leave ``output`` showing ``value`` as ``mimetype``; drop the other figure representations."""
    data = output["data"]
    scripted = any(is_chart_mimetype(m) for m in data)
    for other in list(data):
        if other.startswith("image/") or is_chart_mimetype(other) or (scripted and other in _SCRIPTED_VIEWS):
            del data[other]
    data[mimetype] = value


class ChartPreprocessor(Preprocessor):
    """Chart JSON -> SVG; one figure per output, chosen by ``figure_priority``."""

    figure_priority = List(
        Unicode(),
        default_value=DEFAULT_FIGURE_PRIORITY,
        help="Which representation of a figure output the report shows, first found wins. "
        "Chart JSON (Vega-Lite/Vega mimetypes) is drawn to SVG at export time.",
    ).tag(config=True)
    interactive_charts = Bool(
        False, help="HTML only: draw charts live with vega-embed (inlined, no CDN), the SVG as fallback."
    ).tag(config=True)
    strict_charts = Bool(False, help="Fail the export when a chart cannot be drawn.").tag(config=True)
    chart_cache_dir = Unicode(
        "", help="Directory that keeps drawn charts between exports (batch builds); empty: memory only."
    ).tag(config=True)
    page_size = Enum(["letter", "a4"], default_value="letter", help="Paper size of the report.").tag(
        config=True
    )
    pdf_forms = Bool(
        False, help="Also convert each drawn chart to PDF, for the PDF report's layout (set by its exporter)."
    )

    def __init__(self, **kw):
        super().__init__(**kw)
        self._caches: dict[str, ChartCache] = {}
        self._started: dict[str, Drawing] = {}  # chart key -> the drawing that has it
        self._failures: dict[str, ChartError] = {}  # charts that could not be drawn, by key
        self._awaiting = None  # (pending outputs, drawings) that ``finish`` waits for
        self._kernel_svgs: dict[str, str] = {}  # kernel-drawn SVG shown -> its cache key
        self._converting: Drawing | None = None  # of those SVGs to PDF, for ``finish``
        self._readable_pdfs: set[str] = set()  # chart keys whose cached PDF the layout can place

    @property
    def cache(self) -> ChartCache:
        """The cache for the current ``chart_cache_dir`` (kept for the exporter's life)."""
        directory = self.chart_cache_dir
        if directory not in self._caches:
            self._caches[directory] = ChartCache(directory or None)
        return self._caches[directory]

    def _figures(self, nb):
        """(cell index, cell, output, mimetype shown) of each figure output the report keeps.

        This runs before the visibility preprocessor, so that messages count
        cells as the notebook does; outputs it will drop are not drawn.
        """
        for index, cell in enumerate(nb.cells):
            if cell_tags(cell) & REMOVED_OUTPUT_TAGS:
                continue
            for output in cell.get("outputs", ()):
                data = output.get("data") or {}
                chosen = next((m for m in self.figure_priority if m in data), None)
                if chosen is not None:
                    yield index, cell, output, chosen

    def start(self, nb) -> bool:
        """Start drawing ``nb``'s uncached charts now, in the background: the exporter
        calls this first thing, so that the chart workers' JavaScript engines start
        while it loads WeasyPrint and copies the notebook. Whether any are being drawn.

        For the PDF report, the SVGs the kernel drew start being converted to PDF
        too (``finish`` adds them to the forms), so that the layout neither draws
        them in Python nor loads the converter itself (see ``svgforms``)."""
        todo, figures = {}, {}
        self._failures.clear()  # a chart that failed in an earlier export is tried again
        self._kernel_svgs.clear()
        for *_, output, chosen in self._figures(nb):
            if chosen == "image/svg+xml" and self.pdf_forms:
                self._kernel_svg(output["data"][chosen], figures)
            if not is_chart_mimetype(chosen):
                continue
            try:
                chart = chart_for(chosen, output["data"][chosen])
            except ChartError:
                continue  # reported by preprocess
            key = chart_key(chart)
            if key not in self._started and self.cache.get(key) is None:
                todo[key] = chart
        if todo:
            self._started.update(dict.fromkeys(todo, Drawing(todo, self.pdf_forms)))
        self._converting = Drawing(figures, pdf=True) if figures else None
        return bool(self._started)

    def _kernel_svg(self, svg, figures: dict[str, Figure]) -> None:
        """Note a kernel-drawn SVG the PDF report shows, if a converted form may draw it,
        and add it to ``figures`` to convert unless the cache has it."""
        data = svg.encode() if isinstance(svg, str) else None
        if data is not None and svgforms.self_contained(data):
            key = self._kernel_svgs[svg] = figure_key(svg)
            if self.cache.get(key, PDF_SUFFIX) is None:
                figures[key] = Figure(svg)

    def preprocess(self, nb, resources):
        """Show each chart output as its drawn SVG. While charts are still being drawn,
        each shows a stand-in and the report renders meanwhile; ``finish`` then swaps the
        drawn SVGs in (not with ``interactive_charts``, whose script the render needs)."""
        self._awaiting = None
        pending = []
        for cell in nb.cells:  # only this preprocessor says what is a chart (and what it loads)
            for output in cell.get("outputs", ()):
                if isinstance(output.get("metadata"), dict):
                    output["metadata"].pop("ocx_chart", None)
        for index, cell, output, chosen in self._figures(nb):
            data = output["data"]
            if not is_chart_mimetype(chosen):
                show_only(output, chosen, data[chosen])
                continue
            try:
                chart = chart_for(chosen, data[chosen])
                pending.append((index, cell, output, chart, chart_key(chart)))
            except ChartError as exc:
                self._failed(index, cell, output, str(exc))
        if not pending:
            return nb, resources
        keys = {key: chart for *_, chart, key in pending}
        drawings = self._begin(keys)
        if drawings and not self.interactive_charts:
            self._awaiting = (pending, drawings)
            for _, _, output, chart, key in pending:
                self._show(output, chart, stand_in(key))
            return nb, resources
        drawn = self._collect(keys, drawings)
        shown = self._add_forms(drawn, resources)
        for index, cell, output, chart, key in pending:
            result = drawn[key]
            if isinstance(result, ChartError):
                self._failed(index, cell, output, str(result))
                continue
            self._show(output, chart, shown[key])
            self._check_text_size(index, cell, result)
        if self.interactive_charts and any(not isinstance(r, ChartError) for r in drawn.values()):
            resources["ocx_charts"] = {"script": embed_script(self.cache)}
        return nb, resources

    def finish(self, html: str, resources) -> str | None:
        """The rendered report with the drawn SVGs in place of their stand-ins, or None
        when a chart could not be drawn: the report must then be rendered again, and
        ``preprocess`` shows that chart's fallback (the failure is remembered)."""
        if self._awaiting is None:
            return self._add_kernel_forms(html, resources)
        pending, drawings = self._awaiting
        self._awaiting = None
        drawn = self._collect({key: chart for *_, chart, key in pending}, drawings)
        if any(isinstance(result, ChartError) for result in drawn.values()):
            return None
        shown = self._add_forms(drawn, resources)
        html = _swap(html, {text_base64(stand_in(key)): text_base64(svg) for key, svg in shown.items()})
        for index, cell, _, _, key in pending:
            self._check_text_size(index, cell, drawn[key])
        return self._add_kernel_forms(html, resources)

    def _begin(self, keys: dict[str, Chart]) -> dict[str, Drawing]:
        """The drawing of each chart not cached or known to fail: those ``start`` began,
        and one begun now for the rest."""
        started = {key: self._started.pop(key) for key in keys if key in self._started}
        missing = {
            key: chart
            for key, chart in keys.items()
            if key not in started and key not in self._failures and self.cache.get(key) is None
        }
        if missing:
            started.update(dict.fromkeys(missing, Drawing(missing, self.pdf_forms)))
        return started

    def _collect(self, keys: dict[str, Chart], drawings: dict[str, Drawing]) -> dict:
        """SVG (or ChartError) per chart key, once ``drawings`` are done; drawn charts go
        into the cache, failures into ``_failures``."""
        for drawing in set(drawings.values()):
            for key, result in drawing.wait().items():
                if isinstance(result, ChartError):
                    self._failures[key] = result
                    continue
                self.cache.put(key, result.svg)
                if result.pdf is not None:
                    self.cache.put(key, result.pdf, PDF_SUFFIX)
                    self._readable_pdfs.add(key)
        return {key: self._failures.get(key) or self.cache.get(key) for key in keys}

    def _add_forms(self, drawn: dict, resources) -> dict:
        """What the report shows of each chart, by key: for the PDF report, the form
        stand-in of each chart whose PDF is ready (its PDF goes into the forms, by digest
        of the stand-in; see svgforms.py), else its SVG (the layout then converts it)."""
        shown = dict(drawn)
        if self.pdf_forms:
            forms = resources.setdefault("ocx_pdf_forms", {})
            for key, svg in drawn.items():
                pdf = None if isinstance(svg, ChartError) else self._cached_pdf(key)
                if pdf and self._readable(key, pdf):
                    shown[key] = form_stand_in(key, svg) or svg
                    forms[svg_digest(shown[key].encode())] = pdf
        return shown

    def _readable(self, key: str, pdf: bytes) -> bool:
        """Whether the layout can place the chart's PDF, which it must once the report holds
        its stand-in instead of the SVG: always for a PDF a chart worker made here; one from
        the disk cache is opened once to make sure (a damaged one is passed over)."""
        if key not in self._readable_pdfs and svgforms.read_form(pdf) is not None:
            self._readable_pdfs.add(key)
        return key in self._readable_pdfs

    def _add_kernel_forms(self, html: str, resources) -> str:
        """The report with each kernel-drawn SVG that ``start`` noted and whose PDF is ready
        shown as its form stand-in, as drawn charts are (see ``_add_forms``); its PDF goes
        into the forms. An SVG the template did not embed as a base64 data URI (nbconvert's
        ``skip_svg_encoding``, an extracted output) is not found, and stays for the layout."""
        if self._converting is not None:
            for key, result in self._converting.wait().items():
                if isinstance(result, Drawn) and result.pdf is not None:
                    self.cache.put(key, result.pdf, PDF_SUFFIX)
                    self._readable_pdfs.add(key)
            self._converting = None
        forms, swaps = {}, {}
        for svg, key in self._kernel_svgs.items():
            pdf = self._cached_pdf(key)
            if not pdf or not self._readable(key, pdf):
                continue
            forms[svg_digest(svg.encode())] = pdf  # where it stays whole
            shown = form_stand_in(key, svg)
            if shown is not None:
                swaps[text_base64(svg)] = text_base64(shown)
                forms[svg_digest(shown.encode())] = pdf
        if forms:
            resources.setdefault("ocx_pdf_forms", {}).update(forms)
        return _swap(html, swaps)

    def _cached_pdf(self, key: str) -> bytes | None:
        """The chart's PDF from the cache, if it holds a sound one; a damaged cache file is
        passed over, and the layout then converts the SVG itself."""
        try:
            pdf = base64.b64decode(self.cache.get(key, PDF_SUFFIX) or "", validate=True)
        except ValueError:
            return None
        return pdf if pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF") else None

    def _show(self, output, chart: Chart, svg: str) -> None:
        show_only(output, "image/svg+xml", svg)
        shown = {"alt": chart_alt(chart.spec)}
        if self.interactive_charts:
            shown["vega"] = to_vega(chart)
        output.setdefault("metadata", {})["ocx_chart"] = shown

    def _check_text_size(self, index, cell, svg: str) -> None:
        smallest = printed_text_pt(svg, PRINTABLE_WIDTH_PX[self.page_size])
        if smallest is not None and smallest < MIN_TEXT_PT:
            self.log.warning(
                "%s: the chart is scaled down to fit the page and its smallest text prints at "
                "%.1fpt; make it narrower or split it into several charts",
                describe_cell(index, cell),
                smallest,
            )

    def _failed(self, index, cell, output, reason: str) -> None:
        where = describe_cell(index, cell)
        if self.strict_charts:
            raise ReportError(f"{where}: the chart cannot be drawn: {reason}")
        fallback = next((m for m in ("image/png", "image/jpeg") if m in output["data"]), None)
        if fallback:
            self.log.warning("%s: the chart cannot be drawn (%s); showing its %s instead", where, reason, fallback)
            show_only(output, fallback, output["data"][fallback])
        else:
            self.log.warning("%s: the chart cannot be drawn: %s", where, reason)
            show_only(output, "text/html", placeholder_html(reason))
