"""What was built from what: fingerprints, and the manifest that remembers them.

A report is rebuilt only when something it is made of changed: the
notebook's bytes, its parameters and exporter options, the kernel, the
template and stylesheet, the package version, or the data fetched from the
API for it (sample metadata, and each sample's analysis and its state). Those go into one SHA-256 per output (the format is part of it).
The output's path is not: a daily ``{date}`` in the file name alone does not
make a new report when nothing else changed; the manifest points at the
existing one.

The manifest is JSON, written atomically (under a lock, merged with what
other builds sharing it wrote meanwhile), and updated only after the
report's files are in place, so a build killed between the two at worst
rebuilds a report next time; it never claims a file that is not there.
Paths in it are relative to the manifest's directory, so a CI cache
restored into another checkout still matches.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from ..files import atomic_write
from .config import exporter_options

VERSION = 1
logger = logging.getLogger(__name__)


def canonical(value) -> bytes:
    """One byte string per value: sorted keys, no whitespace, dates as ISO strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def digest(value) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


@lru_cache(maxsize=1)
def toolchain() -> str:
    """The package version and every template/CSS file's bytes: what makes the same notebook look different."""
    from .. import __version__
    from ..exporters.page.assets import TEMPLATE_NAME, TEMPLATES_DIR

    sha = hashlib.sha256(__version__.encode())
    directory = TEMPLATES_DIR / TEMPLATE_NAME
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        sha.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def fingerprints(job, notebook_bytes: bytes, fetched) -> dict[str, str]:
    """``{format: fingerprint}`` for ``job``'s outputs, given the notebook and the data fetched for it.

    Each format's own exporter options count, so a PDF-only option does not rebuild the HTML.
    """
    report = digest(
        {
            "notebook": hashlib.sha256(notebook_bytes).hexdigest(),
            "parameters": job.parameters,
            "kernel": job.kernel,
            "toolchain": toolchain(),
            "fetched": fetched,
        }
    )
    return {
        fmt: digest({"report": report, "format": fmt, "options": exporter_options(fmt, job.options)})
        for fmt in job.formats
    }


class Manifest:
    """``{report name: {format: {"path", "fingerprint"}}}``, kept in one JSON file."""

    def __init__(self, path: Path):
        self.path = Path(path).resolve()
        self.reports = self._read()

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            # Atomic writes mean this is a hand edit or another tool's file:
            # rebuilding everything is the safe answer, not failing the build.
            logger.warning(
                "ignoring the build manifest %s (%s): every report will be rebuilt", self.path, exc
            )
            return {}
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return {}
        return data.get("reports", {})

    def known(self, name: str) -> dict[str, tuple[Path, str]]:
        """``{format: (path, fingerprint)}`` of this report's recorded outputs that still exist."""
        found = {}
        for fmt, entry in self.reports.get(name, {}).items():
            path = self.path.parent / entry["path"]
            if path.is_file():
                found[fmt] = (path, entry["fingerprint"])
        return found

    def record(self, name: str, outputs: dict[str, tuple[Path, str]]) -> None:
        """Remember ``{format: (path, fingerprint)}`` for a report whose files are now in place.

        Another build may share this manifest: under a lock on a file beside
        it, the manifest is read again and this entry merged into what is
        there, so neither build loses the other's entries.
        """
        entry = {
            fmt: {"path": self._relative(path), "fingerprint": fp} for fmt, (path, fp) in sorted(outputs.items())
        }
        with self._locked():
            self.reports = {**self._read(), name: entry}
            payload = {"version": VERSION, "reports": dict(sorted(self.reports.items()))}
            atomic_write(self.path, json.dumps(payload, indent=1).encode() + b"\n")

    @contextmanager
    def _locked(self):
        """An exclusive lock on ``<manifest>.lock``, held while the manifest is read, merged and written.

        Not on the manifest itself, which each write replaces; the lock file
        stays, as removing it would race with the next build's lock.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _relative(self, path: Path) -> str:
        return Path(os.path.relpath(Path(path).resolve(), self.path.parent)).as_posix()
