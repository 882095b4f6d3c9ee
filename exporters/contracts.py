"""The contracts between the stages of an export: what one stage writes for a later one to read.

The report crosses the stages as a notebook, then as the HTML page, then as the PDF (see
``ocx_reports.exporters``). What one stage leaves in it for another (marks, attributes,
class names, resource keys, geometry, digests) is named here once, with who writes it and
who reads it; a stage that gets it wrong fails silently (a chunk without its table header,
a chart drawn twice, a page cut in the wrong place), so both sides use these names. The
template (``templates/onecodex/index.html.j2``), the stylesheet (``onecodex.css``) and the
report helpers (``ocx_reports/report.py``, which a kernel imports without the exporters)
keep the literal text; each docstring names which of these files do, and
``tests/test_contracts.py`` checks that they still do.

What one export writes as it goes (the URL policy, the page frame, the charts' PDFs, the
marks' token...) is held by one object, ``export.Export``, which the stages hand along; the
preprocessors and the template find it in the resources under ``EXPORT_RESOURCE``.
"""

from __future__ import annotations

import hashlib

# -- The export ------------------------------------------------------------------------------

EXPORT_RESOURCE = "ocx_export"
"""The resources key of the export in progress (``export.Export``): set by the HTML exporter
(``html.py``) for each render, read by the preprocessors and by the template (index.html.j2,
as ``resources.ocx_export``); the one key the report adds to nbconvert's resources."""

CONTEXT_RESOURCE = "onecodex_context"
"""The resources key in which a caller may give the report's sample metadata, already fetched
(``ocx_reports.render.export``; ``ocx-reports build`` fetches it once per project): the
exporter moves it into ``Export.context``, and the metadata preprocessor then fetches none."""

# -- Cutting the page into chunks for parallel layout --------------------------------------

CUT_MARK = "<!--ocx-cut-{token}-->"
"""The cut mark, with a token made per export (unguessable, so no notebook content has it):
made by the PDF exporter (``Export.cut``); the template writes it before each top-level unit
of ``main.ocx-body`` (each cell, the Samples section, the closing tags), and
``layout.paginate`` cuts the page there."""

ROWS_MARK = "<!--ocx-rows-{token}-->"
"""The mark ``page.tables`` writes after a long table's header and between its row groups,
where ``layout.paginate`` may start a chunk in the middle of the table; the same token."""

COVER_CLASS = "ocx-cover"
"""The cover's ``<section>`` (index.html.j2; onecodex.css), which only the first chunk keeps
(``layout.paginate``)."""

COVER_PAGE_RULES = ("/* cover page */", "/* end cover page */")
"""The comments around the template's ``@page :first`` rule (index.html.j2), which keeps the
header off the cover: ``layout.paginate`` leaves the rule out of every chunk but the first."""

SAMPLES_CLASS = "ocx-samples"
"""The Samples section (index.html.j2), which starts a page (onecodex.css): a natural place for
``layout.paginate`` to cut."""

PAGE_BREAK_CLASS = "ocx-pagebreak"
"""The page break ``page_break()`` puts in a cell's output (report.py): onecodex.css breaks
the page after it, and ``layout.paginate`` takes a cell that ends with one for a natural cut."""

CLIENT_PAGE_BREAK_CLASS = "pagebreak"
"""The One Codex client's page break, which the report honours as its own (onecodex.css;
``layout.paginate``)."""

BREAK_BEFORE_TAG, BREAK_AFTER_TAG = "page-break-before", "page-break-after"
"""The cell tags that break the page before or after a cell: ``preprocessors.visibility``
hands a removed cell's break to the next cell, ``preprocessors.slots`` drops a break after
the last content (a blank last page), and ``layout.paginate`` takes them for natural cuts."""

CELL_TAG_CLASS = "celltag_{tag}"
"""The class nbconvert's lab template gives a cell for each of its tags (``tag``), which
onecodex.css breaks pages at (``.celltag_page-break-before``) and ``layout.paginate`` reads."""

# -- Tables ------------------------------------------------------------------------------

WIDE_CLASS, VERY_WIDE_CLASS = "ocx-wide", "ocx-very-wide"
"""Smaller type for a table with many columns (``page.sanitize.size_class``): ``page.sanitize``
marks notebook tables, ``preprocessors.metadata`` the Samples section's; onecodex.css sets the
steps of its type scale (``TABLE_TYPE_PT``), which ``page.tables`` measures columns with."""

TABLE_TYPE_PT = {VERY_WIDE_CLASS: (6.0, 2.0), WIDE_CLASS: (7.0, 3.5), "": (8.5, 6.0)}
"""Per width class (none: ``""``), the type size and the cells' left and right padding of that
step of onecodex.css's table type scale (its ``--ocx-table-size`` and ``--ocx-cell-pad-x``), in
pt: ``page.tables`` sizes columns and decides what fits as lines with them."""

NUMERIC_CLASS = "ocx-num"
"""The cells of a numeric column (``page.numbers`` decides which), its header cells too:
``page.tables`` marks them in every table of the page, and onecodex.css aligns them right (a
table laid out as lines has ``layout.tablelines`` draw those values right-aligned instead)."""

COVER_DETAILS_CLASS = "ocx-cover-details"
"""The table of a cover's project details (``cover_sheet(project_details={...})``, report.py):
a list of names and values, which ``page.tables`` leaves as it is (no numeric columns)."""

LONG_TABLE_CLASS = "ocx-long-table"
"""A long table given fixed column widths by ``page.tables``; onecodex.css lays it out
``table-layout: fixed`` at ``TABLE_WIDTH_PROPERTY``, or the page's width if less."""

TABLE_WIDTH_PROPERTY = "--ocx-table-width"
"""The natural width of a long table (in em), set in its ``style`` by ``page.tables`` and read
by onecodex.css."""

ROW_LINES_CLASS = "ocx-row-lines"
"""A table laid out as lines by ``page.tables``: onecodex.css gives each line a row's height
and stripes; ``layout.tablelines`` draws the values."""

LINES_COLUMNS_ATTRIBUTE = "data-ocx-columns"
"""The attribute of a table-as-lines' cell that holds its row lines, and the columns' geometry
(``layout.tablelines.columns_attribute`` writes the value for ``page.tables``, and reads it
back): ``layout.tablelines`` draws the values of the cells that have it."""

LINE_ROW_ATTRIBUTE = "data-row"
"""The attribute of one line of a table as lines (an empty block), holding the row's values
tab-separated: written by ``page.tables``; ``layout.tablelines`` draws them and
``layout.paginate`` counts the lines."""

LINE_SHADED_ROW_ATTRIBUTE = "data-shaded-row"
"""The same, for every second line, which onecodex.css shades."""

TABLE_NOTE_CLASS = "ocx-table-note"
"""The note after a table cut to ``max_table_rows`` (``page.tables``; onecodex.css)."""

TABLE_SCROLL_CLASS = "ocx-table-scroll"
"""The box around each outermost table of the HTML report (``page.screen``), which onecodex.css
lets scroll sideways on a screen, its print rules unchanged (the PDF is laid out without it)."""

FONTS_MARK = "/* ocx-reports: fonts */"
"""Where the HTML report's ``@font-face`` rules go when its fonts are embedded: the HTML exporter
gives it as the page frame's ``font_css``, which the template writes in the page's head, and then
puts the faces there, subset to the finished page's characters (``page.fontsubset``)."""

# -- Charts and figures --------------------------------------------------------------------

DRAWING_ATTRIBUTE = "data-ocx-drawing"
"""The stand-in a chart still being drawn shows while the report renders: an empty SVG with
this attribute, unique to the chart. ``preprocessors.charts`` puts it in the notebook; the
template embeds it as a data URI, and the preprocessor swaps the drawn SVG in for it."""

FORM_STAND_IN_ATTRIBUTE = "data-ocx-chart"
"""The PDF report's stand-in for a chart whose PDF is ready: an empty SVG of the chart's size
with this attribute (``preprocessors.charts``), which ``layout.svgforms`` fills with the PDF
it finds by ``form_digest``."""

FORM_STAND_IN = f'<svg xmlns="http://www.w3.org/2000/svg" {{size}} {FORM_STAND_IN_ATTRIBUTE}="{{key}}"/>'
"""The stand-in itself (``size``: the chart's ``width``, ``height`` and ``viewBox`` attributes),
written by ``preprocessors.charts``; ``layout.svgforms`` finds each in a chunk by how it starts
(``stand_ins``), and the layout fails over if one found no form (it would print empty)."""

def form_digest(svg: bytes) -> str:
    """How the layout finds a chart's ready PDF: by the SVG bytes the page embeds (the form
    stand-in's, or a kernel-drawn SVG's), which ``preprocessors.charts`` hashes as it puts
    the PDF in ``Export.forms`` and ``layout.svgforms`` as it meets the image."""
    return hashlib.sha256(svg).hexdigest()


CHART_METADATA = "ocx_chart"
"""An output's metadata key for a chart ``preprocessors.charts`` drew (its alt text, and its
Vega spec for ``interactive_charts``), read by the template (index.html.j2); the preprocessor drops it from
every output first, so a notebook cannot forge it."""

FIGURE_NUMBER_CLASS = "ocx-fignum"
"""The "Figure N." of a caption (report.py), which ``preprocessors.slots``
renumbers in the order the report shows the figures."""

NOT_SHOWN_CLASS, NOT_SHOWN_TITLE_CLASS = "ocx-not-shown", "ocx-not-shown-title"
"""The visible box for what a report cannot show, and its title (``preprocessors.notices``;
onecodex.css)."""

MATH_CLASS, MATH_DISPLAY_CLASS = "ocx-math", "ocx-math-display"
"""A formula drawn as an SVG image, and a display one (``preprocessors.math``; onecodex.css)."""

MATH_BLOCK_CLASS, MATH_ERROR_CLASS = "ocx-math-block", "ocx-math-error"
"""A LaTeX output's block, and a formula shown as its source (``preprocessors.math``;
onecodex.css)."""

# -- Geometry --------------------------------------------------------------------------------

PRINTABLE_WIDTH_PX = {"letter": 7.0 * 96, "a4": (8.27 - 1.5) * 96}
"""The printable width per paper size, in CSS px (1/96 in): the page's width less onecodex.css's
0.75 in side margins (``@page``). ``preprocessors.charts`` warns of figure text that prints too
small once fitted to it; ``page.tables`` lays out as lines only a table that fits in it."""

PRINTABLE_HEIGHT_PX = 7.6 * 96
"""The tallest a figure prints, in CSS px: onecodex.css's ``max-height`` for figures (7.6 in)."""
