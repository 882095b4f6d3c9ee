"""State of the process the exporter runs in that an export changes beyond itself: a
``jupyter nbconvert`` process exits without the interpreter's last collections.

When Python exits it tears down every module and runs several full garbage
collections over every object still alive. After a report export (nbconvert,
Jinja, WeasyPrint and fontTools loaded) that takes about 0.2 s, 8% of a short
report's whole export, spent on memory the operating system takes back anyway.
Just before that, one collection finalizes what is garbage already, as the
teardown would have, then ``gc.freeze`` moves what is left out of the
collector's sight: the teardown's collections then skip it, and objects it
frees by reference counting still run their finalizers (WeasyPrint's font
configuration removes its temporary copies of the fonts that way). The exit
then takes 0.08 s.

Only a ``jupyter nbconvert`` process does this, which exits once its notebooks
are converted; a notebook server or a script that uses the exporters exits
as Python always does.
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
