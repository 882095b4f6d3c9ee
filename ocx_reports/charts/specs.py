"""Chart specs read out of outputs, in every form users' tools save them.

A Vega-Lite or Vega chart reaches a notebook in one of these forms:

* under a chart mimetype, ``application/vnd.vegalite.v5+json`` and the like (Altair's
  ``mimetype`` renderer, JupyterLab, papermill);
* under the same mimetype spelled with ``.json`` for ``+json``: Altair 6.3's ``mimetype``
  renderer writes ``application/vnd.vegalite.v6.json``. nbformat's schema takes that for a
  text mimetype and refuses the JSON object under it, so executing such a notebook stops
  (nbclient validates every output it receives) and a saved one fails the schema check;
* only as ``text/html``: Altair's html renderer, its default since Altair 4.2, writes a
  ``<div>`` and a ``<script>`` that calls vegaEmbed with the spec inline. Such a chart
  printed nothing: the sanitizer left an empty ``<div>``.

Every form becomes the first one here, so the chart preprocessor draws them alike. The
spec in the HTML is read as data, where Altair's templates put it (the arguments of
``})(SPEC, OPTIONS)`` in the "universal" and "olli" templates, ``var spec = SPEC`` in the
"standard" one and in Altair 4's), with the JSON decoder: no JavaScript runs, and the
decoder is linear and refuses deep nesting. HTML that does not read exactly so is not a
chart (see ``ocx_reports.exporters.preprocessors.notices`` for what the reader then sees).
Then ``chart_for`` reads the spec under a chart mimetype into the ``Chart`` to draw.
"""

from __future__ import annotations

import json
import re

from .drawing import Chart, ChartError
from .fonts import spec_in_report_font

_CHART_MIMETYPE = re.compile(r"^application/vnd\.(vegalite|vega)\.v(\d+)\+json$")
#: The chart mimetypes the report draws, in the order ``figure_priority`` takes them by default.
CHART_MIMETYPES = (
    "application/vnd.vegalite.v6+json",
    "application/vnd.vegalite.v5+json",
    "application/vnd.vegalite.v4+json",
    "application/vnd.vega.v6+json",
    "application/vnd.vega.v5+json",
)
#: A misspelled JSON mimetype: ``.json`` where the notebook format wants ``+json``.
_DOT_JSON = re.compile(r"^(application/.+)\.json$")
#: Altair's "universal" and "olli" templates: ``(function(spec, embedOpt){...})(SPEC, OPTIONS);``
_CALL = re.compile(r"\}\)\(\s*(?=\{)")
_COMMA = re.compile(r"\s*,\s*")
_CLOSE = re.compile(r"\s*\)")
#: Its "standard" and "inline" templates, and Altair 4's: ``var spec = SPEC; var embedOpt = OPTIONS;``
_ASSIGNED = re.compile(r"\b(?:var|const|let)\s+(spec|embedOpt|opt)\s*=\s*(?=\{)")
_SCHEMA = re.compile(r"/schema/(vega-lite|vega)/v(\d+)")
#: The Vega-Lite or Vega major version of a chart whose spec names none.
DEFAULT_MAJOR = 5
_DECODER = json.JSONDecoder()


def respelled(data: dict) -> dict:
    """``data`` (an output's mimebundle) with each JSON value kept under a ``.json``
    mimetype moved to its ``+json`` spelling (a new dict; ``data`` itself if there is none).
    Text under a ``.json`` mimetype stays: the notebook format allows it."""
    wrong = [m for m, value in data.items() if _DOT_JSON.match(m) and not _is_text(value)]
    if not wrong:
        return data
    fixed = {m: value for m, value in data.items() if m not in wrong}
    for mimetype in wrong:
        fixed.setdefault(_DOT_JSON.sub(r"\1+json", mimetype), data[mimetype])
    return fixed


def _is_text(value) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def respell_outputs(nb) -> None:
    """Respell the misspelled JSON mimetypes of every output in ``nb``, in place (a notebook
    saved by a frontend that kept Altair 6.3's key as it came)."""
    for cell in nb.get("cells", ()):
        for output in cell.get("outputs", ()) if isinstance(cell, dict) else ():
            data = output.get("data") if isinstance(output, dict) else None
            if isinstance(data, dict) and respelled(data) is not data:
                output["data"] = respelled(data)


def with_charts(data: dict) -> dict:
    """``data`` with its chart under a chart mimetype, whichever form the notebook holds it
    in (a new dict; ``data`` itself if there is nothing to add or respell)."""
    fixed = respelled(data)
    html = fixed.get("text/html")
    if isinstance(html, list):
        html = "".join(html) if _is_text(html) else None
    found = html_chart(html) if isinstance(html, str) else None
    if found is None:
        return fixed
    mimetype, spec = found
    return fixed if mimetype in fixed else {**fixed, mimetype: spec}


def html_chart(html: str) -> tuple[str, dict] | None:
    """(chart mimetype, spec) of an HTML output that embeds a chart with vegaEmbed as
    Altair's html renderer writes it, or None."""
    if "vegaEmbed" not in html:
        return None
    found = _called(html) or _assigned(html)
    if found is None:
        return None
    spec, options = found
    schema = _SCHEMA.search(str(spec.get("$schema", "")))
    mode = options.get("mode", "vega-lite")
    if schema:  # as vega-embed decides: the spec's $schema wins over the mode option
        mode = schema.group(1)
    if mode not in ("vega-lite", "vega"):
        return None
    major = int(schema.group(2)) if schema else DEFAULT_MAJOR
    return f"application/vnd.{mode.replace('-', '')}.v{major}+json", spec


def _decode(text: str, start: int):
    """The JSON object at ``start`` and where it ends, or None."""
    try:
        value, end = _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError):
        return None
    return (value, end) if isinstance(value, dict) else None


def _called(html: str) -> tuple[dict, dict] | None:
    """Spec and embed options passed as the arguments of the template's function."""
    calls = list(_CALL.finditer(html))
    if not calls:
        return None
    spec = _decode(html, calls[-1].end())
    comma = spec and _COMMA.match(html, spec[1])
    options = comma and _decode(html, comma.end())
    if not options or not _CLOSE.match(html, options[1]):
        return None
    return spec[0], options[0]


def _assigned(html: str) -> tuple[dict, dict] | None:
    """Spec and embed options assigned to variables before the vegaEmbed call."""
    values = {}
    for match in _ASSIGNED.finditer(html):  # the last of each: the chart's script comes last
        values[match.group(1)] = match.end()
    if "spec" not in values:
        return None
    spec = _decode(html, values["spec"])
    starts = [values[name] for name in ("embedOpt", "opt") if name in values]
    options = _decode(html, starts[0]) if starts else ({}, None)
    if spec is None or options is None:
        return None
    return spec[0], options[0]


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
    spec = spec_in_report_font(spec)  # so its text is measured in the font it prints in
    kind, major = _CHART_MIMETYPE.match(mimetype).groups()
    if kind == "vega":
        return Chart("vega", spec)
    import vl_convert

    version = vegalite_version(int(major), spec.get("$schema", ""), vl_convert.get_vegalite_versions())
    return Chart("vega-lite", spec, version)
