"""``jupyter nbconvert --to onecodex_pdf``: the HTML report, laid out by WeasyPrint."""

from __future__ import annotations

import secrets
import time

from traitlets import Bool, Float, Int, default

from ocx_reports import cores

from .contracts import CUT_MARK, ROWS_MARK
from .engine import compat
from .engine.compat import FAILED, INSTALLED, AdaptationFailed, Engine, State, Verdict
from .export import Export
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

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("embed_fonts")
    def _embed_fonts_default(self):
        # WeasyPrint reads the font files directly; embedding them in the
        # intermediate HTML would only add parsing work.
        return False

    def _for_screen(self, html: str, export: Export) -> str:
        """The page as it is: the PDF prints it (``OneCodexHTMLExporter._for_screen``)."""
        return html

    def _subsets_fonts(self) -> bool:
        return False  # WeasyPrint embeds the faces' subsets in the PDF

    def _rendered(self, html: str, export: Export) -> str:
        """Rewrite the long and the plain tables (see ``page/tables.py``) while the charts are
        still being drawn, rather than after: on the benchmark's large report that is
        0.2-0.3 s the export no longer spends alone."""
        from .page.tables import TablePolicy

        as_lines = self.long_tables_as_lines and export.allows("table_lines")
        return TablePolicy(export.rows_mark, as_lines, self.page_size)(html)

    def from_file(self, file_stream, resources=None, **kw):
        with self._layout_service():
            return super().from_file(file_stream, resources, **kw)

    def _layout_service(self):
        """The layout service this export lays out in (``layout.service``), taken as the export
        starts, so that a new one sets WeasyPrint up while the report is read and rendered;
        ``from_file`` (which ``from_filename`` calls) takes it before reading the notebook."""
        return service.held(assets.font_face_css(self.embed_fonts), self.log)

    def _export(self, nb, resources, check_schema, **kw):
        with self._layout_service():
            return self._adapted(nb, resources, check_schema, **kw)

    def _adapted(self, nb, resources, check_schema, **kw):
        """The PDF, laid out again without an adaptation the layout found failing."""
        engine = Engine(self.stock_engine, _known_off())
        while True:
            try:
                return self._attempt(nb, resources, check_schema, engine, **kw)
            except AdaptationFailed as exc:  # found by the layout: lay the report out without it
                if not engine.allows(exc.adaptation):
                    raise
                compat.record(exc.adaptation, FAILED, exc.detail)
                compat.tell(self.log, Verdict({exc.adaptation: State(FAILED, exc.detail)}, compat.versions()))
                engine = engine.without(exc.adaptation)

    def _attempt(self, nb, resources, check_schema, planned: Engine, **kw):
        """The PDF, made for ``planned``: an export of its own (``Export``), whose marks between
        cells (and between a long table's row groups, see page/tables.py) show where the layout
        may cut the report into chunks; unguessable, so no content has them."""
        token = secrets.token_hex(8)
        cut, rows_mark = CUT_MARK.format(token=token), ROWS_MARK.format(token=token)
        export = Export(check_schema, engine=planned, cut=cut, rows_mark=rows_mark)
        started = time.perf_counter()
        html, rendered = self._report_html(nb, resources, export, **kw)
        export.engine = engine = self._checked(planned, export.policy)
        if any(not engine.allows(name) for name in _relies_on(html, planned)):
            return self._attempt(nb, resources, check_schema, engine, **kw)  # made for what the layout cannot do
        from .layout import paginate
        from .layout.parallel import peak_mib

        layout = service.current()
        parallel = layout is not None and layout.alive() and engine.allows("page_frame")
        chunks = paginate.split(html, export.cut, export.rows_mark, self.workers if parallel else 1)
        laid_out = time.perf_counter()
        font_css = assets.font_face_css(self.embed_fonts)
        budget = Budget(self.layout_timeout, self.layout_memory_mib, self.max_pages).started()
        pdf = (
            layout.lay_out(chunks, export.policy, self.log, export.forms, font_css, budget, export.check_schema, engine)
            if layout else None
        )
        if pdf is None:  # no service here (Windows), or it stopped: in this process, in one piece, no budget
            from .layout import weasy

            chunks = [paginate.strip_marks(html, export.cut, export.rows_mark)]
            weasy.warm_up(export.policy, font_css)  # the self-test, before the PDF may be trusted
            pdf = weasy.render_pdf(chunks[0], export.policy, export.forms, budget.max_pages, engine)
        self.log.debug(
            "PDF: HTML in %.2f s, layout of %d chunk(s) in %.2f s, exporter peak memory %.0f MiB",
            laid_out - started, len(chunks), time.perf_counter() - laid_out,
            peak_mib(),
        )
        rendered["output_extension"] = ".pdf"
        rendered["pdf_chunks"] = len(chunks)
        return pdf, rendered

    def _checked(self, planned: Engine, policy) -> Engine:
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
                weasy.warm_up(policy, assets.font_face_css(self.embed_fonts))
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

