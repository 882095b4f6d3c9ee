"""One export's state: everything a stage writes during an export for a later stage to read.

An exporter is built once and may export many notebooks (``ocx-reports build`` keeps one per
worker thread), so it holds only its options (traits) and caches meant to outlive an export;
each export makes an ``Export`` and hands it along the stages (see ``ocx_reports.exporters``):

* the exporter makes it when the export starts (the PDF exporter, one per attempt: a layout
  that finds an adaptation not working lays the report out again, with a new one);
* the preprocessors find it in the resources, under ``contracts.EXPORT_RESOURCE``, the one
  resources key the report adds (nbconvert's channel from the exporter to preprocessors and
  the template);
* the template reads it there too, as ``resources.ocx_export``, and the exporter's filters
  through the template's context;
* the exporter passes it, or the fields they need, to the chart preprocessor's ``start`` and
  ``finish``, to the table rewriting and to the PDF layout.

Each field says which stage writes it and which reads it. A failed export leaves nothing
behind: its ``Export`` is dropped with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from ocx_reports.charts.drawing import ChartError
    from ocx_reports.charts.workers import Drawing

    from .engine.compat import Engine
    from .page.tables import RowLimit
    from .page.urlpolicy import URLPolicy


@dataclass(eq=False)
class ChartWork:
    """The chart preprocessor's part of an export (``Export.charts``): its ``start`` begins
    drawing the notebook's charts before the render, ``preprocess`` shows stand-ins for those
    still drawing, and ``finish`` puts them in the rendered report."""

    started: dict[str, Drawing] = field(default_factory=dict)
    """Chart key -> the drawing that has it: begun by ``start``, taken by ``preprocess``."""

    failures: dict[str, ChartError] = field(default_factory=dict)
    """Charts that could not be drawn, by key: found by ``preprocess`` or ``finish``; when
    ``finish`` asks for the report to be rendered again, ``preprocess`` shows their fallback."""

    awaiting: tuple | None = None
    """(pending outputs, drawings) of the render in progress, shown as stand-ins: set by
    ``preprocess``, waited for by ``finish``."""

    kernel_svgs: dict[str, str] = field(default_factory=dict)
    """Kernel-drawn SVG the PDF report shows -> its cache key: noted by ``start``; ``finish``
    shows each whose PDF is ready as a form stand-in."""

    converting: Drawing | None = None
    """Those SVGs being converted to PDF: begun by ``start``, waited for by ``finish``."""

    in_report_font: dict[str, str] = field(default_factory=dict)
    """Kernel-drawn SVG -> as the report shows it, in the report font: worked out once, by
    ``start`` or ``preprocess``, whichever meets it first."""

    small_text: dict[int, tuple] = field(default_factory=dict)
    """Cell index -> (cell, smallest text in pt) of figures whose text prints too small: noted
    by ``preprocess`` and ``finish``, warned of by ``finish`` once the charts are in."""


@dataclass(eq=False)
class Export:
    """One export (one attempt, for the PDF report), from the notebook to the report's bytes."""

    check_schema: Callable[[], None]
    """Checks the schema of the notebook ``from_file`` read, once (``errors.schema_check``; a
    no-op for a notebook given as a node): called by the PDF layout while it waits, and by
    ``from_file`` when the export is done."""

    engine: Engine | None = None
    """The PDF report's engine: the adaptations this attempt may plan for (``engine.compat``),
    decided by the PDF exporter; read through ``allows`` by the chart preprocessor (charts as
    PDF forms) and the table rewriting (tables as lines), and by the layout. None for the HTML
    report, which has no layout."""

    cut: str = ""
    """The PDF report's cut mark (``contracts.CUT_MARK`` with this attempt's token): made by the
    PDF exporter, written by the template (index.html.j2) before each top-level unit of the
    page, where ``layout.paginate`` may cut it. Empty for the HTML report."""

    rows_mark: str = ""
    """The PDF report's ``contracts.ROWS_MARK``, with the same token: made by the PDF exporter,
    written into long tables by ``page.tables``, read by ``layout.paginate``."""

    policy: URLPolicy | None = None
    """The URL policy of the notebook's folder: made by the HTML exporter as the export starts;
    the template's filters (``clean_html``, ``clean_css``, ``inline_url``) embed files through
    it, and the PDF layout reads them through it."""

    context: dict | None = None
    """The report's sample metadata (``ocx_reports.context``): given by the caller in the
    resources (``contracts.CONTEXT_RESOURCE``), else fetched by the metadata preprocessor, once
    per export (a second render does not fetch it again)."""

    report: dict = field(default_factory=dict)
    """The page frame the template shows as ``report`` (title, header, date, logo, styles,
    cover, samples...): set from the options by the HTML exporter for each render, filled by
    the metadata preprocessor (project and samples) and the slots preprocessor (the report
    helpers' outputs), read by the template (index.html.j2)."""

    rows: RowLimit | None = None
    """The render's long-table limit (``max_table_rows``), which numbers the tables' CSV
    attachments: made by the HTML exporter for each render; the ``clean_html`` filter cuts each
    table of notebook HTML with it."""

    charts: ChartWork = field(default_factory=ChartWork)
    """The charts being drawn (see ``ChartWork``): the chart preprocessor's alone."""

    charts_script: str | None = None
    """The live charts' inline script (``interactive_charts``): written by the chart
    preprocessor, read by the template (index.html.j2), which allows it in the page's
    Content-Security-Policy."""

    forms: dict[str, bytes] = field(default_factory=dict)
    """The charts' ready PDFs, by ``contracts.form_digest``: filled by the chart preprocessor
    (its ``preprocess`` and ``finish``), read by the PDF layout (``layout.svgforms``)."""

    def allows(self, adaptation: str) -> bool:
        """Whether the PDF report's engine may plan for ``adaptation`` (never, for the HTML one)."""
        return self.engine is not None and self.engine.allows(adaptation)

    def render_anew(self, report: dict, rows: RowLimit) -> None:
        """Start a render of the report (the first, or another after a chart failed): what a
        render writes starts from ``report`` and ``rows``, without what the last one wrote."""
        self.report, self.rows = report, rows
        self.charts_script, self.forms = None, {}

    def __deepcopy__(self, memo) -> Export:
        """The export itself: nbconvert's own preprocessing (the stock engine) deep-copies the
        resources, and the stages must still share the one export."""
        return self
