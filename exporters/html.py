"""``jupyter nbconvert --to onecodex_html``: the branded, self-contained HTML report.

This exporter is also the first half of the PDF exporter: the PDF is this
HTML laid out by WeasyPrint, never a second template tree. The constructor
only sets traits (nbconvert builds every registered exporter just to list
them); heavy imports happen on first use.
"""

from __future__ import annotations

import copy
import datetime
import os
from pathlib import Path

from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter
from traitlets import Bool, Dict, Enum, Int, List, TraitError, Unicode, default, observe

from ocx_reports import __version__

from .engine.compat import nbconvert as nbconvert_compat
from .engine.compat import stock_from_env
from .engine.hostprocess import freeze_at_exit
from .contracts import CONTEXT_RESOURCE, EXPORT_RESOURCE, FONTS_MARK
from .errors import (
    ReportError,
    install_one_line_errors,
    read_notebook_stream,
    refuse_option,
    schema_check,
)
from .export import Export
from .page import assets, sanitize
from .page.urlpolicy import URLPolicy, image_type
from .preprocessors.charts import DEFAULT_FIGURE_PRIORITY, ChartPreprocessor
from .preprocessors.error_outputs import ErrorOutputPreprocessor, describe_cell
from .preprocessors.limits import LimitsPreprocessor, check_depth, check_tags
from .preprocessors.math import MathPreprocessor
from .preprocessors.metadata import MetadataPreprocessor
from .preprocessors.notices import NoticePreprocessor
from .preprocessors.objectreprs import ObjectReprPreprocessor
from .preprocessors.slots import ReportSlotsPreprocessor
from .preprocessors.visibility import VisibilityPreprocessor

_FALSE = {"", "0", "false", "no", "off"}


def env_flag(name: str, default: bool) -> bool:
    """A boolean environment variable; unset means ``default``."""
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() not in _FALSE


def source_date() -> datetime.datetime | None:
    """The reproducible-builds timestamp, if ``SOURCE_DATE_EPOCH`` is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    except ValueError:
        raise ReportError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds") from None


def without_credentials(html: str, log) -> str:
    """The report with any One Codex credential in it masked as ``***``: a kernel's
    environment may hold the key, and a cell can print it. A plain search (a few ms
    for a large report) decides whether the slower masking runs at all."""
    from ocx_reports.api.credentials import known_secrets
    from ocx_reports.api.redaction import mentions, redact

    secrets = known_secrets()
    if not secrets or not mentions(html, secrets):
        return html
    log.warning("The report showed a One Codex credential (a cell printed it); it is masked as ***")
    return redact(html, secrets)


def exporting(context) -> Export:
    """The export the template is rendering (``context``: the template's), for the filters."""
    return context["resources"][EXPORT_RESOURCE]


def policy(context) -> URLPolicy:
    """The URL policy of the export the template is rendering."""
    return exporting(context).policy


def logo_uri(path: str) -> str:
    """The ``logo`` option's image as a data URI. The option is the operator's, so the file
    may be anywhere, but it must be an image (the notebook's ``set_logo`` goes through the
    URL policy instead)."""
    try:
        data = Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise ReportError(f"logo {path}: {exc.strerror or exc}; give the path of an image file") from None
    mimetype = image_type(data)
    if mimetype is None:
        raise ReportError(f"logo {path} is not a PNG, JPEG, GIF, WebP or SVG image")
    return assets.data_uri(data, mimetype)


class OneCodexHTMLExporter(nbconvert_compat.Hooks, HTMLExporter):
    """Executed notebook -> branded, self-contained HTML report."""

    export_from_notebook = "One Codex HTML Report"

    page_size = Enum(
        ["letter", "a4"], default_value="letter", help="Paper size of the printed report."
    ).tag(config=True)
    footer_text = Unicode(
        "NOT FOR DIAGNOSTIC USE", help="Text in the footer of every page."
    ).tag(config=True)
    report_id = Unicode(
        help="Report ID shown before the footer text (default: $ONE_CODEX_REPORT_UUID)."
    ).tag(config=True)
    show_logo = Bool(
        help="Show the logo in the page header (default: on unless $ONE_CODEX_REPORT_NO_LOGO is set)."
    ).tag(config=True)
    insert_date = Bool(
        help="Show the report date in the header and on the cover (default: $ONE_CODEX_INSERT_DATE, else on)."
    ).tag(config=True)
    report_date = Unicode(
        help="Report date text when the notebook calls no set_date() (default: today, or the day of "
        "$SOURCE_DATE_EPOCH)."
    ).tag(config=True)
    center_header = Unicode(
        help="Text in the center of the page header (set_center_header() in the notebook wins)."
    ).tag(config=True)
    report_title = Unicode(
        help="Document title (default: the first title() call, notebook metadata 'title', "
        "the first heading, then the file name)."
    ).tag(config=True)
    logo = Unicode(
        help="Path of an image to use as the default header logo instead of the ocx-reports logo."
    ).tag(config=True)
    watermark = Unicode(
        help="A mark printed in the footer of every page, e.g. DEMO DATA or DRAFT (default: none)."
    ).tag(config=True)
    allow_errors = Bool(
        False, help="Export notebooks that hold error outputs, showing each error in a red box."
    ).tag(config=True)
    show_stderr = Bool(False, help="Keep stderr streams (warnings, progress bars) in the report.").tag(
        config=True
    )
    stock_engine = Bool(
        help="Export with nbconvert and WeasyPrint as released, none of the adaptations of their "
        "internals that make the report fast (tables as lines, parallel layout, charts placed as "
        "ready PDFs, nbconvert's hooks...): the same text and pages, slower; for comparing, or should "
        "a release break one (default: the OCX_REPORTS_STOCK_ENGINE environment variable, else off).",
    ).tag(config=True)
    project = Unicode(
        help="One Codex project ID: fetch its samples' metadata into the report (wins over the notebook's "
        "metadata.onecodex.project)."
    ).tag(config=True)
    samples = List(
        Unicode(), help="One Codex sample IDs to fetch into the report (wins over metadata.onecodex.samples)."
    ).tag(config=True)
    metadata_fields = List(
        Unicode(), default_value=None, allow_none=True,
        help="Custom metadata fields to list in the Samples section (default: all).",
    ).tag(config=True)
    field_labels = Dict(
        value_trait=Unicode(), key_trait=Unicode(),
        help="Column headers of the Samples section by field name, e.g. {'bmi': 'Body mass index'}; "
        "fields not named here print readably from their names ('antibiotics_last_90d' as 'Antibiotics "
        "last 90d', 'bmi' as 'BMI').",
    ).tag(config=True)
    markdown_placeholders = Enum(
        ["auto", "on", "off"], default_value="auto",
        help="Render Jinja placeholders ({{ project.name }}) in markdown cells: 'auto' when the report "
        "has a project or samples, 'on' always, 'off' never (braces print as written). Braces in code "
        "and math are always text.",
    ).tag(config=True)
    embed_fonts = Bool(
        True, help="Embed the report font in the HTML so it looks the same on machines without it (in the HTML "
        "report, only the characters the report shows, as WOFF2)."
    ).tag(config=True)
    figure_priority = List(
        Unicode(),
        default_value=DEFAULT_FIGURE_PRIORITY,
        help="Which representation of a figure output the report shows, first found wins: by default "
        "an SVG the kernel made, then Vega-Lite/Vega JSON (drawn to SVG at export time), then PNG, JPEG.",
    ).tag(config=True)
    interactive_charts = Bool(
        False,
        help="HTML report only: draw Vega-Lite/Vega charts live with vega-embed, its JavaScript "
        "inlined (no CDN), keeping the static SVG for readers without JavaScript.",
    ).tag(config=True)
    strict_charts = Bool(
        False, help="Fail the export, naming the cell, when a chart cannot be drawn (default: a placeholder box)."
    ).tag(config=True)
    chart_cache_dir = Unicode(
        "", help="Directory that keeps drawn charts between exports, for batch builds (default: memory only)."
    ).tag(config=True)
    drop_object_reprs = Bool(
        True,
        help="Leave out results that are only default object reprs, such as [<matplotlib.lines.Line2D at 0x…>], "
        "Text(0.5, 1.0, 'title') or <Axes: >, which plotting calls return; printed output is always kept.",
    ).tag(config=True)
    # Limits on what one notebook puts in a report (see preprocessors/limits.py); 0 lifts each.
    max_table_rows = Int(
        5000, min=0,
        help="Print at most this many rows of a table; a longer table ends with a note saying how many rows "
        "were left out, and in the PDF its full data is attached as a CSV file (0: every row).",
    ).tag(config=True)
    max_stream_lines = Int(
        400, min=0,
        help="Lines a text output (stdout, stderr, a plain-text result) shows: its first and last halves, "
        "with a line saying how many were left out between them (0: every line).",
    ).tag(config=True)
    max_stream_chars = Int(
        50_000, min=0,
        help="Characters a text output shows, its first and last halves, with a line saying how many were "
        "left out (0: all of them).",
    ).tag(config=True)
    max_formula_chars = Int(
        1000, min=0,
        help="Longest formula (LaTeX characters) drawn; a longer one is shown as its source, shortened, "
        "with a warning (0: no limit).",
    ).tag(config=True)
    max_math_chars = Int(
        20_000, min=0,
        help="LaTeX characters drawn as formulas in all (about 0.4 ms each); the formulas past them are "
        "shown as their source, with a warning (0: no limit).",
    ).tag(config=True)
    max_css_rules = Int(
        5000, min=0,
        help="CSS rules the notebook may bring (<style> in outputs and markdown, set_style); each is matched "
        "against every element of the report. Past them the export stops, naming the cell (0: no limit).",
    ).tag(config=True)
    max_html_tags = Int(
        1_000_000, min=0,
        help="Tags one HTML output or markdown cell may hold (the sanitizer takes about 350 bytes a tag); "
        "past them the export stops, naming the cell (0: no limit).",
    ).tag(config=True)
    max_nesting_depth = Int(
        100, min=0,
        help="How deep the elements of one output or markdown cell may nest; deeper, the export stops, "
        "naming the cell (0: no limit, but past about 100 levels the PDF layout fails).",
    ).tag(config=True)

    @default("report_id")
    def _report_id_default(self):
        return os.environ.get("ONE_CODEX_REPORT_UUID", "")

    @default("show_logo")
    def _show_logo_default(self):
        return not env_flag("ONE_CODEX_REPORT_NO_LOGO", False)

    @default("insert_date")
    def _insert_date_default(self):
        return env_flag("ONE_CODEX_INSERT_DATE", True)

    @default("stock_engine")
    def _stock_engine_default(self):
        return stock_from_env()

    @default("default_preprocessors")
    def _default_preprocessors_default(self):
        # --execute runs ours: it keeps outputs nbformat's schema refuses (see preprocessors/execution.py).
        nbconvert_execute = "nbconvert.preprocessors.ExecutePreprocessor"
        ours = "ocx_reports.exporters.preprocessors.execution.ReportExecutePreprocessor"
        listed = HTMLExporter.class_traits()["default_preprocessors"].default()
        if nbconvert_execute not in listed:
            self.log.debug("nbconvert's default preprocessors no longer list %s: --execute runs nbconvert's own "
                           "execution, without the report's mimetype respelling", nbconvert_execute)
        return [ours if p == nbconvert_execute else p for p in listed]

    @default("template_name")
    def _template_name_default(self):
        return assets.TEMPLATE_NAME

    @default("template_extension")
    def _template_extension_default(self):
        return ".html.j2"  # the PDF exporter renders the same HTML template

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(assets.TEMPLATES_DIR)]

    @default("sanitize_html")
    def _sanitize_html_default(self):
        return True  # reports go to people who did not write the notebook

    @observe("sanitize_html")
    def _sanitize_html_stays_on(self, change):
        if not change["new"]:
            self.log.warning("sanitize_html=False is ignored: notebook HTML is always cleaned in a report")
            self.sanitize_html = True

    @observe("skip_svg_encoding")
    def _svg_encoding_stays_on(self, change):
        # Written inline rather than as a data URI, the report's sanitizer would remove an SVG figure.
        if change["new"]:
            self.log.warning("skip_svg_encoding is ignored: SVG figures are always embedded as images")
            self.skip_svg_encoding = False

    @observe("embed_images")
    def _embed_images_stays_off(self, change):
        # nbconvert's own embedding reads any file a markdown image names; the report's
        # URL policy embeds images itself, and only images from the notebook's folder.
        if change["new"]:
            self.log.warning("embed_images is ignored: images next to the notebook are always embedded")
            self.embed_images = False

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self):
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self):
        return True

    @default("raw_mimetypes")
    def _raw_mimetypes_default(self):
        return ["text/html", ""]

    def __init__(self, **kw):
        try:  # reads the options, the preprocessors' too: a refused value is one line
            super().__init__(**kw)
            # After nbconvert's preprocessors, the user's and the template's. Errors are checked
            # first so messages count cells as the notebook does. Each reads the options it
            # needs from this exporter (see ``preprocessors.exporter_option``).
            self._charts = ChartPreprocessor(parent=self)
            for preprocessor in (
                ErrorOutputPreprocessor(parent=self),
                ObjectReprPreprocessor(parent=self),
                MetadataPreprocessor(parent=self),
                self._charts,
                NoticePreprocessor(parent=self),
                MathPreprocessor(parent=self),
                LimitsPreprocessor(parent=self),
                VisibilityPreprocessor(parent=self),
                ReportSlotsPreprocessor(parent=self),
            ):
                self.register_preprocessor(preprocessor, enabled=True)
        except TraitError as exc:
            refuse_option(exc)

    @staticmethod
    def _cell_named(context, outside: str | None = "a cell") -> str | None:
        """How messages name the cell the template is rendering (``context``: the template's);
        ``outside`` when it renders no cell (the page header, the cover)."""
        cell, nb = context.get("cell", {}), context.get("nb", {})
        return next((describe_cell(i, c) for i, c in enumerate(nb.get("cells", ())) if c is cell), outside)

    @pass_context
    def markdown2html(self, context, source):
        """nbconvert's filter, with a missing ``attachment:`` image named in one line."""
        try:
            return super().markdown2html(context, source)
        except nbconvert_compat.InvalidNotebook as exc:
            raise ReportError(
                f"{self._cell_named(context)}: {exc}; attach the image to the cell again in Jupyter, or remove "
                "the reference"
            ) from None

    @pass_context
    def clean_html(self, context, html) -> str:
        """The sanitizer (``page.sanitize.clean_html``), within the report's limits: long tables cut
        short and the size checked before it builds its tree of the HTML, the depth after."""

        def where() -> str:  # only for an error: it searches the notebook
            return self._cell_named(context)

        export = exporting(context)
        html = html.decode() if isinstance(html, bytes) else str(html)
        if export.rows is not None:
            html = export.rows.cut(html)
        check_tags(html, self.max_html_tags, where)
        cleaned = sanitize.clean_html(html, export.policy, lambda: self._cell_named(context, outside=None))
        check_depth(cleaned, self.max_nesting_depth, where)
        return export.rows.noted(cleaned) if export.rows is not None else cleaned

    def default_filters(self):
        yield from super().default_filters()
        yield "clean_html", self.clean_html
        yield "clean_css", pass_context(lambda context, css, **kw: sanitize.clean_css(css, policy(context), **kw))
        yield "inline_url", pass_context(lambda context, url: policy(context).inline(str(url)) or "")
        yield "image_size", sanitize.image_size
        yield "content_security_policy", sanitize.content_security_policy

    # -- the export -------------------------------------------------------
    # Nothing of an export is kept here: its state is an ``Export`` (export.py), handed along.

    def from_file(self, file_stream, resources=None, **kw):
        install_one_line_errors()
        nb = read_notebook_stream(file_stream, getattr(file_stream, "name", "the notebook"), check_schema=False)
        check_schema = schema_check(nb)
        try:
            return self._export(nb, resources, check_schema, **kw)
        finally:
            check_schema()

    def from_notebook_node(self, nb, resources=None, **kw):
        return self._export(nb, resources, schema_check(), **kw)

    def _export(self, nb, resources, check_schema, **kw):
        """The report of ``nb`` (``check_schema``: see ``Export.check_schema``), and its resources."""
        return self._report_html(nb, resources, Export(check_schema=check_schema), **kw)

    def _report_html(self, nb, resources, export: Export, **kw):
        """The report's HTML, with ``export`` handed along its stages, and its resources."""
        install_one_line_errors()
        freeze_at_exit()
        charts = self._chart_preprocessor()
        if charts:
            charts.start(nb, export)
        nbconvert_compat.cache_compiled_templates(self)
        resources = dict(resources or {})
        export.context = resources.pop(CONTEXT_RESOURCE, None)
        export.policy = URLPolicy(Path(resources.get("metadata", {}).get("path") or "."), self.log)
        report = self._report_context(nb, resources)
        initial = copy.deepcopy((resources, report))
        html, rendered = self._render(nb, resources, report, export, **kw)
        finished = self._finish(html, export)
        if finished is None:  # a chart could not be drawn: render again, showing its fallback
            html, rendered = self._render(nb, *initial, export, **kw)
            finished = self._finish(html, export)  # nothing is left to wait for
        rendered.pop(EXPORT_RESOURCE, None)
        return self._with_fonts(without_credentials(self._for_screen(finished, export), self.log)), rendered

    def _render(self, nb, resources, report: dict, export: Export, **kw):
        """Preprocess and render the notebook: the report's HTML, its tables' notes numbered anew."""
        from .page.tables import RowLimit

        export.render_anew(report, RowLimit(self.max_table_rows, attach=self.output_mimetype == "application/pdf"))
        return nbconvert_compat.render(self, nb, {**resources, EXPORT_RESOURCE: export}, **kw)

    def _finish(self, html: str, export: Export) -> str | None:
        """The report rendered while the charts were drawn, with them put in (None: render
        it again, see ``ChartPreprocessor.finish``)."""
        html = self._rendered(html, export)
        charts = self._chart_preprocessor()
        return charts.finish(html, export) if charts else html

    def _for_screen(self, html: str, export: Export) -> str:
        """The finished page as the HTML report shows it (``page.screen``): SVG figures with text
        written into the page, in its fonts; tables that scroll sideways on a narrow screen. The
        PDF exporter lays the page out as it is."""
        from .page import screen

        return screen.scrolling_tables(screen.inline_svg_figures(html, export.policy))

    def _subsets_fonts(self) -> bool:
        """Whether the report embeds its fonts subset to its characters (``page.fontsubset``):
        the HTML report with ``embed_fonts``. The PDF's layout subsets them itself."""
        return self.embed_fonts

    def _with_fonts(self, html: str) -> str:
        """The page with its fonts in place of ``FONTS_MARK``, subset to its characters."""
        if not self._subsets_fonts():
            return html
        from .page import fontsubset

        return html.replace(FONTS_MARK, fontsubset.font_face_css(html), 1)

    def _chart_preprocessor(self) -> ChartPreprocessor | None:
        """The chart preprocessor, which starts, waits for and puts in the charts (None: disabled)."""
        return self._charts if self._charts.enabled else None


    def _rendered(self, html: str, export: Export) -> str:
        """The rendered report, before the drawn charts go in (they may still be drawing):
        its tables' numeric columns aligned right (the PDF exporter rewrites its tables here,
        aligning them too)."""
        from .page.tables import align_numbers

        return align_numbers(html)

    def _report_context(self, nb, resources) -> dict:
        """The page frame (``Export.report``) as the options set it, before the helpers speak."""
        created = source_date() or datetime.datetime.now(datetime.timezone.utc)
        if self.report_date:
            date = self.report_date
        else:
            day = source_date() or datetime.datetime.now()
            date = f"{day:%B} {day.day}, {day:%Y}"
        logo_url = logo_uri(self.logo) if self.logo else assets.default_logo_uri()
        return {
            "title": self.report_title or nb.metadata.get("title", ""),
            "name": resources.get("metadata", {}).get("name") or "Notebook",
            "date": date if self.insert_date else "",
            "insert_date": self.insert_date,
            "report_id": self.report_id,
            "footer_text": self.footer_text,
            "watermark": self.watermark,
            "center_header": self.center_header,
            "show_logo": self.show_logo,
            "logo": {"url": logo_url, "position": "left", "style": "", "alt": "ocx-reports"},
            "page_size": self.page_size,
            "font_css": FONTS_MARK if self._subsets_fonts() else assets.font_face_css(self.embed_fonts),
            "generator": f"ocx-reports {__version__}",
            "created": created.replace(microsecond=0).isoformat(),
            "keywords": [],
            "styles": [],
            "cover": None,
            "project": None,
            "samples": [],
        }
