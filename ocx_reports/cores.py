"""How many cores this process may use: what the PDF exporter lays a report out with, and
what ``ocx-reports build`` runs reports with, unless told otherwise."""

from __future__ import annotations

import os


def usable() -> int:
    """The cores this process may run on: its affinity mask where the system has one
    (Linux; containers and CI runners set it), else the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1
