"""Writing files the way users and their tools expect: whole, and with the usual permissions.

Every file ocx-reports writes (reports, build summaries, the manifest,
caches) goes through :func:`atomic_write`, so a reader sees the old file or
the new one, never a part, and the new file gets the mode any other program
would give it: that of the file it replaces, else 0666 minus the umask.
A temporary file alone would stay 0600, which a web server or a CI job that
publishes the reports then cannot read.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)  # elsewhere the only way to read it is to set it
    os.umask(current)
    return current


def new_file_mode(path: Path) -> int:
    """The mode for a file written at ``path``: the replaced file's, else 0666 minus the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~umask()


def atomic_write(path: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part.

    The temporary file lives in the same directory so the final rename is
    atomic; ``durable`` also flushes it to disk first (reports and
    manifests, not caches).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, new_file_mode(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
