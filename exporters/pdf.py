"""``jupyter nbconvert --to onecodex_pdf``: the HTML report, laid out by WeasyPrint."""

from __future__ import annotations

import secrets
import time

from traitlets import Bool, Float, Int, default

from ocx_reports import cores

from .contracts import CUT_MARK, CUT_RESOURCE, FORMS_RESOURCE, ROWS_MARK
from .engine import compat
from .engine.compat import FAILED, INSTALLED, AdaptationFailed, Engine, State, Verdict
from .html import OneCodexHTMLExporter
from .layout import service
from .layout.budget import Budget
from .page import assets


class OneCodexPDFExporter(OneCodexHTMLExporter):
    """Executed notebook -> branded PDF report, with no browser or LaTeX."""

    export_from_notebook = "One Codex PDF Report"
    output_mimetype = "application/pdf"

    workers = Int(
        min=1,
        help="Processes that lay out the PDF at once, each a run of cells (default: the number of CPU "
        "cores; 1 lays it out in one process). Short reports always use one."
    ).tag(config=True)
    layout_timeout = Float(
        120, min=0,
        help="Seconds the PDF layout may take (all its processes, from the report's HTML to the "
        "PDF); past them the export stops with an error (0: no limit).",
    ).tag(config=True)
    layout_memory_mib = Int(
        640, min=0,
        help="Memory (MiB) each process laying out the PDF may take on top of what it starts with "
        "(on Linux); past it the export stops with an error (0: no limit).",
    ).tag(config=True)
    max_pages = Int(
        1000, min=0,
        help="Pages the PDF may have; the layout stops with an error as soon as it makes one more "
        "(0: no limit).",
    ).tag(config=True)
    long_tables_as_lines = Bool(
        True,
        help="Lay out tables of plain text (pandas DataFrames and unstyled Styler tables of 4 or more "
        "rows) as lines whose values the layout draws at their columns' edges, which looks the same "
        "and takes a fraction of the CPU; off: one table cell per value.",
    ).tag(config=True)

    @default("workers")
    def _workers_default(self):
        return cores.usable()

    def __init__(self, **kw):
        super().__init__(**kw)
        self.engine = Engine(stock=self.stock_engine)  # what this export's layout may use

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("embed_fonts")
    def _embed_fonts_default(self):
        # WeasyPrint reads the font files directly; embedding them in the
        # intermediate HTML would only add parsing work.
        return False

    def _rendered(self, html: str) -> str:
        """Rewrite the long and the plain tables (see ``page/tables.py``) while the charts are
        still being drawn, rather than after: on the benchmark's large report that is
        0.2-0.3 s the export no longer spends alone."""
        from .page.tables import TablePolicy

        as_lines = self.long_tables_as_lines and self.engine.allows("table_lines")
        return TablePolicy(self._rows_mark, as_lines, self.page_size)(html)

    def from_file(self, file_stream, resources=None, **kw):
        with self._layout_service():
            return super().from_file(file_stream, resources, **kw)

    def from_notebook_node(self, nb, resources=None, **kw):
        with self._layout_service():
            return self._exported(nb, resources, **kw)

    def _layout_service(self):
        """The layout service this export lays out in (``layout.service``), taken as the export
        starts, so that a new one sets WeasyPrint up while the report is read and rendered;
        ``from_file`` (which ``from_filename`` calls) takes it before reading the notebook."""
        return service.held(assets.font_face_css(self.embed_fonts), self.log)

    def _exported(self, nb, resources, **kw):
        self.engine = Engine(self.stock_engine, _known_off())
        while True:
            try:
                return self._export(nb, resources, **kw)
            except AdaptationFailed as exc:  # found by the layout: lay the report out without it
                if not self.engine.allows(exc.adaptation):
                    raise
                compat.record(exc.adaptation, FAILED, exc.detail)
                compat.tell(self.log, Verdict({exc.adaptation: State(FAILED, exc.detail)}, compat.versions()))
                self.engine = self.engine.without(exc.adaptation)

    def _export(self, nb, resources, **kw):
        # Marks the template puts between cells (and page/tables.py between row groups),
        # where the layout may be cut into chunks; unguessable, so no content has them.
        token = secrets.token_hex(8)
        cut, self._rows_mark = CUT_MARK.format(token=token), ROWS_MARK.format(token=token)
        started = time.perf_counter()
        planned = self.engine
        html, rendered = super().from_notebook_node(nb, {**(resources or {}), CUT_RESOURCE: cut}, **kw)
        self.engine = self._checked(planned)
        if any(not self.engine.allows(name) for name in _relies_on(html, planned)):
            return self._export(nb, resources, **kw)  # made for what the layout cannot do: again
        from .layout import paginate
        from .layout.parallel import peak_mib

        layout = service.current()
        parallel = layout is not None and layout.alive() and self.engine.allows("page_frame")
        chunks = paginate.split(html, cut, self._rows_mark, self.workers if parallel else 1)
        laid_out = time.perf_counter()
        forms = rendered.pop(FORMS_RESOURCE, {})  # charts the chart workers converted to PDF
        font_css = assets.font_face_css(self.embed_fonts)
        budget = Budget(self.layout_timeout, self.layout_memory_mib, self.max_pages).started()
        pdf = (
            layout.lay_out(chunks, self._policy, self.log, forms, font_css, budget, self._check_schema, self.engine)
            if layout else None
        )
        if pdf is None:  # no service here (Windows), or it stopped: in this process, in one piece, no budget
            from .layout import weasy

            chunks = [paginate.strip_marks(html, cut, self._rows_mark)]
            weasy.warm_up(self._policy, font_css)  # the self-test, before the PDF may be trusted
            pdf = weasy.render_pdf(chunks[0], self._policy, forms, budget.max_pages, self.engine)
        self.log.debug(
            "PDF: HTML in %.2f s, layout of %d chunk(s) in %.2f s, exporter peak memory %.0f MiB",
            laid_out - started, len(chunks), time.perf_counter() - laid_out,
            peak_mib(),
        )
        rendered["output_extension"] = ".pdf"
        rendered["pdf_chunks"] = len(chunks)
        return pdf, rendered

    def _checked(self, planned: Engine) -> Engine:
        """``planned`` without the adaptations the layout service's self-test failed or skipped
        (waiting for its warm-up, if it is not done; where no service runs, the self-test runs
        here); each told once per process."""
        if planned.stock:
            return planned
        layout = service.current()
        found = layout.verdict(self.layout_timeout or None) if layout else None
        if found is None and (layout is None or not layout.alive()):
            from .layout import selftest, weasy

            if not selftest.checked():  # the warm-up runs it
                weasy.warm_up(self._policy, assets.font_face_css(self.embed_fonts))
            found = compat.verdict()
        if found is None:  # not known in time: the layout checks as it goes
            return planned
        compat.tell(self.log, found)
        return Engine(planned.stock, planned.off | found.off())


def _relies_on(html: str, engine: Engine) -> list[str]:
    """The adaptations ``html``, made for ``engine``, relies on: tables laid out as lines, and
    chart stand-ins (which print as empty boxes unless drawn as forms)."""
    from .layout import svgforms, tablelines

    relies = {"table_lines": tablelines.expected_rows(html), "chart_forms": svgforms.stand_ins(html)}
    return [name for name, found in relies.items() if found and engine.allows(name)]


def _known_off() -> frozenset:
    """The adaptations known not to work before an export starts: those a layout found failing
    or this process's self-test did not install, and those the layout service's did not."""
    off = {name for name, state in compat.states().items() if state.status != INSTALLED}
    layout = service.current()
    found = layout.verdict() if layout else None
    return frozenset(off | (found.off() if found else set()))

