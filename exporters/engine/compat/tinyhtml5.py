"""tinyhtml5: a working cache for the HTML parser's character-run patterns.

WeasyPrint parses HTML with tinyhtml5, whose tokenizer reads each run of text
with ``chars_until``: a regular expression built from the characters that end
the run, kept in a module-level dict. In tinyhtml5 2.0 and 2.1 the entry is
stored under the compiled pattern instead of the characters (a chained
assignment rebinds the name first), so every call builds the pattern again:
about 17 µs a call, 9,600 calls for a 250 KB chunk of a report, a third of the
parse. A dict that builds a missing pattern itself, under the right key, makes
the lookup hit. Its patterns re-implement tinyhtml5's (a character class of the
characters, or of everything else, one or more of them), so before it is
installed a small document is parsed both ways and must give the same tree;
once tinyhtml5 keys its cache by the characters itself, it is not installed.
"""

from __future__ import annotations

import re

from . import fenced

#: tinyhtml5 releases whose ``inputstream.characters_until_regex`` this was read against and
#: tested with (the misplaced key is also in its main branch of 2026-03).
CHECKED = ("2.0.0", "2.1.0")

ADAPTATIONS = {"character_runs": "the HTML tokenizer's pattern cache made to hit (speed)"}

#: Text runs of every kind the tokenizer reads with ``chars_until``.
_SAMPLE = (
    "<!DOCTYPE html><html><head><title>a &amp; b</title><style>p { x: 'y' }</style></head><body>"
    "<p class=\"c\" data-x='1' id=k>Text &lt;here&gt; &#x41;&#66; &nbsp;&unknown;</p><!-- a comment -->"
    "<pre>\n  kept\tspace</pre><table><tr><td>1<td>2</table><script>if (a < b) {}</script>"
    "<svg><text>t</text></svg></body></html>"
)


class _Patterns(dict):
    def __missing__(self, key):
        characters, opposite = key
        members = "".join(f"\\x{ord(character):02x}" for character in characters)
        pattern = self[key] = re.compile(f"[{members}]+" if opposite else f"[^{members}]+")
        return pattern


def cache_character_runs() -> None:
    """Give tinyhtml5's tokenizer a pattern cache that hits (once per process)."""
    from tinyhtml5 import inputstream

    if isinstance(getattr(inputstream, "characters_until_regex", None), _Patterns):
        return
    if fenced("character_runs", _shape):
        inputstream.characters_until_regex = _Patterns()


def _shape() -> str | None:
    from xml.etree import ElementTree

    import tinyhtml5
    from tinyhtml5 import inputstream

    cache = getattr(inputstream, "characters_until_regex", None)
    if type(cache) is not dict:
        return "inputstream.characters_until_regex is not a plain dict"
    stock = ElementTree.tostring(tinyhtml5.parse(_SAMPLE))
    if not cache or not all(isinstance(characters, re.Pattern) for characters, _ in cache):
        return "tinyhtml5 keys its pattern cache by the characters already"
    inputstream.characters_until_regex = _Patterns()
    try:
        ours = ElementTree.tostring(tinyhtml5.parse(_SAMPLE))
    finally:
        inputstream.characters_until_regex = cache
    return None if ours == stock else "its patterns tokenize differently from tinyhtml5's"
