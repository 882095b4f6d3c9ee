"""Converted charts by content hash: in memory for an exporter's life, optionally on disk.

A scheduled build exports the same charts again and again (the same
notebook for many projects, or a re-run with unchanged data), and a
conversion costs tens of milliseconds. The key covers everything that
changes the picture: the spec, the renderer's version and the config the
exporter applies, so a stale entry is never served. Disk entries are
written atomically, so parallel builds can share one directory.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

from ocx_reports.files import atomic_write

from .drawing import CHART_CONFIG, VEGA_FONT_CONFIG, Chart

#: The cache's kind for a chart's PDF (base64 text), which the PDF report places.
PDF_SUFFIX = ".pdf.b64"


def content_key(*parts) -> str:
    """A stable hash of JSON-able ``parts`` (dict key order does not matter)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def chart_key(chart: Chart) -> str:
    """Cache key: the spec and everything else that changes the picture."""
    import vl_convert

    return content_key(chart.mode, chart.spec, chart.vl_version, CHART_CONFIG, VEGA_FONT_CONFIG, vl_convert.__version__)


def figure_key(svg: str) -> str:
    """Cache key of a kernel-drawn SVG's PDF."""
    return content_key("figure", svg, _converter_version())


@functools.lru_cache(maxsize=1)
def _converter_version() -> str:
    """vl-convert's version, read from its metadata (about 1 ms): this process need
    not load the converter for kernel-drawn SVGs."""
    from importlib.metadata import version

    return version("vl-convert-python")


class ChartCache:
    """Text results (SVG, a base64 PDF, JavaScript) by key and kind (file suffix);
    ``directory=None`` keeps them in memory only."""

    def __init__(self, directory: str | os.PathLike | None = None):
        self.directory = Path(directory).expanduser() if directory else None
        self._memory: dict[str, str] = {}

    def _path(self, key: str, suffix: str) -> Path:
        return self.directory / f"{key}{suffix}"

    def get(self, key: str, suffix: str = ".svg") -> str | None:
        if key + suffix in self._memory:
            return self._memory[key + suffix]
        if self.directory is None:
            return None
        try:
            value = self._path(key, suffix).read_text(encoding="utf-8")
        except OSError:
            return None
        self._memory[key + suffix] = value
        return value

    def put(self, key: str, value: str, suffix: str = ".svg") -> None:
        self._memory[key + suffix] = value
        if self.directory is None:
            return
        atomic_write(self._path(key, suffix), value, durable=False)
