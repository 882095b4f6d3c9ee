"""Altair charts that look like the report and print without a browser: what a notebook's
kernel runs when it calls ``ocx_reports.charts.enable()``.

``enable()`` switches on three things:

* the ``onecodex`` theme: the report's font, brand palette and type sizes,
  and a default width that fits the printed page (7 in at 96 px/in);
* the ``onecodex`` renderer: the usual Vega-Lite JSON (so JupyterLab still
  draws the interactive chart) plus an SVG of it, made in the kernel with the
  same converter the exporter uses. The executed notebook then carries its
  charts as pictures, and the export reuses them instead of drawing again;
* the same look for matplotlib figures, as SVG with their text in the report
  font, once the kernel imports matplotlib (``mpl``).

This module imports Altair, and registers the theme and the renderer with it;
the package loads it on first use of these names (see ``ocx_reports.charts``).
"""

from __future__ import annotations

import warnings

import altair as alt

from ocx_reports.exporters.page.assets import font_dir

from .drawing import ChartError, register_fonts, to_svg
from .fonts import FONT_FAMILY as FONT
from .specs import chart_for

__all__ = [
    "NAVY", "TEAL", "LIGHT_TEAL", "TEXT", "MUTED", "RULE", "PALETTE", "LABEL_PX", "AXIS_TITLE_PX", "TITLE_PX",
    "NAME", "MIMETYPE", "FONT", "theme", "renderer", "enable",
]

NAVY, TEAL, LIGHT_TEAL = "#16425b", "#2f9c95", "#9fd3c7"
TEXT, MUTED, RULE = "#1f2933", "#52606d", "#dde3e8"
#: Categorical colors: the three brand colors first, then distinct companions.
PALETTE = [NAVY, TEAL, "#e9813f", LIGHT_TEAL, "#7a5c99", "#d9b26f", "#5fa8d3", "#d67a8b", MUTED, "#9bc53d"]
#: Sizes in px (the PDF prints 1 px as 0.75 pt): 11 px labels print at 8.25 pt,
#: just under the report's 8.5 pt tables; 14 px titles match the 10.5 pt body.
LABEL_PX, AXIS_TITLE_PX, TITLE_PX = 11, 12, 14
NAME = "onecodex"

MIMETYPE = f"application/vnd.vegalite.v{alt.SCHEMA_VERSION.lstrip('v').split('.')[0]}+json"


@alt.theme.register(NAME, enable=False)
def theme() -> alt.theme.ThemeConfig:
    """The One Codex report look for Altair charts."""
    # Axis, facet-header and legend labels and titles share one look.
    labels = {
        "labelFont": FONT,
        "labelFontSize": LABEL_PX,
        "labelColor": TEXT,
        "titleFont": FONT,
        "titleFontSize": AXIS_TITLE_PX,
        "titleColor": NAVY,
    }
    axis = {**labels, "titleFontWeight": 600, "gridColor": RULE, "domainColor": MUTED, "tickColor": MUTED}
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "view": {"continuousWidth": 480, "continuousHeight": 300, "stroke": RULE},
            "range": {"category": PALETTE, "ramp": {"scheme": "tealblues"}, "heatmap": {"scheme": "tealblues"}},
            "mark": {"color": NAVY},
            "axis": axis,
            "header": labels,
            "legend": labels,
            "title": {"font": FONT, "fontSize": TITLE_PX, "fontWeight": 700, "color": NAVY, "anchor": "start"},
            "text": {"font": FONT, "fontSize": LABEL_PX, "color": TEXT},
        }
    }


def renderer(spec: dict, **metadata) -> tuple[dict, dict]:
    """Vega-Lite JSON for live frontends plus the SVG the printed report shows."""
    bundle = {MIMETYPE: spec, "text/plain": "<VegaLite chart>"}
    try:
        register_fonts(str(font_dir()))
        bundle["image/svg+xml"] = to_svg(chart_for(MIMETYPE, spec))
    except ChartError as exc:
        warnings.warn(f"ocx-reports: no SVG for this chart ({exc}); the report will show a placeholder", stacklevel=2)
    return bundle, {MIMETYPE: metadata} if metadata else {}


alt.renderers.register(NAME, renderer)


def enable() -> None:
    """Use the One Codex theme and the SVG-adding renderer for every chart from now on, and
    the same look for matplotlib figures (if matplotlib is installed)."""
    from . import mpl

    alt.theme.enable(NAME)
    alt.renderers.enable(NAME)
    mpl.enable()
