"""Vega-Lite and Vega outputs become static SVG at export time, with no browser or network.

Notebooks run in JupyterLab, papermill or CI usually keep only a chart's
Vega-Lite JSON; the frontend draws it with JavaScript, which neither
WeasyPrint nor a printed page can run. This preprocessor draws it instead,
with vl-convert (the Vega libraries in an embedded JavaScript engine), and
leaves each output holding the one figure the report shows:

* a chart counts in whichever form the notebook holds it: chart JSON, Altair 6.3's
  misspelled ``…v6.json`` key, or the ``<script>`` of Altair's html renderer (see
  ``ocx_reports.charts.specs``);
* the first mimetype of ``figure_priority`` present wins (by default an SVG
  the kernel already made, then the chart JSON, then PNG/JPEG), so SVG beats
  PNG for matplotlib too;
* conversions are cached by content hash and run in worker processes
  (``ocx_reports.charts.workers``);
  for the PDF report the workers also convert each drawn chart, and each
  SVG the kernel drew, to PDF (see ``layout.svgforms``), and the report's HTML
  holds an empty SVG of the chart's size in place of each chart whose PDF
  is ready (``form_stand_in``);
* vl-convert may fetch nothing (an empty allowed-base-URL list), so a chart
  that needs data from a URL fails fast instead of touching the network;
* a chart that cannot be drawn falls back to a PNG of it if the output has
  one, else to a visible placeholder box, and a warning names the cell;
  ``strict_charts`` turns that into an error;
* every chart and SVG figure prints its text in the report font, whatever font
  it asks for (see ``ocx_reports.charts.fonts``), and a cell whose figures' text
  prints too small once fitted to the page gets one warning (``ocx_reports.charts.textsize``).

The charts themselves (reading, drawing, caching) live in ``ocx_reports.charts``; this
module decides what each output shows. Besides ``preprocess``, the exporter calls ``start``
before the render and ``finish`` after it, handing each the export (``exporters.export``):
what they began, showed and made (``Export.charts``, ``Export.forms``) is that export's.
"""

from __future__ import annotations

import base64
import re

from nbconvert.filters.strings import text_base64
from nbconvert.preprocessors import Preprocessor

from ocx_reports.charts.cache import PDF_SUFFIX, ChartCache, chart_key, figure_key
from ocx_reports.charts.drawing import Chart, ChartError, Figure
from ocx_reports.charts.fonts import svg_in_report_font
from ocx_reports.charts.live import embed_script, to_vega
from ocx_reports.charts.specs import CHART_MIMETYPES, chart_for, is_chart_mimetype, with_charts
from ocx_reports.charts.textsize import printed_text_pt
from ocx_reports.charts.workers import Drawing, Drawn

from ..contracts import (
    CHART_METADATA,
    DRAWING_ATTRIBUTE,
    EXPORT_RESOURCE,
    FORM_STAND_IN,
    PRINTABLE_HEIGHT_PX,
    PRINTABLE_WIDTH_PX,
    form_digest,
)
from ..errors import ReportError
from ..export import ChartWork, Export
from ..layout import svgforms
from . import exporter_option
from .error_outputs import describe_cell
from .notices import notice_html
from .visibility import REMOVED_OUTPUT_TAGS, cell_tags

DEFAULT_FIGURE_PRIORITY = ["image/svg+xml", *CHART_MIMETYPES, "image/png", "image/jpeg"]
#: What a chart output's frontend view is made of besides the JSON: dropped
#: once the chart is static, since the sanitizer would leave it empty anyway.
_SCRIPTED_VIEWS = ("text/html", "application/javascript")

#: Below this, scaled-down chart text is hard to read on paper: warn.
MIN_TEXT_PT = 5.0


def chart_alt(spec: dict) -> str:
    """Alternative text for a chart image: its description, else its title."""
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(spec.get("description") or title or "Chart")


def placeholder_html(reason: str) -> str:
    return notice_html("Chart not shown", reason)


def stand_in(key: str) -> str:
    """What a chart still being drawn shows while the report renders: an SVG unique to it."""
    return f'<svg xmlns="http://www.w3.org/2000/svg" {DRAWING_ATTRIBUTE}="{key}"/>'


#: The size attributes of an SVG's root element, which are all a layout reads of it.
_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE = re.compile(r'\s((?:width|height|viewBox)="[^"<>]*")')


def form_stand_in(key: str, svg: str) -> str | None:
    """What the PDF report's HTML holds for a chart whose PDF form is ready: an empty SVG
    of the chart's size (the layout places the form in its box, see ``layout.svgforms``), so the
    chart's SVG is not carried through the template, the HTML parser and the image decoder
    of every layout process. None if the SVG's size cannot be read."""
    root = _ROOT.search(svg)  # after any XML declaration and doctype (matplotlib writes both)
    size = _SIZE.findall(root.group(0)) if root else []
    if not {attribute.split("=")[0] for attribute in size} >= {"width", "height"}:
        return None
    return FORM_STAND_IN.format(size=" ".join(size), key=key)


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
    """Chart JSON -> SVG; one figure per output, chosen by ``figure_priority``.

    What it does for one export (charts begun, drawings awaited, forms made) is that export's
    ``Export.charts`` and ``Export.forms``, handed to ``start`` and ``finish`` by the exporter
    and found by ``preprocess`` in the resources; the preprocessor itself keeps only caches."""

    figure_priority = exporter_option("figure_priority")
    strict_charts = exporter_option("strict_charts")
    chart_cache_dir = exporter_option("chart_cache_dir")
    page_size = exporter_option("page_size")

    @property
    def interactive_charts(self) -> bool:
        """The exporter's ``interactive_charts``: live charts need JavaScript, so only the
        HTML report has them."""
        return self.parent.interactive_charts and self.parent.output_mimetype == "text/html"

    def __init__(self, **kw):
        super().__init__(**kw)
        # Caches kept for the life of the exporter (a batch build's worker exports many
        # notebooks with one), never an export's state: the drawn charts, by cache folder,
        # and the keys of cached chart PDFs known to be sound.
        self._caches: dict[str, ChartCache] = {}
        self._readable_pdfs: set[str] = set()

    @property
    def cache(self) -> ChartCache:
        """The cache for the current ``chart_cache_dir`` (kept for the exporter's life)."""
        directory = self.chart_cache_dir
        if directory not in self._caches:
            self._caches[directory] = ChartCache(directory or None)
        return self._caches[directory]

    def _figures(self, nb, expose: bool = False):
        """(cell index, cell, output, mimetype shown, its data) of each figure output the
        report keeps. A chart counts in whichever form the output holds it (``ocx_reports.charts.specs``);
        ``expose`` leaves it under its chart mimetype in the output, for ``preprocess``.

        This runs before the visibility preprocessor, so that messages count
        cells as the notebook does; outputs it will drop are not drawn.
        """
        for index, cell in enumerate(nb.cells):
            if cell_tags(cell) & REMOVED_OUTPUT_TAGS:
                continue
            for output in cell.get("outputs", ()):
                data = output.get("data")
                data = with_charts(data) if isinstance(data, dict) else {}
                chosen = next((m for m in self.figure_priority if m in data), None)
                if chosen is not None:
                    if expose and data is not output["data"]:
                        output["data"] = data
                    yield index, cell, output, chosen, data[chosen]

    def start(self, nb, export: Export) -> None:
        """Start drawing ``nb``'s uncached charts now, in the background: the exporter
        calls this first thing, so that the chart workers' JavaScript engines start
        while the layout service loads WeasyPrint and the exporter copies the notebook.

        For the PDF report, the SVGs the kernel drew start being converted to PDF
        too (``finish`` adds them to the forms), so that the layout neither draws
        them in Python nor loads the converter itself (see ``layout.svgforms``)."""
        work, forms = export.charts, export.allows("chart_forms")
        todo, figures = {}, {}
        for *_, chosen, value in self._figures(nb):
            if chosen == "image/svg+xml" and forms:
                self._kernel_svg(work, self._printable(work, value), figures)
            if not is_chart_mimetype(chosen):
                continue
            try:
                chart = chart_for(chosen, value)
            except ChartError:
                continue  # reported by preprocess
            key = chart_key(chart)
            if key not in work.started and self.cache.get(key) is None:
                todo[key] = chart
        if todo:
            work.started.update(dict.fromkeys(todo, Drawing(todo, forms)))
        work.converting = Drawing(figures, pdf=True) if figures else None

    @staticmethod
    def _printable(work: ChartWork, svg):
        """A kernel-drawn SVG with its text in the report font (see ``ocx_reports.charts.fonts``),
        as the report shows it: worked out once per export, for ``start`` and ``preprocess``."""
        if not isinstance(svg, str):
            return svg
        if svg not in work.in_report_font:
            work.in_report_font[svg] = svg_in_report_font(svg)
        return work.in_report_font[svg]

    def _kernel_svg(self, work: ChartWork, svg, figures: dict[str, Figure]) -> None:
        """Note a kernel-drawn SVG the PDF report shows, if a converted form may draw it,
        and add it to ``figures`` to convert unless the cache has it."""
        data = svg.encode() if isinstance(svg, str) else None
        if data is not None and svgforms.self_contained(data):
            key = work.kernel_svgs[svg] = figure_key(svg)
            if self.cache.get(key, PDF_SUFFIX) is None:
                figures[key] = Figure(svg)

    def preprocess(self, nb, resources):
        """Show each chart output as its drawn SVG. While charts are still being drawn,
        each shows a stand-in and the report renders meanwhile; ``finish`` then swaps the
        drawn SVGs in (not with ``interactive_charts``, whose script the render needs)."""
        export = resources[EXPORT_RESOURCE]
        work = export.charts
        work.awaiting = None
        work.small_text.clear()
        pending = []
        for cell in nb.cells:  # only this preprocessor says what is a chart (and what it loads)
            for output in cell.get("outputs", ()):
                if isinstance(output.get("metadata"), dict):
                    output["metadata"].pop(CHART_METADATA, None)
        for index, cell, output, chosen, value in self._figures(nb, expose=True):
            if not is_chart_mimetype(chosen):
                if chosen == "image/svg+xml":
                    value = self._printable(work, value)
                    self._note_text_size(work, index, cell, value)
                show_only(output, chosen, value)
                continue
            try:
                chart = chart_for(chosen, value)
                pending.append((index, cell, output, chart, chart_key(chart)))
            except ChartError as exc:
                self._failed(index, cell, output, str(exc))
        if not pending:
            return nb, resources
        keys = {key: chart for *_, chart, key in pending}
        drawings = self._begin(export, keys)
        if drawings and not self.interactive_charts:
            work.awaiting = (pending, drawings)
            for _, _, output, chart, key in pending:
                self._show(output, chart, stand_in(key))
            return nb, resources
        drawn = self._collect(work, keys, drawings)
        shown = self._add_forms(drawn, export)
        for index, cell, output, chart, key in pending:
            result = drawn[key]
            if isinstance(result, ChartError):
                self._failed(index, cell, output, str(result))
                continue
            self._show(output, chart, shown[key])
            self._note_text_size(work, index, cell, result)
        if self.interactive_charts and any(not isinstance(r, ChartError) for r in drawn.values()):
            export.charts_script = embed_script(self.cache)
        return nb, resources

    def finish(self, html: str, export: Export) -> str | None:
        """The rendered report with the drawn SVGs in place of their stand-ins, or None
        when a chart could not be drawn: the report must then be rendered again, and
        ``preprocess`` shows that chart's fallback (the failure is remembered). Warns of
        figures whose text prints too small, once the last chart is drawn."""
        work = export.charts
        if work.awaiting is None:
            self._warn_small_text(work)
            return self._add_kernel_forms(html, export)
        pending, drawings = work.awaiting
        work.awaiting = None
        drawn = self._collect(work, {key: chart for *_, chart, key in pending}, drawings)
        if any(isinstance(result, ChartError) for result in drawn.values()):
            return None
        shown = self._add_forms(drawn, export)
        html = _swap(html, {text_base64(stand_in(key)): text_base64(svg) for key, svg in shown.items()})
        for index, cell, _, _, key in pending:
            self._note_text_size(work, index, cell, drawn[key])
        self._warn_small_text(work)
        return self._add_kernel_forms(html, export)

    def _begin(self, export: Export, keys: dict[str, Chart]) -> dict[str, Drawing]:
        """The drawing of each chart not cached or known to fail: those ``start`` began,
        and one begun now for the rest."""
        work = export.charts
        started = {key: work.started.pop(key) for key in keys if key in work.started}
        missing = {
            key: chart
            for key, chart in keys.items()
            if key not in started and key not in work.failures and self.cache.get(key) is None
        }
        if missing:
            started.update(dict.fromkeys(missing, Drawing(missing, export.allows("chart_forms"))))
        return started

    def _collect(self, work: ChartWork, keys: dict[str, Chart], drawings: dict[str, Drawing]) -> dict:
        """SVG (or ChartError) per chart key, once ``drawings`` are done; drawn charts go
        into the cache, failures into the export's."""
        for drawing in set(drawings.values()):
            for key, result in drawing.wait().items():
                if isinstance(result, ChartError):
                    work.failures[key] = result
                    continue
                self.cache.put(key, result.svg)
                if result.pdf is not None:
                    self.cache.put(key, result.pdf, PDF_SUFFIX)
                    self._readable_pdfs.add(key)
        return {key: work.failures.get(key) or self.cache.get(key) for key in keys}

    def _add_forms(self, drawn: dict, export: Export) -> dict:
        """What the report shows of each chart, by key: for the PDF report, the form
        stand-in of each chart whose PDF is ready (its PDF goes into the export's forms, by
        digest of the stand-in; see layout/svgforms.py), else its SVG (the layout then converts it)."""
        shown = dict(drawn)
        if export.allows("chart_forms"):
            for key, svg in drawn.items():
                pdf = None if isinstance(svg, ChartError) else self._cached_pdf(key)
                if pdf and self._readable(key, pdf):
                    shown[key] = form_stand_in(key, svg) or svg
                    export.forms[form_digest(shown[key].encode())] = pdf
        return shown

    def _readable(self, key: str, pdf: bytes) -> bool:
        """Whether the layout can place the chart's PDF, which it must once the report holds
        its stand-in instead of the SVG: always for a PDF a chart worker made here; one from
        the disk cache is opened once to make sure (a damaged one is passed over)."""
        if key not in self._readable_pdfs and svgforms.read_form(pdf) is not None:
            self._readable_pdfs.add(key)
        return key in self._readable_pdfs

    def _add_kernel_forms(self, html: str, export: Export) -> str:
        """The report with each kernel-drawn SVG that ``start`` noted and whose PDF is ready
        shown as its form stand-in, as drawn charts are (see ``_add_forms``); its PDF goes
        into the forms. An SVG the template did not embed as a base64 data URI (nbconvert's
        ``skip_svg_encoding``, an extracted output) is not found, and stays for the layout."""
        work = export.charts
        if work.converting is not None:
            for key, result in work.converting.wait().items():
                if isinstance(result, Drawn) and result.pdf is not None:
                    self.cache.put(key, result.pdf, PDF_SUFFIX)
                    self._readable_pdfs.add(key)
            work.converting = None
        swaps = {}
        for svg, key in work.kernel_svgs.items():
            pdf = self._cached_pdf(key)
            if not pdf or not self._readable(key, pdf):
                continue
            export.forms[form_digest(svg.encode())] = pdf  # where it stays whole
            shown = form_stand_in(key, svg)
            if shown is not None:
                swaps[text_base64(svg)] = text_base64(shown)
                export.forms[form_digest(shown.encode())] = pdf
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
        output.setdefault("metadata", {})[CHART_METADATA] = shown

    def _note_text_size(self, work: ChartWork, index, cell, svg) -> None:
        """Note the cell if the SVG figure's text prints under ``MIN_TEXT_PT`` once fitted
        to the page (kernel-drawn or drawn here); ``finish`` warns once per cell."""
        if not isinstance(svg, str):
            return
        smallest = printed_text_pt(svg, PRINTABLE_WIDTH_PX[self.page_size], PRINTABLE_HEIGHT_PX)
        if smallest is not None and smallest < work.small_text.get(index, (cell, MIN_TEXT_PT))[1]:
            work.small_text[index] = (cell, smallest)

    def _warn_small_text(self, work: ChartWork) -> None:
        """One warning per cell ``_note_text_size`` noted, with its smallest text size."""
        for index, (cell, smallest) in sorted(work.small_text.items()):
            self.log.warning(
                "%s: once the figure is fitted to the page its smallest text prints at %.1f pt, under %g pt; "
                "draw it narrower or with larger text, or split it into several figures",
                describe_cell(index, cell),
                smallest,
                MIN_TEXT_PT,
            )
        work.small_text.clear()

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
