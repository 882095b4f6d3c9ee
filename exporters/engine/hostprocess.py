"""What an export changes in the process it runs in, beyond the export: only this, and only
in a ``jupyter nbconvert`` process, which exits once its notebooks are converted.

What tunes a process for the layout (the collector's thresholds, the budget's limits, the
log records kept for the exporter) happens in the layout service and its chunk processes
(``layout.service``), never in the notebook server, script or Dask worker that exports.

When Python exits it tears down every module and runs several full garbage collections over
every object still alive: after a report export (nbconvert, Jinja, the notebook loaded)
about 0.2 s, an eighth of the typical report's whole export, spent on memory the operating
system takes back anyway. Just before that, one collection finalizes what is garbage
already, as the teardown would have, then ``gc.freeze`` moves what is left out of the
collector's sight: the teardown's collections skip it, and objects it frees by reference
counting still run their finalizers. The exit then takes about 0.1 s (medians of 12
interleaved runs of the typical report, with WeasyPrint in the layout service only).

Nothing runs after it in a ``jupyter nbconvert`` process but exit handlers registered before
the export's and the teardown, and Python does not promise to run the finalizers of objects
alive at exit; a notebook server or a script that uses the exporters exits as Python always
does.
"""

from __future__ import annotations

import atexit
import gc

from ..errors import running_nbconvert_app

_registered = False


def freeze_at_exit() -> None:
    """In a running ``jupyter nbconvert``, freeze the objects alive at exit (once)."""
    global _registered
    if not _registered and running_nbconvert_app() is not None:
        atexit.register(_collect_then_freeze)
        _registered = True


def _collect_then_freeze() -> None:
    gc.collect()
    gc.freeze()
