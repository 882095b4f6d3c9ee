"""The ``ocx-reports`` command: demo, mock-api (and the batch commands).

User errors print one line, ``ocx-reports: error: ...``, and exit non-zero;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__


def _parser() -> argparse.ArgumentParser:
    from . import demo, mockserver
    from .build import command as build

    parser = argparse.ArgumentParser(
        prog="ocx-reports",
        description="Branded, print-quality One Codex reports from Jupyter notebooks.",
    )
    parser.add_argument("--version", action="version", version=f"ocx-reports {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    demo.add_parser(subparsers)
    mockserver.add_parser(subparsers)
    build.add_build_parser(subparsers)
    build.add_render_parser(subparsers)
    return parser


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        print("ocx-reports: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug or not _is_user_error(exc):
            raise
        print(f"ocx-reports: error: {exc}", file=sys.stderr)
        return getattr(exc, "exit_status", 1)  # e.g. 2 for an invalid build file


def _is_user_error(exc: Exception) -> bool:
    """Errors whose message says what to do; anything else is a bug worth a traceback."""
    from .api.errors import OneCodexError
    from .exporters.errors import ReportError

    return isinstance(exc, (ReportError, OneCodexError, OSError))


if __name__ == "__main__":
    sys.exit(main())
