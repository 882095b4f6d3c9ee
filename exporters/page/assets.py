"""Where the report's own files live: templates, stylesheet, logo and fonts.

Fonts come from the `font-source-sans-pro` package on PyPI rather than from
files copied into this repository; the PDF refers to them by ``file:`` URL
(the URL fetcher allows that directory) and the HTML embeds them so it reads
the same offline on another machine.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

#: The template directory that holds ``onecodex/`` (passed to nbconvert as an
#: extra template base directory).
TEMPLATES_DIR = Path(str(resources.files("ocx_reports.templates")))
TEMPLATE_NAME = "onecodex"
LOGO_PATH = TEMPLATES_DIR / TEMPLATE_NAME / "logo.svg"

#: (file stem, CSS font-weight, CSS font-style) of the faces the stylesheet uses.
_FACES = (
    ("SourceSansPro-Regular", 400, "normal"),
    ("SourceSansPro-It", 400, "italic"),
    ("SourceSansPro-Semibold", 600, "normal"),
    ("SourceSansPro-Bold", 700, "normal"),
    ("SourceSansPro-BoldIt", 700, "italic"),
)
#: Each face's CSS font-weight and font-style, by file stem.
FACE_STYLES = {stem: (weight, style) for stem, weight, style in _FACES}


def font_dir() -> Path:
    """The font package's directory of OpenType files."""
    import font_source_sans_pro

    return Path(font_source_sans_pro.font_directory)


def chart_font_dir() -> Path:
    """The folder the chart workers' converter reads the report font from: links to the
    font package's TrueType files only, removed when this process exits.

    vl-convert's font database opens a face's file again for every glyph it measures or
    draws (about 1,400 times per chart of the large benchmark), and it reads TrueType
    outlines faster than the CFF outlines of the package's OpenType files: chart workers
    take about 7% less CPU. The SVGs come out the same (the same advance widths); the
    charts' PDFs embed TrueType subsets. The package folder itself where links cannot be
    made.

    Each call puts back links that are gone: a temporary-file cleaner may empty the folder
    under a long-lived process (a Dask worker). Chart workers already running read the
    files the links pointed to (the converter resolves them when it starts), but one
    started later would find no font."""
    faces = sorted(font_dir().glob("*.ttf"))
    if not faces:
        return font_dir()
    links = _chart_font_links()
    try:
        links.mkdir(exist_ok=True)
        for face in faces:
            try:
                os.symlink(face, links / face.name)
            except FileExistsError:  # still there, or just put back by another export's thread
                pass
    except OSError:  # no symbolic links here (Windows without the privilege)
        return font_dir()
    return links


def _chart_font_links() -> Path:
    """This process's folder for ``chart_font_dir``, in its temporary folder (``layout.scratch``)."""
    from ..layout import scratch

    return scratch.folder("chart-fonts")


@lru_cache(maxsize=2)
def font_face_css(embed: bool) -> str:
    """``@font-face`` rules for the body font, by file URL or embedded as data."""
    rules = []
    for stem, weight, style in _FACES:
        path = font_dir() / f"{stem}.otf"
        if embed:
            src = "data:font/otf;base64," + base64.b64encode(path.read_bytes()).decode()
        else:
            src = path.as_uri()
        rules.append(
            '@font-face { font-family: "Source Sans Pro"; '
            f'src: url("{src}") format("opentype"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


def data_uri(data: bytes, mimetype: str) -> str:
    """A ``data:`` URI, the way every image ends up inside the report."""
    return f"data:{mimetype};base64,{base64.b64encode(data).decode()}"


@lru_cache(maxsize=1)
def default_logo_uri() -> str:
    """The project logo as a data URI (read once per process)."""
    return data_uri(LOGO_PATH.read_bytes(), "image/svg+xml")


def allowed_roots() -> tuple[Path, ...]:
    """Directories whose files the PDF renderer may read besides the notebook's."""
    return (TEMPLATES_DIR.resolve(), font_dir().resolve())
