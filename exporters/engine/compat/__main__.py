"""``python -m ocx_reports.exporters.engine.compat --check``: what each adaptation comes to here.

Loads WeasyPrint as a layout process does (with the load-time adaptations), lays out the
engine's self-test page (``layout.selftest``), checks nbconvert's replaced methods, and prints each adaptation with its project's
installed release, the releases it was checked against, and whether it is installed,
skipped (and why) or failed. Exits with status 1 if any was skipped or failed: the step
that tells whether a dependency's new release may be let in (see docs/compat.md).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from pathlib import Path

from . import FAILED, SKIPPED, State, states, stock_from_env, versions

#: The installed distribution each module's project is (where the names differ).
_DISTRIBUTIONS = {"python": "python", "fonttools": "fonttools"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ocx_reports.exporters.engine.compat", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="check every adaptation against the installed releases")
    if not parser.parse_args(argv).check:
        parser.print_help()
        return 2
    from ...layout import weasy
    from ...page import assets
    from ...page.urlpolicy import URLPolicy

    weasy.warm_up(URLPolicy(Path.cwd(), logging.getLogger(__name__)), assets.font_face_css(False))
    from . import nbconvert

    found, installed = {**states(), **nbconvert.checked_states()}, versions()
    rows = []
    for module in _modules():
        project = module.__name__.rsplit(".", 1)[-1]
        release = installed.get(_DISTRIBUTIONS.get(project, project), "?")
        for name in module.ADAPTATIONS:
            state = found.get(name, State("not checked", "not used where the layout runs"))
            rows.append((project, release, name, state, ", ".join(module.CHECKED)))
    widths = [max(len(str(row[column])) for row in rows) for column in (0, 1, 2)]
    status_width = max(len(row[3].status) for row in rows)
    print(f"ocx-reports engine adaptations{' (stock engine: all off)' if stock_from_env() else ''}")
    for project, release, name, state, checked in rows:
        print(
            f"{project:{widths[0]}}  {release:{widths[1]}}  {name:{widths[2]}}  {state.status:{status_width}}  "
            f"checked against {checked}" + (f"\n    {state.reason}" if state.status in (SKIPPED, FAILED) else "")
        )
    return 1 if any(row[3].status in (SKIPPED, FAILED) for row in rows) else 0


def _modules():
    """Each module of this package that adapts a project (it has ``ADAPTATIONS``)."""
    package = sys.modules[__package__]
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"{__package__}.{info.name}")
            if hasattr(module, "ADAPTATIONS"):
                yield module


if __name__ == "__main__":
    sys.exit(main())
