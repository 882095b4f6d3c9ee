"""What a report may load: data URIs, the package's own files, the notebook's folder.

One policy serves both outputs. The HTML pass uses it to inline local images
and drop everything else; WeasyPrint's URL fetcher uses it as a second line
of defence, so no network host and no file outside these places is ever read.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .assets import allowed_roots, data_uri


class URLPolicy:
    """Decides whether a URL may be read; logs a warning naming each refusal."""

    def __init__(self, notebook_dir: Path, log):
        self.notebook_dir = notebook_dir.resolve()
        self.roots = (self.notebook_dir, *allowed_roots())
        self.log = log
        self._refused: set[str] = set()

    def local_path(self, url: str) -> Path | None:
        """The allowed local file a ``file:`` or relative URL names, else None."""
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
        elif parts.scheme or parts.netloc:
            return None
        else:
            path = self.notebook_dir / unquote(parts.path)
        try:
            path = path.resolve()
        except OSError:
            return None
        if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
            return path
        return None

    def refuse(self, url: str, why: str) -> None:
        if url not in self._refused:
            self._refused.add(url)
            shown = url if len(url) < 120 else url[:117] + "..."
            self.log.warning("Not loading %s: %s", shown, why)

    def inline(self, url: str) -> str | None:
        """``url`` as something a self-contained report can carry, or None to drop it."""
        if url.startswith("data:"):
            return url
        scheme = urlsplit(url).scheme
        if scheme in ("http", "https"):
            self.refuse(url, "reports never fetch from the network; save the file next to the notebook")
            return None
        path = self.local_path(url)
        if path is None:
            self.refuse(url, "only files inside the notebook's folder can be embedded")
            return None
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return data_uri(path.read_bytes(), mimetype)
