"""HTML from notebook outputs and markdown, made safe and self-contained.

nbconvert's lab template passes every rendered HTML fragment through the
``clean_html`` filter when ``sanitize_html`` is on; we replace that filter with
one built on nh3 (the Ammonia sanitizer). It drops ``<script>``, ``<link>``,
``<iframe>`` and event handlers, keeps the styling reports rely on, and turns
local images into data URIs through the URL policy.
"""

from __future__ import annotations

import re

import nh3

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
#: (minimum columns, class): wide tables get smaller type so they fit the page.
WIDTH_CLASSES = ((15, "ocx-very-wide"), (9, "ocx-wide"))


def mark_wide_tables(html: str) -> str:
    """Add a size class to tables whose first row has many columns."""

    def mark(match):
        columns = len(_CELL.findall(match.group(2)))
        size = next((name for minimum, name in WIDTH_CLASSES if columns >= minimum), None)
        if size is None:
            return match.group(0)
        attrs = match.group(1)
        if 'class="' in attrs:
            attrs = attrs.replace('class="', f'class="{size} ', 1)
        else:
            attrs += f' class="{size}"'
        return f"<table{attrs}>{match.group(2)}</tr>"

    return _TABLE_FIRST_ROW.sub(mark, html)


def make_cleaner(policy_getter):
    """A ``clean_html`` filter that resolves image sources with the current URL policy.

    ``policy_getter`` returns the policy of the export in progress (the notebook
    folder differs between exports that share one exporter).
    """

    def attribute_filter(tag: str, attr: str, value: str):
        if attr == "src":
            return policy_getter().inline(value)
        if attr == "href" and tag == "a" and value.startswith(("file:", "data:")):
            return None
        return value

    def clean_html(html) -> str:
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
        return mark_wide_tables(cleaned) if "<table" in cleaned else cleaned

    return clean_html
