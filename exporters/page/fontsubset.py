"""The HTML report's fonts, cut down to the characters it shows, as WOFF2.

Five whole faces of the report font made every HTML report at least 1.1 MB, however short.
Each face is now subset (fontTools' subsetter) to the characters of the page's text, its
upper- and lower-case forms (the stylesheet sets some text in capitals) and printable ASCII,
and compressed as WOFF2 (brotli): about 8 KB a face. Only the faces the page uses are
embedded: the regular, semibold and bold always, the italics where the page has italic text.

Subsetting takes about 0.13 s a face, so each subset is kept in memory and in the user's
cache folder (``fontmetrics.cache_dir``), named after the face's file, the characters and
the options; with ASCII always in, most reports of one language share their subsets, and an
export after the first reads them in about a millisecond.
"""

from __future__ import annotations

import base64
import hashlib
import html as htmllib
import io
import re
from functools import lru_cache

from ocx_reports.files import atomic_write

from . import assets, fontmetrics

#: In every subset whatever the page says: printable ASCII, a no-break space and the list bullet.
ALWAYS = frozenset(map(chr, range(0x20, 0x7F))) | {"\u00a0", "\u2022"}
#: Faces the stylesheet always uses (body, semibold headers, bold headings) and the italic ones.
_UPRIGHT = ("SourceSansPro-Regular", "SourceSansPro-Semibold", "SourceSansPro-Bold")
_ITALIC = ("SourceSansPro-It", "SourceSansPro-BoldIt")
#: Where a page asks for italic text: elements a browser sets in italics, or a style or SVG
#: attribute that does.
_ITALIC_MARKS = re.compile(r"<(?:em|i|cite|var|dfn|address)\b|\bitalic\b|\boblique\b", re.I)
#: What the page does not show as text: its head, style sheets and scripts (a live chart's spec,
#: whose text it draws, aside).
_HIDDEN = re.compile(
    r"<head\b.*?</head\s*>|<style\b.*?</style\s*>|<script\b(?![^>]*application/json)[^>]*>.*?</script\s*>", re.S | re.I
)
_TAG = re.compile(r"<[^>]*>")
#: Bump when the subsets are made differently.
_FORMAT = 1


def page_characters(html: str) -> frozenset[str]:
    """The characters ``html``'s page shows: its body's text (chart specs a live chart draws
    included), in both cases, and ``ALWAYS``."""
    text = htmllib.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", html)))
    return frozenset(text) | frozenset(text.upper()) | frozenset(text.lower()) | ALWAYS


def font_face_css(html: str) -> str:
    """``@font-face`` rules for the faces ``html`` uses, each subset to its characters."""
    characters = "".join(sorted(page_characters(html)))
    faces = _UPRIGHT + (_ITALIC if _ITALIC_MARKS.search(html) else ())
    rules = []
    for stem in faces:
        weight, style = assets.FACE_STYLES[stem]
        data = base64.b64encode(subset_woff2(stem, characters)).decode()
        rules.append(
            '@font-face { font-family: "Source Sans Pro"; '
            f'src: url("data:font/woff2;base64,{data}") format("woff2"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


@lru_cache(maxsize=32)
def subset_woff2(stem: str, characters: str) -> bytes:
    """The face ``stem`` (a file name of the font package, without extension) cut down to
    ``characters``, as WOFF2: from the cache folder if an export made it before."""
    path = assets.font_dir() / f"{stem}.ttf"
    stat = path.stat()
    named = f"{_FORMAT}\0{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0{characters}"
    key = hashlib.sha256(named.encode()).hexdigest()
    cached = fontmetrics.cache_dir() / f"subset-{key[:32]}.woff2"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    data = _subset(path, characters)
    try:
        atomic_write(cached, data, durable=False)
    except OSError:  # a cache that cannot be written is skipped
        pass
    return data


def _subset(path, characters: str) -> bytes:
    """The TrueType face at ``path`` with only ``characters``' glyphs (and what its layout
    features reach from them), hints dropped (browsers do without them), as WOFF2."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.name_IDs = ["*"]  # the names are a few hundred bytes; pruning them takes longer than the rest
    font = subset.load_font(str(path), options, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(char) for char in characters])
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()
