"""The ``ocx-reports build`` and ``ocx-reports render`` subcommands.

``render`` is a build of one report given on the command line: the same job,
the same worker function, the same atomic write; only the manifest and the
pool are left out.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# Imported lazily below: every ocx-reports command builds this parser, and
# the exporters take most of a second to import.
REPORT_FORMATS = ("html", "pdf")


def add_build_parser(subparsers):
    parser = subparsers.add_parser(
        "build",
        help="build every report described in a TOML file, in parallel and incrementally",
        description="Build the reports described in CONFIG (see docs/reports.example.toml). Reports whose "
        "notebook, parameters, template and fetched data are unchanged since the last build are skipped. "
        "Exit status: 0 all built or skipped, 1 a report failed, 2 the file is invalid.",
    )
    parser.add_argument("config", type=Path, metavar="CONFIG", help="the build file (TOML)")
    parser.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="reports built at once (default: the cores)"
    )
    parser.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="a local process pool (default) or a Dask cluster",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the Dask scheduler, e.g. tcp://10.0.0.5:8786 (default with --executor dask: "
        "a local cluster of --jobs workers)",
    )
    parser.add_argument("--force", action="store_true", help="rebuild reports even if nothing changed")
    parser.add_argument(
        "--report", action="append", metavar="NAME", help="build only this report (repeatable)"
    )
    parser.add_argument(
        "--manifest",
        type=Path,
        metavar="PATH",
        help="the build manifest (default: [build] manifest in CONFIG, else "
        ".ocx-reports-manifest.json beside it)",
    )
    parser.add_argument("--summary-json", type=Path, metavar="PATH", help="write the results as JSON")
    parser.add_argument(
        "--junit-xml", type=Path, metavar="PATH", help="write the results as JUnit XML for CI"
    )
    parser.set_defaults(func=run_build)
    return parser


def add_render_parser(subparsers):
    parser = subparsers.add_parser(
        "render",
        help="execute one notebook with parameters and export it as a report",
        description="Inject parameters (papermill style), execute NOTEBOOK in a fresh kernel pointed at the "
        "One Codex API, and export the report with the project's or samples' metadata.",
    )
    parser.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    parser.add_argument("--to", choices=REPORT_FORMATS, required=True, help="the report format")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="set a notebook parameter; VALUE is read as a Python literal if it is one",
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--project", metavar="ID", help="the project the report is about (sets project_id)")
    target.add_argument(
        "--sample", action="append", metavar="ID", help="a sample the report is about (repeatable)"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUT",
        help="where to write it (default: NOTEBOOK's "
        "name with the format's extension, in the current directory)",
    )
    parser.add_argument(
        "--keep-notebook",
        action="store_true",
        help="also write the executed notebook, as OUT with the extension .executed.ipynb",
    )
    parser.add_argument("--kernel", default="python3", help="the kernel to run (default: %(default)s)")
    parser.add_argument(
        "--no-kernel-credentials",
        dest="kernel_credentials",
        action="store_false",
        help="run the notebook without the One Codex credentials in its environment (its code can read "
        "them); the report's sample metadata is still fetched",
    )
    parser.add_argument(
        "--timeout", type=int, default=600, help="seconds a cell may run (default: %(default)s)"
    )
    parser.set_defaults(func=run_render)
    return parser


def run_build(args) -> int:
    from .. import cores
    from ..api import Api
    from ..exporters.errors import ReportError
    from .batch import Terminated, run_jobs, sigterm_raises
    from .config import load
    from .executors import open_executor
    from .kernels import registry
    from .manifest import Manifest
    from .plan import plan
    from .progress import progress_for
    from .summary import print_table, write_json, write_junit

    if args.jobs is not None and args.jobs < 1:
        raise ReportError(f"--jobs must be at least 1, not {args.jobs}")
    config = load(args.config)
    jobs = plan(config, api_factory=Api, only=args.report)
    manifest = Manifest(args.manifest or config.manifest)
    started = time.perf_counter()
    workers = max(1, min(args.jobs or cores.usable(), len(jobs)))
    status = None
    try:
        with (
            sigterm_raises(),
            registry(local=not args.scheduler) as kernels,
            open_executor(args.executor, jobs=workers, scheduler=args.scheduler) as executor,
            progress_for(len(jobs)) as progress,
        ):
            results = run_jobs(
                jobs, executor, manifest=manifest, force=args.force, progress=progress, kernels=kernels
            )
    except Terminated as stopped:
        print(
            f"ocx-reports: {stopped}; finished reports are in place, the rest were not written",
            file=sys.stderr,
        )
        if stopped.results is None:  # before any report was submitted
            return stopped.exit_status
        results, status = stopped.results, stopped.exit_status
    seconds = time.perf_counter() - started
    print_table(results, seconds)
    if args.summary_json:
        write_json(args.summary_json, results)
    if args.junit_xml:
        write_junit(args.junit_xml, results, seconds)
    if status is not None:
        return status
    return 1 if any(result.status == "failed" for result in results) else 0


def run_render(args) -> int:
    from ..exporters.errors import ReportError
    from .batch import Terminated, finish, sigterm_raises
    from .parameters import parse_cli_value
    from .plan import Job, escape
    from .runner import run_job

    out = (args.output or Path(f"{args.notebook.stem}.{args.to}")).resolve()
    outputs = {args.to: escape(str(out))}
    if args.keep_notebook:
        outputs["ipynb"] = escape(str(out.with_suffix(".executed.ipynb")))
    job = Job(
        name=args.notebook.stem,
        notebook=args.notebook.resolve(),
        outputs=outputs,
        parameters={key: parse_cli_value(value) for key, value in args.parameter},
        kernel=args.kernel,
        timeout=args.timeout,
        project=args.project,
        samples=tuple(args.sample or ()),
        kernel_credentials=args.kernel_credentials,
    )
    try:
        with sigterm_raises():
            result = run_job(job, force=True)
            finish(result)
    except Terminated:
        print("ocx-reports: stopped by SIGTERM; nothing was written", file=sys.stderr)
        return Terminated.exit_status
    if result.status == "failed":
        raise ReportError(result.error)
    print(f"Wrote {', '.join(map(str, result.outputs.values()))} in {result.seconds:.1f} s")
    return 0
