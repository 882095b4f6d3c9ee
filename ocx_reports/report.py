"""Report helpers for notebook cells, with the One Codex client's names and arguments.

Each helper is an object that displays itself: in Jupyter it renders as HTML
right away; in an export, the output's metadata (``{"onecodex": <slot>}``)
tells the exporter where it belongs — the page header, the cover, the
document head — so the same notebook reads well live and prints as a
designed document. Numbering state (figures, references) lives in this module
and so lasts as long as the kernel, like the client's ``ipy.meta`` counters;
the exporter renumbers figure legends in document order anyway, so cells run
out of order still print "Figure 1, 2, 3".
"""

from __future__ import annotations

import datetime
import html
import os

#: Output-metadata key naming the slot, the same key the One Codex client uses.
SLOT_KEY = "onecodex"
#: Output-metadata key carrying the helper's arguments for the exporter.
ARGS_KEY = "ocx_reports"

_state: dict = {"figure_count": 0, "references": {}, "date": None}


class ReportHelperError(ValueError):
    """A report helper was called with arguments that cannot work."""


def reset() -> None:
    """Forget figure numbers, references and the custom date (for a fresh report)."""
    _state.update(figure_count=0, references={}, date=None)


def _today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
        if epoch
        else datetime.datetime.now()
    )
    return f"{day:%B} {day.day}, {day:%Y}"


def _style_attr(style: str | None) -> str:
    return f' style="{html.escape(style, quote=True)}"' if style else ""


class _Helper:
    """Displays itself; subclasses say what HTML to show and which slot it fills."""

    slot: str = ""

    def _html(self) -> str:
        raise NotImplementedError

    def _args(self) -> dict:
        return {}

    def display(self):
        from IPython.display import display

        display(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self._html()}, {SLOT_KEY: self.slot, ARGS_KEY: self._args()}


class set_style(_Helper):
    """Add CSS to the report's ``<head>``, overriding the default styling."""

    slot = "head.style"

    def __init__(self, style):
        self.style = style

    def _repr_mimebundle_(self, include=None, exclude=None):
        # text/css only: shown live as HTML, a <style> would restyle JupyterLab itself.
        block = f'\n<style type="text/css">\n{self.style.strip()}\n</style>\n'
        return {"text/css": block}, {SLOT_KEY: self.slot}


class set_center_header(_Helper):
    """Text (HTML allowed) in the center of the header on every page."""

    slot = "header.center"

    def __init__(self, text, style=None):
        self.text = text
        self.style = style or ""

    def _html(self):
        return f'<div class="ocx-center-header"{_style_attr(self.style)}>{self.text}</div>'

    def _args(self):
        return {"text": self.text, "style": self.style}


class set_date(_Helper):
    """The report-wide date for headers and the cover (default: today)."""

    slot = "customdate"

    def __init__(self, date=None, style=None):
        self.date = _today() if date is None else str(date)
        self.style = style or ""
        _state["date"] = self.date

    def _html(self):
        return f'<div class="ocx-report-date"{_style_attr(self.style)}>{html.escape(self.date)}</div>'

    def _args(self):
        return {"date": self.date}


class title(_Helper):
    """A title block; the first one also becomes the PDF's title."""

    slot = "title"

    def __init__(self, text, style=None):
        self.text = text
        self.style = style or ""

    def _html(self):
        return f'<h1 class="title"{_style_attr(self.style)}>{self.text}</h1>'

    def _args(self):
        return {"text": self.text}


class set_logo(_Helper):
    """Replace the logo in the header of every page.

    ``url`` is a path or ``file://`` URL inside the notebook's folder, or a
    ``data:`` URI; reports never fetch logos from the network.
    """

    slot = "header.logo"
    POSITIONS = ("left", "center", "right")

    def __init__(self, url, position="left", style=None):
        if position not in self.POSITIONS:
            raise ReportHelperError("position must be one of: left, center, right")
        self.url = str(url)
        self.position = position
        self.style = style or ""

    def _html(self):
        return (
            f'<img src="{html.escape(self.url, quote=True)}" alt="logo" '
            f'class="logo logo-{self.position}"{_style_attr(self.style)}>'
        )

    def _args(self):
        return {"url": self.url, "position": self.position, "style": self.style}


class legend(_Helper):
    """A figure legend, "Figure N. Heading text", numbered automatically.

    Call it right after the figure; the export keeps the two on one page and
    numbers legends in document order unless ``fignum`` is given.
    """

    slot = "legend"

    def __init__(self, text, heading=None, fignum=None, style=None):
        self.text = text
        self.heading = heading or ""
        self.style = style or ""
        self.auto = fignum is None
        if self.auto:
            _state["figure_count"] += 1
            self.fignum = _state["figure_count"]
        else:
            self.fignum = fignum

    def _html(self):
        heading = f" {self.heading}" if self.heading else ""
        return (
            f'<div class="figurelegend"{_style_attr(self.style)}><b>'
            f'<span class="ocx-fignum">Figure {self.fignum}.</span>{heading}</b> {self.text}</div>'
        )

    def _args(self):
        return {"auto": self.auto, "fignum": self.fignum}


class reference(_Helper):
    """Cite a reference: returns a superscript number and adds it to the bibliography.

    The same text cited twice gets the same number; ``label`` names a
    reference so later citations can use the label alone. ``str(reference(...))``
    is the superscript HTML, for use inside markdown or a legend.
    """

    slot = "reference"

    def __init__(self, text=None, label=None):
        if text is None and label is None:
            raise ReportHelperError("reference() needs text, a label, or both")
        refs = _state["references"]
        if text:
            existing = next((lab for lab, (_, t) in refs.items() if t == text), None)
            if existing is not None:
                if label and label != existing:
                    raise ReportHelperError(f"this reference is already cited with label={existing!r}")
                self.ref_num = refs[existing][0]
            else:
                if label in refs:
                    raise ReportHelperError(f"reference label {label!r} is already used for another text")
                self.ref_num = len(refs) + 1
                refs[label or f"ref{self.ref_num}"] = (self.ref_num, text)
        else:
            if label not in refs:
                raise ReportHelperError(f"no reference with label {label!r}; cite it once with its text first")
            self.ref_num = refs[label][0]

    def _html(self):
        return f'<sup class="reference"><a href="#ocx-ref-{self.ref_num}">{self.ref_num}</a></sup>'

    def __str__(self):
        return self._html()


class bibliography(_Helper):
    """The numbered list of every reference cited so far."""

    slot = "bibliography"

    def __init__(self, style=None):
        self.style = style or ""
        self.entries = sorted(_state["references"].values())

    def _html(self):
        items = "".join(
            f'<li id="ocx-ref-{num}" value="{num}">{text}</li>' for num, text in self.entries
        )
        return (
            f'<section class="ocx-bibliography"{_style_attr(self.style)}>'
            f"<h2>References</h2><ol>{items}</ol></section>"
        )


class page_break(_Helper):
    """Start a new page here (ignored at the very end of a report)."""

    slot = "page-break"

    def _html(self):
        return '<div class="ocx-pagebreak"></div>'


class cover_sheet(_Helper):
    """A full first page: title, date, prepared for, prepared by, project details.

    ``project_details`` may be a dict (rendered as a two-column table) or text.
    With ``add_br`` (default), newlines in the text fields become line breaks.
    """

    slot = "cover"

    def __init__(self, title, prepared_for, prepared_by, project_details, add_br=True):
        def br(value):
            value = "" if value is None else str(value)
            return value.replace("\n", "<br>") if add_br else value

        self.title = br(title)
        self.prepared_for = br(prepared_for)
        self.prepared_by = br(prepared_by)
        if isinstance(project_details, dict):
            rows = "".join(
                f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                for k, v in project_details.items()
            )
            self.project_details = f'<table class="ocx-cover-details"><tbody>{rows}</tbody></table>'
        else:
            self.project_details = br(project_details)
        self.date = _state["date"] or _today()

    def _args(self):
        return {
            "title": self.title,
            "prepared_for": self.prepared_for,
            "prepared_by": self.prepared_by,
            "project_details": self.project_details,
        }

    def _html(self):
        parts = [f'<h1 class="ocx-cover-title">{self.title}</h1>', f"<p>{html.escape(self.date)}</p>"]
        for heading, value in (
            ("Prepared for", self.prepared_for),
            ("Prepared by", self.prepared_by),
            ("Project details", self.project_details),
        ):
            if value:
                parts.append(f"<h4>{heading}</h4><div>{value}</div>")
        return f'<section class="ocx-cover-live">{"".join(parts)}</section>'
