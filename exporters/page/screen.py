"""What only the HTML report gets, once its page is whole: a page read on a screen.

* SVG figures with text (charts, matplotlib figures with text as text, an SVG logo) are
  written into the page instead of shown as ``<img>``: a picture in an ``<img>`` cannot use
  the page's fonts, so its text fell back to Arial; inline, it is drawn in the report font.
  Each goes through the sanitizer (``sanitize.clean_svg``), its ids made its own. An SVG
  without text (math, a logo of shapes) stays an image.
* Each table sits in a box that scrolls sideways on a narrow screen (onecodex.css, screen
  media only), so a wide table no longer widens the page on a phone.

The PDF is laid out from the page before these, and prints as it did.
"""

from __future__ import annotations

import base64
import binascii
import html as htmllib
import itertools
import re

from ..contracts import TABLE_SCROLL_CLASS
from . import sanitize

_SVG_DATA = "data:image/svg+xml;base64,"
#: An image, or a script (whose text is no part of the page's markup).
_IMG_OR_SCRIPT = re.compile(r"<script\b.*?</script\s*>|<img\b[^>]*>", re.S | re.I)
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
_ROOT = re.compile(r"<svg\b[^>]*>")
_LENGTH = re.compile(r"\s*([\d.]+)\s*(px|pt)?\s*")
#: A table's start or end tag, or a script (whose text is not the page's tables).
_TABLE_OR_SCRIPT = re.compile(r"<script\b.*?</script\s*>|<(/?)table\b[^>]*>", re.S | re.I)


def _attributes(tag: str) -> dict[str, str]:
    """A start tag's attributes, their values unescaped."""
    found = {}
    for match in _ATTRIBUTE.finditer(tag, tag.find(" ") + 1 if " " in tag else len(tag)):
        name, *values = match.groups()
        found[name] = htmllib.unescape(next((v for v in values if v is not None), ""))
    return found


def inline_svg_figures(html: str, policy) -> str:
    """``html`` with each SVG image that holds text written into the page (``policy``: the
    export's URL policy, which hears of what the sanitizer drops)."""
    numbers = itertools.count(1)

    def inline(match: re.Match) -> str:
        tag = match.group(0)
        if _SVG_DATA not in tag or not tag.startswith("<img"):
            return tag
        image = _attributes(tag)
        src = image.get("src", "")
        try:
            svg = base64.b64decode(src[len(_SVG_DATA) :], validate=True).decode() if src.startswith(_SVG_DATA) else ""
        except (binascii.Error, UnicodeDecodeError):
            return tag
        if "<text" not in svg:
            return tag
        scope = f"ocx-svg-{next(numbers)}"
        return _with_root(sanitize.clean_svg(svg, policy, scope), scope, image, policy)

    return _IMG_OR_SCRIPT.sub(inline, html)


def _with_root(svg: str, scope: str, image: dict[str, str], policy) -> str:
    """The cleaned SVG with its root as the image was: its class, size and style, its alt
    text as the figure's label, and ``scope`` as its id (its style sheets are scoped to it)."""
    root = _ROOT.match(svg)
    if root is None:
        return svg
    attributes = _attributes(root.group(0))
    for name in ("width", "height", "class"):
        if image.get(name):
            attributes[name] = image[name]
    if image.get("style"):
        attributes["style"] = sanitize.CSSFilter(policy.refuse).declarations(image["style"])
    if "viewBox" not in attributes:  # scaled to fit, the picture must scale with its box
        size = [_LENGTH.fullmatch(attributes.get(name, "")) for name in ("width", "height")]
        if all(size):
            px = [float(m.group(1)) * (4 / 3 if m.group(2) == "pt" else 1) for m in size]
            attributes["viewBox"] = f"0 0 {px[0]:g} {px[1]:g}"
    attributes.update({"id": scope, "role": "img"})
    if image.get("alt"):
        attributes["aria-label"] = image["alt"]
    start = "<svg" + "".join(f' {name}="{htmllib.escape(value)}"' for name, value in attributes.items()) + ">"
    return start + svg[root.end() :]


def scrolling_tables(html: str) -> str:
    """``html`` with each outermost table in a box that scrolls sideways on a narrow screen."""
    out, depth, done = [], 0, 0
    for tag in _TABLE_OR_SCRIPT.finditer(html):
        if tag.group(1) is None and tag.group(0)[1:7].lower() == "script":
            continue
        if not tag.group(1):
            if depth == 0:
                out += [html[done : tag.start()], f'<div class="{TABLE_SCROLL_CLASS}">']
                done = tag.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                out += [html[done : tag.end()], "</div>"]
                done = tag.end()
    return "".join(out) + html[done:] if out else html
