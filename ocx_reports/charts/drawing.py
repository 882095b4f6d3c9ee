"""One chart spec -> SVG with vl-convert: no network, text in the report font (``fonts``).

Also a worker process (``python -m ocx_reports.charts.drawing FONT_DIR``: one JSON
chart per stdin line, one JSON result per stdout line; for the PDF report the
result also holds the chart converted to PDF, and an SVG the kernel drew may
come to be converted only). vl-convert 1.x runs
every conversion in one JavaScript engine behind a global lock and holds the
GIL while it waits, so threads cannot overlap conversions; the export uses
these workers instead (see ``workers``). The module imports neither nbconvert
nor Altair (nor does the package's ``__init__``), so a worker starts quickly.
"""

from __future__ import annotations

import base64
import json
import re
import sys
from dataclasses import dataclass

from .fonts import FONT_FAMILY, svg_in_report_font

#: Applied beneath each Vega-Lite spec's own config: chart text in the report
#: font (registered with vl-convert, so text is measured with the font the
#: PDF shows).
CHART_CONFIG = {"font": FONT_FAMILY}
#: Vega specs take no config argument: this goes beneath their own ``config``,
#: naming the report font for every kind of text Vega draws.
VEGA_FONT_CONFIG = {
    "text": {"font": FONT_FAMILY},
    "axis": {"labelFont": FONT_FAMILY, "titleFont": FONT_FAMILY},
    "legend": {"labelFont": FONT_FAMILY, "titleFont": FONT_FAMILY},
    "title": {"font": FONT_FAMILY, "subtitleFont": FONT_FAMILY},
}

_registered: set[str] = set()


class ChartError(Exception):
    """A chart that cannot be drawn; the message is a short reason for the reader."""


@dataclass(frozen=True)
class Chart:
    """One chart to draw: ``mode`` is "vega-lite" or "vega"."""

    mode: str
    spec: dict
    vl_version: str | None = None


@dataclass(frozen=True)
class Figure:
    """An SVG the kernel drew, to convert to PDF only (for the PDF report's layout)."""

    svg: str


def register_fonts(font_dir: str) -> None:
    """Let vl-convert measure chart text with the report font (once per process)."""
    if font_dir not in _registered:
        import vl_convert

        vl_convert.register_font_directory(font_dir)
        _registered.add(font_dir)


def short_reason(exc: Exception) -> str:
    """vl-convert's multi-line JavaScript error as one short line."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    lines = [line for line in lines if not line.endswith("conversion failed:")] or ["unknown error"]
    reason = lines[0].removeprefix("Error: ")
    url = re.match(r"External data url not allowed: (\S+)", reason)
    if url:
        return f"it loads data from {url.group(1)}, and reports never use the network; put the data in the chart"
    return reason if len(reason) <= 160 else reason[:157] + "..."


def vega_with_font(spec: dict) -> dict:
    """A Vega spec with the report font beneath whatever its own config sets."""
    config = dict(spec.get("config") or {})
    for group, defaults in VEGA_FONT_CONFIG.items():
        config[group] = {**defaults, **(config.get(group) or {})}
    return {**spec, "config": config}


def to_svg(chart: Chart) -> str:
    """Draw one chart, fetching nothing (an empty allowed-base-URL list); raises ChartError.
    Its spec names the report font already (``chart_for``); what a signal set is put in
    it here, so that no text is lost on the way to the PDF."""
    import vl_convert

    try:
        if chart.mode == "vega":
            svg = vl_convert.vega_to_svg(vega_with_font(chart.spec), allowed_base_urls=[])
        else:
            svg = vl_convert.vegalite_to_svg(
                chart.spec, vl_version=chart.vl_version, config=CHART_CONFIG, allowed_base_urls=[]
            )
    except ValueError as exc:
        raise ChartError(short_reason(exc)) from None
    return svg_in_report_font(svg)


def to_pdf(svg: str) -> bytes | None:
    """The SVG as a one-page PDF, converted by vl-convert in compiled code: how the PDF
    report draws charts (see ``ocx_reports.exporters.layout.svgforms``); None if it cannot. Its text is
    put in the report font first, which the converter would leave out in a font it lacks."""
    import vl_convert

    try:
        return vl_convert.svg_to_pdf(svg_in_report_font(svg))
    except (ValueError, RuntimeError):  # vl-convert raises RuntimeError for SVG it cannot read
        return None


def reply(request: dict) -> dict:
    """One worker job: a ``Chart`` gives ``{"svg": ..., "pdf": ...}`` (``pdf`` when the
    request asks for it), or ``{"error": ...}``, so a batch survives one bad chart; a
    ``Figure`` gives ``{"pdf": ...}``."""
    want_pdf = request.pop("pdf", False)
    if set(request) == {"svg"}:  # a Figure
        return {"pdf": _base64(to_pdf(request["svg"]))}
    try:
        svg = to_svg(Chart(**request))
    except ChartError as exc:
        return {"error": str(exc)}
    return {"svg": svg, "pdf": _base64(to_pdf(svg))} if want_pdf else {"svg": svg}


def _base64(pdf: bytes | None) -> str | None:
    return None if pdf is None else base64.b64encode(pdf).decode("ascii")


def main(argv: list[str] | None = None) -> None:
    """Worker loop: one JSON request per stdin line, one JSON ``reply`` per stdout line."""
    register_fonts((argv or sys.argv[1:])[0])
    for line in sys.stdin:
        sys.stdout.write(json.dumps(reply(json.loads(line))) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
