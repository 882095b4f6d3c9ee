"""Live charts in the HTML report (``interactive_charts``): vega-embed, inlined, no CDN.

Each chart keeps its static SVG, which the page hides only once vega-embed drew the
chart; the template (``index.html.j2``) writes each chart's box, and this script finds
them by their classes.
"""

from __future__ import annotations

from .cache import ChartCache, content_key
from .drawing import CHART_CONFIG, Chart, vega_with_font

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
