"""Outputs a report cannot show, and the notice that takes the place of each.

A printed page, and the HTML report (which runs no script), cannot show what needs
JavaScript or a live kernel: widgets, Plotly and Bokeh figures, HTML drawn by its
script, JavaScript, Mermaid diagrams, mimetypes nbconvert does not know. nbconvert
prints nothing for them (an empty ``<div>`` once the script is removed, or a Python
warning), or their ``text/plain`` fallback, which for these is the object's repr
("HBox(children=...)", a Plotly "Figure({...})" of the whole figure's JSON), not what
the notebook's author saw. Each such output is replaced by a visible notice saying
what could not be printed and its mimetype, and one warning names the cell.

An output that also holds an image, or HTML, Markdown or LaTeX with content of its own,
shows that instead; the forms it cannot show are dropped so that nbconvert, which
ranks JavaScript and widgets first, picks the one it can.

``notice_html`` is also the "Chart not shown" box of ``charts``: one notice for all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

import nh3
from nbconvert.preprocessors import Preprocessor

from ocx_reports.report import SLOT_KEY

from ..contracts import NOT_SHOWN_CLASS, NOT_SHOWN_TITLE_CLASS
from .error_outputs import describe_cell
from .visibility import REMOVED_OUTPUT_TAGS, cell_tags

#: What the report's template prints, besides notices.
IMAGES = ("image/svg+xml", "image/png", "image/jpeg")
SHOWN = (*IMAGES, "text/html", "text/markdown", "text/latex", "text/plain")
MERMAID = "text/vnd.mermaid"
NEEDS_SCRIPT = "needs JavaScript, which a report does not run"
_SCRIPT = re.compile(r"<script", re.I)
_MEDIA = re.compile(r"<(?:img|svg)\b", re.I)


def notice_html(title: str, reason: str = "", source: str | None = None) -> str:
    """The notice box (``NOT_SHOWN_CLASS``, styled by the report's CSS): a title, a sentence, and
    the output's own text if it is worth reading (a Mermaid diagram's source)."""
    body = f" {escape(reason)}" if reason else ""
    shown = f"<pre>{escape(source)}</pre>" if source is not None else ""
    return (
        f'<div class="{NOT_SHOWN_CLASS}"><span class="{NOT_SHOWN_TITLE_CLASS}">{escape(title)}</span>'
        f"{body}{shown}</div>"
    )


@dataclass(frozen=True)
class Unshown:
    """An output the report cannot show: what it is, for the notice and the warning."""

    mimetype: str
    what: str  # "a Plotly figure"
    title: str  # the notice's title
    hint: str = ""  # how to print it instead
    why: str = NEEDS_SCRIPT

    def notice(self, source: str | None = None) -> str:
        reason = f"{self.what[0].upper()}{self.what[1:]} ({self.mimetype}) {self.why}. {self.hint}"
        return notice_html(self.title, reason.strip(), source)


#: Interactive outputs whose other forms are no figure (a widget's text/plain is its repr;
#: Plotly's HTML is a script, its text/plain a dump of its JSON): a notice, unless the
#: output also holds an image.
INTERACTIVE = {
    unshown.mimetype: unshown
    for unshown in (
        Unshown("application/vnd.jupyter.widget-view+json", "a Jupyter widget", "Widget not shown",
                "Display a figure or table of its result to print it.", "needs a running kernel and JavaScript"),
        Unshown("application/vnd.plotly.v1+json", "a Plotly figure", "Plotly figure not shown",
                'Display it as an image to print it: fig.show("svg") (needs kaleido).'),
        Unshown("application/vnd.bokehjs_exec.v0+json", "a Bokeh figure", "Bokeh figure not shown",
                "Display it as an image to print it (bokeh.io.export_svg)."),
        Unshown("application/vnd.bokehjs_load.v0+json", "Bokeh's loader", "Bokeh loader not shown",
                "It only loads BokehJS into a live notebook."),
    )
}
SCRIPTED_HTML = Unshown("text/html", "HTML drawn by its script", "Interactive output not shown")
JAVASCRIPT = Unshown("application/javascript", "a JavaScript output", "JavaScript output not shown")
MERMAID_SOURCE = Unshown(MERMAID, "a Mermaid diagram", "Mermaid diagram, shown as its source")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def scripted_only(html: str) -> bool:
    """Whether HTML holds a script and nothing the sanitizer would leave to see (a chart
    or widget library's ``<div>`` that its script fills)."""
    if not _SCRIPT.search(html) or _MEDIA.search(html):
        return False
    return not nh3.clean(html, tags=set()).replace("&nbsp;", "").strip()


def printable(data: dict) -> dict:
    """The forms of an output the report can print: images, HTML with content of its own
    (not a script's placeholder), Markdown, LaTeX, plain text."""
    forms = {m: value for m, value in data.items() if m in SHOWN}
    if "text/html" in forms and scripted_only(_text(forms["text/html"])):
        del forms["text/html"]
    return forms


def unshown(data: dict, forms: dict) -> Unshown | None:
    """What the report cannot show of an output whose printable forms are ``forms``
    (None: it prints one of them)."""
    if any(m in forms for m in IMAGES):
        return None
    found = next((INTERACTIVE[m] for m in data if m in INTERACTIVE), None)
    if found or set(forms) - {"text/plain"}:
        return found
    if MERMAID in data:
        return MERMAID_SOURCE
    if "text/html" in data:
        return SCRIPTED_HTML
    other = next((m for m in data if m not in SHOWN), None)
    if other == JAVASCRIPT.mimetype:
        return JAVASCRIPT
    if other is not None:
        return Unshown(other, "an output", "Output not shown", why="is a form a report cannot print")
    return None


class NoticePreprocessor(Preprocessor):
    """Replace each output the report cannot show with a notice; warn once per cell."""

    def preprocess(self, nb, resources):
        for index, cell in enumerate(nb.cells):
            if cell_tags(cell) & REMOVED_OUTPUT_TAGS:
                continue
            found = [u for u in map(self._replace, cell.get("outputs", ())) if u]
            if found:
                kinds = dict.fromkeys(f"{u.what} ({u.mimetype})" for u in found)
                self.log.warning(
                    "%s: a report cannot show %s; %s in its place",
                    describe_cell(index, cell),
                    " or ".join(kinds),
                    "a notice is printed" if len(found) == 1 else f"{len(found)} notices are printed",
                )
        return nb, resources

    def _replace(self, output) -> Unshown | None:
        """Leave ``output`` holding what the report prints of it; what it cannot show, if anything."""
        data = output.get("data")
        metadata = output.get("metadata")
        if not isinstance(data, dict) or (isinstance(metadata, dict) and SLOT_KEY in metadata):
            return None
        forms = printable(data)
        found = unshown(data, forms)
        if found is None:
            if len(forms) < len(data):
                output["data"] = forms
            return None
        source = _text(data[MERMAID]) if found is MERMAID_SOURCE else None
        output["data"] = {"text/html": found.notice(source)}
        return found
