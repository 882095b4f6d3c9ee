"""The one path by which notebook content reaches the page: HTML cleaned, CSS filtered.

nbconvert's lab template passes every rendered HTML fragment through the
``clean_html`` filter (the exporters always sanitize); we replace that filter
with one built on nh3 (the Ammonia sanitizer). It drops ``<script>``,
``<link>``, ``<iframe>``, event handlers and ``rel`` attributes (so no
``rel=attachment`` either), keeps the styling reports rely on, and turns
local images into data URIs through the URL policy.

CSS from notebooks (``<style>`` elements, ``style=`` attributes, ``set_style``)
is parsed with tinycss2, the parser WeasyPrint itself uses, and filtered: no
``@import``, no ``url()`` (or ``image-set()``, ``src()``) other than ``data:``
and ``#fragment``, no ``@font-face`` loading a font from anywhere else. What is
left is serialized again with ``<`` escaped, so no CSS can close its
``<style>`` element. Each refusal is logged once, naming what was dropped.
"""

from __future__ import annotations

import base64
import hashlib
import re

import nh3
import tinycss2

from ..contracts import VERY_WIDE_CLASS, WIDE_CLASS

_EXTRA_TAGS = {"style", "section", "main", "caption", "tfoot", "font", "label"}
TAGS = set(nh3.ALLOWED_TAGS) | _EXTRA_TAGS
_GENERIC = {"class", "id", "style", "title", "lang", "dir", "align", "valign", "width", "height", "role"}
ATTRIBUTES = {tag: set(attrs) | _GENERIC for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
ATTRIBUTES["*"] = _GENERIC
ATTRIBUTES["li"] = {"value"} | _GENERIC
ATTRIBUTES["style"] = {"type", "media"}
URL_SCHEMES = {"http", "https", "mailto", "data", "file"}

_TABLE_FIRST_ROW = re.compile(r"<table\b([^>]*)>(.*?)</tr>", re.DOTALL)
_CELL = re.compile(r"<t[hd]\b")
_STYLE_ELEMENT = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)
#: (minimum columns, class): wide tables get smaller type so they fit the page.
WIDTH_CLASSES = ((15, VERY_WIDE_CLASS), (9, WIDE_CLASS))

#: CSS functions whose string arguments are URLs the browser or WeasyPrint would load.
_URL_FUNCTIONS = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade"}
#: At-rules holding a list of rules, filtered rule by rule.
_GROUPING_RULES = {"media", "supports", "layer", "container", "scope", "starting-style"}
_BLOCKS = ("() block", "[] block", "{} block")


def size_class(columns: int) -> str:
    """The size class of a table of ``columns`` columns ("" for the regular size): the step of
    the tables' type scale it prints in (onecodex.css)."""
    return next((name for minimum, name in WIDTH_CLASSES if columns >= minimum), "")


def mark_wide_tables(html: str) -> str:
    """Add a size class to tables whose first row has many columns."""

    def mark(match):
        size = size_class(len(_CELL.findall(match.group(2))))
        if not size:
            return match.group(0)
        attrs = match.group(1)
        if 'class="' in attrs:
            attrs = attrs.replace('class="', f'class="{size} ', 1)
        else:
            attrs += f' class="{size}"'
        return f"<table{attrs}>{match.group(2)}</tr>"

    return _TABLE_FIRST_ROW.sub(mark, html)


# -- CSS ----------------------------------------------------------------------


def _urls(tokens):
    """Every URL a list of CSS component values would load."""
    for token in tokens or ():
        if token.type == "url":
            yield token.value
        elif token.type == "function":
            if token.lower_name in _URL_FUNCTIONS:
                yield from (arg.value for arg in token.arguments if arg.type == "string")
            yield from _urls(token.arguments)
        elif token.type in _BLOCKS:
            yield from _urls(token.content)


def _loads(url: str) -> bool:
    """Whether a CSS URL would be fetched: everything but ``data:`` and same-document ``#id``."""
    url = url.strip()
    return not (url.lower().startswith("data:") or url.startswith("#"))


def _escape(css: str) -> str:
    """CSS that cannot end its ``<style>`` element (``<`` only appears in strings there)."""
    return css.replace("<", "\\3c ")


class CSSFilter:
    """Filters notebook CSS; ``refuse(what, why)`` hears of each thing dropped."""

    def __init__(self, refuse):
        self.refuse = refuse

    def _fetches(self, tokens, where: str) -> bool:
        loading = [url for url in _urls(tokens) if _loads(url)]
        for url in loading:
            self.refuse(url, f"a notebook's CSS may not load anything ({where}); embed images as data: URIs")
        return bool(loading)

    def declarations(self, text: str) -> str:
        """A ``style=`` attribute (or a rule's body) without the declarations that load URLs."""
        kept = []
        for item in tinycss2.parse_blocks_contents(text, skip_comments=True, skip_whitespace=True):
            if item.type == "declaration":
                if not self._fetches(item.value, f"property {item.lower_name}"):
                    important = " !important" if item.important else ""
                    kept.append(f"{item.name}: {tinycss2.serialize(item.value).strip()}{important};")
            elif item.type == "qualified-rule":  # CSS nesting
                kept.append(self.stylesheet(tinycss2.serialize([item])))
        return _escape(" ".join(kept))

    def stylesheet(self, text: str) -> str:
        """A style sheet without ``@import`` and without whatever would load a URL."""
        out = []
        for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
            if rule.type == "qualified-rule":
                prelude = tinycss2.serialize(rule.prelude).strip()
                out.append(f"{prelude} {{ {self.declarations(tinycss2.serialize(rule.content))} }}")
            elif rule.type != "at-rule":
                continue  # a parse error: WeasyPrint and browsers skip it too
            elif rule.lower_at_keyword == "import":
                self.refuse(tinycss2.serialize(rule.prelude).strip(), "a notebook's CSS may not @import")
            elif rule.lower_at_keyword in _GROUPING_RULES and rule.content is not None:
                prelude = tinycss2.serialize(rule.prelude)
                out.append(f"@{rule.at_keyword}{prelude}{{ {self.stylesheet(tinycss2.serialize(rule.content))} }}")
            elif not self._fetches([*rule.prelude, *(rule.content or ())], f"@{rule.lower_at_keyword}"):
                out.append(tinycss2.serialize([rule]))  # @page, @keyframes, @font-face from data:
        return _escape("\n".join(out))

    def style_elements(self, html: str) -> str:
        """Cleaned HTML with the content of each ``<style>`` element filtered."""
        return _STYLE_ELEMENT.sub(lambda m: m.group(1) + self.stylesheet(m.group(2)) + m.group(3), html)


# -- HTML ---------------------------------------------------------------------

_SIZE = re.compile(r"\s*(\d{1,5}(?:\.\d{1,3})?)\s*(?:px)?\s*")


def image_size(output, key: str, mimetype: str) -> str:
    """An image output's ``width`` / ``height`` metadata as a number of pixels, or "" if it is
    anything else (nbconvert's lab template prints it as it is, unquoted)."""
    metadata = output.get("metadata")
    if not isinstance(metadata, dict):
        return ""
    value = (metadata.get(mimetype) if isinstance(metadata.get(mimetype), dict) else {}).get(key, metadata.get(key))
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 100_000:
        return f"{value:g}"
    match = _SIZE.fullmatch(value) if isinstance(value, str) else None
    return match.group(1) if match and float(match.group(1)) > 0 else ""


def content_security_policy(script: str | None = None) -> str:
    """The report's Content-Security-Policy: nothing loads from anywhere (images and fonts are
    data: URIs, styles inline), forms and frames are off, and no script runs but ``script``,
    the one the exporter itself inlines (``interactive_charts``), allowed by its hash."""
    if script:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        scripts = f"'sha256-{digest}'"
    else:
        scripts = "'none'"
    return (
        "default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
        f"script-src {scripts}; base-uri 'none'; form-action 'none'"
    )



def clean_html(html, policy, where=None) -> str:
    """``html`` cleaned, its images embedded through ``policy`` (the export's URL policy);
    ``where`` names its cell in the warnings about images left out."""

    def attribute_filter(tag: str, attr: str, value: str):
        if attr == "src":
            return policy.inline(value, where)
        if attr == "style":
            return CSSFilter(policy.refuse).declarations(value)
        if attr == "href" and tag == "a" and value.startswith(("file:", "data:")):
            return None
        return value

    cleaned = nh3.clean(
        html.decode() if isinstance(html, bytes) else str(html),
        tags=TAGS,
        clean_content_tags={"script"},
        attributes=ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    if "<style" in cleaned:
        cleaned = CSSFilter(policy.refuse).style_elements(cleaned)
    return mark_wide_tables(cleaned) if "<table" in cleaned else cleaned


def clean_css(text, policy, declarations: bool = False) -> str:
    """CSS for the template's slots, filtered (``policy``: the export's URL policy, which hears
    of what is dropped): ``set_style`` output (a ``<style>`` element or bare CSS) and helpers'
    ``style`` arguments (``declarations=True``)."""
    css = CSSFilter(policy.refuse)
    text = str(text or "")
    if declarations:
        return css.declarations(text)
    sheets = [m.group(2) for m in _STYLE_ELEMENT.finditer(text)] if "<style" in text.lower() else [text]
    return "\n".join(css.stylesheet(sheet) for sheet in sheets)


# -- SVG figures written into the HTML report ------------------------------------------------

#: What an SVG figure may hold once it is part of the page: shapes, text, gradients, clip paths
#: and references within the figure; no script, animation, link, foreign HTML or external use.
SVG_TAGS = {
    "svg", "g", "defs", "symbol", "use", "title", "desc", "style", "path", "rect", "circle", "ellipse",
    "line", "polyline", "polygon", "text", "tspan", "clipPath", "mask", "pattern", "marker", "image",
    "linearGradient", "radialGradient", "stop",
}
_SVG_ATTRIBUTES = {
    "id", "class", "style", "role", "aria-label", "aria-hidden", "aria-roledescription", "transform",
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr", "width", "height",
    "d", "points", "dx", "dy", "rotate", "textLength", "lengthAdjust", "offset", "viewBox",
    "preserveAspectRatio", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width",
    "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset",
    "stroke-miterlimit", "opacity", "clip-path", "clip-rule", "mask", "color", "display", "visibility",
    "pointer-events", "paint-order", "vector-effect", "shape-rendering", "text-rendering",
    "font-family", "font-size", "font-weight", "font-style", "font-variant", "text-anchor",
    "dominant-baseline", "alignment-baseline", "baseline-shift", "letter-spacing", "word-spacing",
    "text-decoration", "writing-mode", "stop-color", "stop-opacity", "gradientUnits",
    "gradientTransform", "spreadMethod", "patternUnits", "patternContentUnits", "patternTransform",
    "clipPathUnits", "maskUnits", "maskContentUnits", "markerWidth", "markerHeight", "markerUnits",
    "refX", "refY", "orient", "marker-start", "marker-mid", "marker-end", "href", "xlink:href",
}
SVG_ATTRIBUTES = {tag: _SVG_ATTRIBUTES for tag in SVG_TAGS} | {"style": {"type", "media"}}
#: A reference to an element of the figure, in a presentation attribute or CSS.
_FRAGMENT_URL = re.compile(r"""url\(\s*(["']?)#([^"')\s]+)\1\s*\)""")
_SVG_START = re.compile(r"<svg\b", re.I)
_EMBEDDED_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z", re.I)


def clean_svg(svg: str, policy, scope: str) -> str:
    """An SVG figure as markup the HTML report can hold inline, so that its text is drawn in
    the page's fonts (an SVG shown as an ``<img>`` cannot use them), cleaned like any notebook
    HTML (``policy``: the export's URL policy, which hears of what is dropped). Its ids and
    the references to them take the prefix ``scope`` (which also becomes the root's id), so
    that figures on one page do not take each other's clip paths or gradients; its style
    sheets apply within the figure only. References may name only the figure's own elements,
    and images only embedded pictures."""
    start = _SVG_START.search(svg)
    css = CSSFilter(policy.refuse)

    def local(value: str) -> str:
        return _FRAGMENT_URL.sub(lambda m: f"url(#{scope}-{m.group(2)})", value)

    def attribute_filter(tag: str, attr: str, value: str):
        if attr == "id":
            return f"{scope}-{value}"
        if attr in ("href", "xlink:href"):
            if value.startswith("#"):
                return f"#{scope}-{value[1:]}"
            return value if tag == "image" and _EMBEDDED_IMAGE.match(value) else None
        if attr == "style":
            return local(css.declarations(value))
        return local(value) if "url(" in value else value

    cleaned = nh3.clean(
        svg[start.start():] if start else "",
        tags=SVG_TAGS,
        clean_content_tags={"script", "foreignObject", "metadata"},
        attributes=SVG_ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes={"data"},
        link_rel=None,
        strip_comments=True,
    )
    if "<style" in cleaned:
        cleaned = _STYLE_ELEMENT.sub(
            lambda m: m.group(1) + local(_scoped(css.stylesheet(m.group(2)), f"#{scope}")) + m.group(3), cleaned
        )
    return cleaned


def _scoped(stylesheet: str, scope: str) -> str:
    """A filtered style sheet whose rules apply within ``scope`` only: each selector is put
    under it, and at-rules other than ``@media`` and ``@supports`` are dropped (a figure's
    ``@font-face`` or ``@page`` would apply to the whole report)."""
    out = []
    for rule in tinycss2.parse_stylesheet(stylesheet, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            selectors = tinycss2.serialize(rule.prelude).split(",")
            prelude = ", ".join(f"{scope} {selector.strip()}" for selector in selectors)
            out.append(f"{prelude} {{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content is not None:
            inner = _scoped(tinycss2.serialize(rule.content), scope)
            out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{ {inner} }}")
    return _escape("\n".join(out))
