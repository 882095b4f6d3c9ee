"""What a report may load: data URIs, the package's own files, images next to the notebook.

One policy serves both outputs. The HTML pass uses it to inline local images
and drop everything else; WeasyPrint's URL fetcher uses it as a second line
of defence, so no network host and no file outside these places is ever read.

A notebook is someone else's document, and it is often saved in a home
directory beside ``~/.onecodex``, ``.env`` or ``.ssh/``. So from the
notebook's folder only images are taken, recognised by their content (not
their name), never a hidden file or anything in a hidden folder, and never
through a link that leads out of the folder. Each refusal is logged once
with its reason.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .assets import allowed_roots, data_uri

#: Leading bytes of the raster formats browsers and WeasyPrint both show.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
#: An SVG document: optional BOM, XML declaration, comments and doctype, then <svg.
_SVG = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:(?:<!--.*?-->|<!DOCTYPE[^>]*>)\s*)*<svg[\s>]",
    re.DOTALL | re.IGNORECASE,
)


def _hidden(parts) -> bool:
    return any(part.startswith(".") and part not in (".", "..") for part in parts)


def image_type(data: bytes) -> str | None:
    """The image's MIME type judged by its content, or None if it is not an image we show."""
    for magic, mimetype in _MAGIC:
        if data.startswith(magic):
            return mimetype
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if _SVG.match(data[:4096]):
        return "image/svg+xml"
    return None


class URLPolicy:
    """Decides whether a URL may be read; logs a warning naming each refusal."""

    def __init__(self, notebook_dir: Path, log):
        self.notebook_dir = notebook_dir.resolve()
        self.package_roots = allowed_roots()
        self.log = log
        self._refused: set[tuple[str, str | None]] = set()

    def refuse(self, url: str, why: str, where=None) -> None:
        """Log that ``url`` is not loaded and why, once per URL and place. ``where``, called
        only here, names the place asking for it (``"cell 3 (In [2])"``, or None)."""
        place = where() if where is not None else None
        if (url, place) not in self._refused:
            self._refused.add((url, place))
            shown = url if len(url) < 120 else url[:117] + "..."
            self.log.warning("%sNot loading %s: %s", f"{place}: " if place else "", shown, why)

    def _path(self, url: str) -> Path | None:
        """The local path a ``file:`` or relative URL names (None: another scheme or host)."""
        parts = urlsplit(url)
        if parts.scheme == "file" and parts.netloc in ("", "localhost"):
            return Path(unquote(parts.path))
        if parts.scheme or parts.netloc:
            return None
        return self.notebook_dir / unquote(parts.path)

    def local_file(self, url: str) -> tuple[Path | None, bool, str]:
        """(resolved path, whether it is the package's own, why not) for a local URL."""
        path = self._path(url)
        if path is None:
            scheme = urlsplit(url).scheme
            if scheme in ("http", "https"):
                return None, False, "reports never fetch from the network; save the file next to the notebook"
            return None, False, f"{scheme or 'this'} URLs are not loaded"
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None, False, "no such file"
        if any(resolved.is_relative_to(root) for root in self.package_roots):
            return resolved, True, ""
        if not resolved.is_relative_to(self.notebook_dir):
            return None, False, "only images inside the notebook's folder are embedded"
        named = Path(os.path.normpath(path))
        shown_as = named.relative_to(self.notebook_dir).parts if named.is_relative_to(self.notebook_dir) else ()
        if _hidden(shown_as) or _hidden(resolved.relative_to(self.notebook_dir).parts):
            return None, False, "hidden files and folders are never embedded"
        if not resolved.is_file():
            return None, False, "it is not a file"
        return resolved, False, ""

    def read(self, url: str, where=None) -> tuple[bytes, str | None] | None:
        """(bytes, image MIME type) of a file the report may read, else None (refusal logged,
        naming the place ``where`` names: see ``refuse``).

        The package's own files (fonts, stylesheet, logo) are read as they are; a file
        from the notebook's folder only if it is an image by its content."""
        path, own, why = self.local_file(url)
        if path is None:
            self.refuse(url, why, where)
            return None
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.refuse(url, f"it cannot be read ({exc.strerror})", where)
            return None
        mimetype = image_type(data)
        if mimetype is None and not own:
            self.refuse(url, "only images are embedded, and this file is not one (judged by its content)", where)
            return None
        return data, mimetype

    def inline(self, url: str, where=None) -> str | None:
        """``url`` as something a self-contained report can carry, or None to drop it."""
        if url.startswith("data:"):
            return url
        found = self.read(url, where)
        if found is None:
            return None
        data, mimetype = found
        if mimetype is None:
            self.refuse(url, "it is not an image", where)
            return None
        return data_uri(data, mimetype)
