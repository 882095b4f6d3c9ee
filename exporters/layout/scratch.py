"""The exporters' temporary files: one folder per process, named after it, so a killed one's is found.

WeasyPrint copies the report fonts into a ``weasyprint-*`` folder it removes in a finalizer,
the layout process kept its own folder until it ended, and the chart fonts had a third: a
process killed by a signal (the out-of-memory killer, a build's timeout, a layout over its
budget) runs neither finalizers nor exit handlers, and each killed export left its folders
in the temporary directory for good. Now they all live in one folder named after the host
and the process that made it (``ocx-reports-<host>-<pid>-*``), removed when that process
exits; the layout service it starts and the chunks' processes use it too and remove
nothing. A process making its folder first removes those of this host's processes that are
gone, and those of older releases (``ocx-reports-layout-*``, and ``weasyprint-*`` holding
only WeasyPrint's font copies) once they are a day old: another program's live folder is
never touched.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

#: Folders of older releases (no process in their name) are removed after this many seconds.
LEGACY_AGE = 24 * 3600

_PREFIX = "ocx-reports-"
_LEGACY = re.compile(r"ocx-reports-layout-\w+|weasyprint-\w+")
_FONT_COPY = re.compile(r"[0-9a-f]{32}")  # WeasyPrint names its font copies by an MD5 digest
_lock = threading.Lock()
_folder: Path | None = None
_owner = 0


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]+", "", socket.gethostname())[:32] or "host"


def folder(name: str = "") -> Path:
    """This process's temporary folder (made on first use, after removing stale ones), or
    its subfolder ``name``; a forked process gets its parent's."""
    global _folder, _owner
    with _lock:
        if _folder is None or not _folder.is_dir():
            clean_stale()
            _folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{_host()}-{os.getpid()}-"))
            if not _owner:
                atexit.register(_remove)
            _owner = os.getpid()
    if not name:
        return _folder
    sub = _folder / name
    sub.mkdir(exist_ok=True)
    return sub


def adopt(path: Path) -> None:
    """Use ``path``, the folder of the exporter that started this process, as this process's
    (a layout service; one it forked has it already): the exporter removes it."""
    global _folder
    with _lock:
        _folder = path


def _remove() -> None:
    if _folder is not None and os.getpid() == _owner:  # not in a forked process that exits normally
        shutil.rmtree(_folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _stale(entry: os.DirEntry, ours: re.Pattern, now: float) -> bool:
    """Whether a folder in the temporary directory is ours and left behind."""
    if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.getuid():
        return False
    found = ours.fullmatch(entry.name)
    if found:
        return not _alive(int(found.group(1)))
    if not _LEGACY.fullmatch(entry.name) or now - entry.stat(follow_symlinks=False).st_mtime < LEGACY_AGE:
        return False
    if entry.name.startswith("weasyprint-"):  # another program's WeasyPrint may keep other files there
        return all(_FONT_COPY.fullmatch(name) for name in os.listdir(entry.path))
    return True


def clean_stale(directory: str | None = None) -> None:
    """Remove the temporary folders of this host's exports whose process is gone (and old
    ones of older releases) from ``directory`` (default: the temporary directory)."""
    directory = directory or tempfile.gettempdir()
    ours = re.compile(rf"{re.escape(_PREFIX + _host())}-(\d+)-\w+")
    now = time.time()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        try:
            if _stale(entry, ours, now):
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:  # gone meanwhile, or unreadable: not ours to judge
            continue
