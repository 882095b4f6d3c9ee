"""What a finished build tells people and machines: a table, JSON, JUnit XML.

The JSON is for scripts (``{"reports": [{"name", "status", "outputs",
"seconds", "error"}]}``); JUnit XML is what CI services already show as a
test report, one test case per report: a failed report is a failure, a
report skipped because nothing changed is a skipped test.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..files import atomic_write
from .progress import STYLES, shown

STATUSES = ("built", "skipped", "failed")


def counts(results) -> dict[str, int]:
    return {status: sum(r.status == status for r in results) for status in STATUSES}


def headline(results, seconds: float) -> str:
    """``24 reports in 63.2 s: 20 built, 3 skipped, 1 failed``."""
    found = ", ".join(f"{n} {status}" for status, n in counts(results).items() if n)
    total = len(results)
    return f"{total} report{'s' if total != 1 else ''} in {seconds:.1f} s: {found or 'nothing to do'}"


def print_table(results, seconds: float, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="ocx-reports build", title_justify="left")
    table.add_column("Report", overflow="fold")
    table.add_column("Status")
    table.add_column("Seconds", justify="right")
    table.add_column("Outputs / error", overflow="fold")
    for result in results:
        detail = result.error if result.status == "failed" else "\n".join(map(shown, result.outputs.values()))
        status = f"[{STYLES[result.status]}]{result.status}[/]"
        table.add_row(result.name, status, f"{result.seconds:.1f}", detail, end_section=False)
    console.print(table, markup=True, highlight=False)
    console.print(headline(results, seconds), highlight=False)


def as_json(results) -> dict:
    return {
        "reports": [
            {
                "name": r.name,
                "status": r.status,
                "outputs": [str(path) for path in r.outputs.values()],
                "seconds": r.seconds,
                "error": r.error,
            }
            for r in results
        ]
    }


def write_json(path: Path, results) -> None:
    atomic_write(Path(path), json.dumps(as_json(results), indent=2).encode() + b"\n")


def write_junit(path: Path, results, seconds: float, *, suite: str = "ocx-reports build") -> None:
    found = counts(results)
    root = ET.Element("testsuites", name=suite, tests=str(len(results)), failures=str(found["failed"]))
    testsuite = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(found["failed"]),
        errors="0",
        skipped=str(found["skipped"]),
        time=f"{seconds:.3f}",
    )
    for result in results:
        case = ET.SubElement(
            testsuite, "testcase", classname="ocx-reports", name=result.name, time=f"{result.seconds:.3f}"
        )
        if result.status == "failed":
            ET.SubElement(case, "failure", message=result.error or "failed").text = result.error
        elif result.status == "skipped":
            ET.SubElement(case, "skipped", message="unchanged since the last build")
        if result.outputs:
            ET.SubElement(case, "system-out").text = "\n".join(map(str, result.outputs.values()))
    ET.indent(root)
    atomic_write(Path(path), ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")
