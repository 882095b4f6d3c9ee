"""Chart and figure text in the report font, so that no text is lost on the way to the PDF.

vl-convert turns an SVG into PDF with usvg, which draws a text element only in a font its
font database holds and silently leaves the element out otherwise. That database holds the
faces registered with it (the report font), the system's fonts and a bundled Liberation Sans
that stands for ``sans-serif``; ``serif`` and ``monospace`` mean whatever the system has, if
anything, and text that names no family asks for Times New Roman. So a chart themed as the
One Codex client themes them ("Fira Sans, Helvetica") lost every title, axis and legend label,
and figures in DejaVu Sans (matplotlib with ``svg.fonttype = 'none'``) printed only where the
system happened to have it. Vega also lays a chart out by measuring its text with that
database: text in a font it lacks is measured as a row of zeros in Liberation Sans, so labels
were spaced for a font that was never printed.

So every font family a chart spec or an SVG figure names becomes the report font before it
is drawn: the spec's (its labels are then measured with the font they print in) and the
SVG's (attributes, ``style`` attributes and ``<style>`` sheets). The report font, Source Sans
Pro, is the only family the package ships: any other family, named or generic, would print
differently from one machine to the next, or not at all. The HTML report writes figures with
text into its page (``exporters.page.screen``), where the page's embedded font draws them; the
family list ends with fallbacks for any other viewer of the SVG.
"""

from __future__ import annotations

import re

#: What chart and figure text is drawn in: the report font, then fallbacks for other viewers.
FONT_FAMILY = "Source Sans Pro, Helvetica Neue, Arial, sans-serif"

#: Vega and Vega-Lite properties that name a font family: ``font``, ``labelFont``,
#: ``titleFont``, ``subtitleFont``... (``fontSize`` and the like end otherwise).
_FONT_KEY = re.compile(r"^(?:font|\w+Font)$")
#: What holds the chart's data, never its look: not walked (it can be large, and a
#: column named "font" is data).
_DATA_KEYS = frozenset({"data", "datasets"})

#: A start tag, its attributes' values quoted (a ``>`` may stand inside them, a ``<`` may not).
_TAG = re.compile(r"""<[A-Za-z][\w:.-]*(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")
_FAMILY_ATTRIBUTE = re.compile(r"""(\sfont-family\s*=\s*)(?:"[^"]*"|'[^']*')""")
_STYLE_ATTRIBUTE = re.compile(r"""(\sstyle\s*=\s*)("[^"]*"|'[^']*')""")
_STYLE_SHEET = re.compile(r"(<style\b[^>]*>)(.*?)(</style\s*>)", re.S | re.I)
#: A ``font-family`` or ``font`` declaration and its value (quoted names and entities
#: whole, so that the ``;`` of ``&quot;`` does not end it); not ``-inkscape-font-...``.
_DECLARATION = re.compile(
    r"""(?<![\w-])(font-family|font)(\s*:\s*)"""
    r"""((?:"[^"]*"|'[^']*'|&quot;.*?&quot;|&apos;.*?&apos;|&\#?\w+;|[^;}"'&])*)""",
    re.I,
)
#: The size in a ``font`` shorthand (and its line height): the families follow it.
_SHORTHAND_SIZE = re.compile(
    r"(?:^|\s)(?:[\d.]+(?:[a-z]+|%)|(?:xx?x?-)?(?:small|large)|medium|smaller|larger)(?:\s*/\s*\S+)?\s+",
    re.I,
)
#: The keywords a ``font`` shorthand may start with, and their own properties: the shorthand
#: is rewritten as size and family, then one declaration each (WeasyPrint's SVG drawing, which
#: draws the figure where it is not placed as a PDF form, leaves out text whose shorthand has
#: them; browsers and vl-convert read either).
_KEYWORDS = {
    **dict.fromkeys(("italic", "oblique"), "font-style"),
    **dict.fromkeys(("bold", "bolder", "lighter", *map(str, range(100, 1000, 100))), "font-weight"),
    "small-caps": "font-variant",
    **dict.fromkeys(
        ("ultra-condensed", "extra-condensed", "condensed", "semi-condensed", "semi-expanded", "expanded",
         "extra-expanded", "ultra-expanded"),
        "font-stretch",
    ),
}
_ROOT = re.compile(r"<svg\b")


def spec_in_report_font(spec: dict) -> dict:
    """A Vega or Vega-Lite spec whose every font property names the report font; its
    ``data`` is passed over. Values set by a signal or an expression are left alone (the
    drawn SVG is still put in the report font, see ``svg_in_report_font``)."""
    return _walk(spec)


def _walk(node):
    if isinstance(node, dict):
        return {key: _property(key, value) for key, value in node.items()}
    if isinstance(node, list):
        return [_walk(item) for item in node]
    return node


def _property(key: str, value):
    if _FONT_KEY.match(key):
        return _font(value)
    return value if key in _DATA_KEYS else _walk(value)


def _font(value):
    """A font property's value in the report font: a family name, a Vega value
    reference (``{"value": ...}``) or a list of conditional references."""
    if isinstance(value, str):
        return FONT_FAMILY
    if isinstance(value, dict) and isinstance(value.get("value"), str):
        return {**value, "value": FONT_FAMILY}
    if isinstance(value, list):
        return [_font(item) for item in value]
    return value


def svg_in_report_font(svg: str) -> str:
    """The SVG with each font family it names replaced by the report font's, and the report
    font on its root element for text that names none. An SVG without text is returned as
    it is (matplotlib's default draws text as paths)."""
    if "<text" not in svg:
        return svg
    svg = _tags_in_report_font(svg)
    svg = _STYLE_SHEET.sub(lambda m: m.group(1) + _css_in_report_font(m.group(2)) + m.group(3), svg)
    start = _ROOT.search(svg)
    root = _TAG.match(svg, start.start()) if start else None
    if root is not None and not _FAMILY_ATTRIBUTE.search(root.group(0)):
        at = root.start() + len("<svg")
        svg = f'{svg[:at]} font-family="{FONT_FAMILY}"{svg[at:]}'
    return svg


def _tags_in_report_font(svg: str) -> str:
    """The SVG with its start tags that mention a font rewritten: found from each mention
    back to the tag around it, which is quicker than matching every tag of a large figure."""
    parts, done = [], 0
    for mention in re.finditer("font", svg):
        start = svg.rfind("<", done, mention.start())
        tag = _TAG.match(svg, start) if start >= 0 else None
        if tag is None or tag.end() <= mention.start():  # text, a style sheet, or a tag done
            continue
        parts += [svg[done:start], _tag_in_report_font(tag.group(0))]
        done = tag.end()
    return "".join(parts) + svg[done:]


def _tag_in_report_font(tag: str) -> str:
    tag = _FAMILY_ATTRIBUTE.sub(lambda m: f'{m.group(1)}"{FONT_FAMILY}"', tag)
    return _STYLE_ATTRIBUTE.sub(
        lambda m: m.group(1) + m.group(2)[0] + _css_in_report_font(m.group(2)[1:-1]) + m.group(2)[0], tag
    )


def _css_in_report_font(css: str) -> str:
    """CSS declarations (a style attribute's or a style sheet's) with the report font as
    the family of each ``font-family`` and ``font`` declaration; ``!important`` stays."""

    def declaration(match: re.Match) -> str:
        name, colon, value = match.groups()
        important = re.search(r"\s*!\s*important\s*$", value, re.I)
        tail = important.group(0) if important else ""
        if name.lower() == "font-family":
            return f"{name}{colon}{FONT_FAMILY}{tail}"
        size = _SHORTHAND_SIZE.search(value)
        if size is None:  # a system font keyword, or inherit: no family of its own
            return match.group(0)
        shorthand = f"{name}{colon}{value[size.start():size.end()].strip()} {FONT_FAMILY}{tail}"
        keywords = [word for word in value[: size.start()].split() if word.lower() in _KEYWORDS]
        return shorthand + "".join(f"; {_KEYWORDS[word.lower()]}: {word}{tail}" for word in keywords)

    return _DECLARATION.sub(declaration, css)
