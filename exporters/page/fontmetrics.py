"""The report fonts' advance widths, kept in the user's cache between exports.

Column widths and lines tables (``tables.py``) measure text with each face's
advance widths. Reading them with fontTools (its cmap and hmtx tables) took
about 70 ms of every export with a table, on the exporter's way to handing
the report to the layout; a cached copy reads in about 2 ms. The cache file
is named after the font file's name, size and modification time, so a font
package update is read afresh; a cache that cannot be read or written is
skipped.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ocx_reports.files import atomic_write

#: Bump when what is cached changes.
_FORMAT = 1


def advances(font: Path) -> dict[str, float]:
    """Character -> advance width in em, for each character the font maps."""
    cached = _cache_file(font)
    try:
        with cached.open(encoding="utf-8") as handle:
            widths = json.load(handle)
        if isinstance(widths, dict):
            return widths
    except (OSError, ValueError):
        pass
    widths = _read(font)
    _write(cached, widths)
    return widths


def cache_dir() -> Path:
    """Where the widths are kept: ``$XDG_CACHE_HOME/ocx-reports``, else ``~/.cache/ocx-reports``."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ocx-reports"


def _cache_file(font: Path) -> Path:
    try:
        stat = font.stat()
    except OSError:
        return cache_dir() / f"advances-{_FORMAT}-{font.name}-missing.json"
    return cache_dir() / f"advances-{_FORMAT}-{font.name}-{stat.st_size}-{stat.st_mtime_ns}.json"


def _read(font: Path) -> dict[str, float]:
    from fontTools.ttLib import TTFont

    with TTFont(font, lazy=True) as face:  # lazy: reads only these tables, from the open file
        scale = 1 / face["head"].unitsPerEm
        metrics = face["hmtx"].metrics
        return {chr(code): metrics[glyph][0] * scale for code, glyph in face.getBestCmap().items()}


def _write(path: Path, widths: dict[str, float]) -> None:
    """Write atomically (parallel exports share the cache); give up quietly if it cannot."""
    try:
        atomic_write(path, json.dumps(widths, ensure_ascii=False, separators=(",", ":")), durable=False)
    except OSError:
        pass
