"""The process that runs an export (a notebook server, a script, a Dask worker, ``jupyter
nbconvert``) is the user's: no process starts when the exporters load, nothing is forked from
it while it runs threads, and nothing process-wide in it changes.

Each case runs in a new Python (``in_new_python``), the host, whose every process of the
export (the layout service, started by fork or in a new interpreter, and the chunk processes
it forks) records each fork it makes and how many threads it ran then. Under Python 3.12+,
forking while other threads run prints a DeprecationWarning (which ``-W error`` cannot turn
into an error: CPython clears it), so the hosts run with every DeprecationWarning shown and
their stderr is searched for it; the CI's newest Python job runs this file.
"""

from __future__ import annotations

import json
import os

import psutil
import pytest
from helpers import in_new_python

#: Imported first by every Python the hosts start (``sitecustomize``): each fork is recorded
#: in ``$FORKS_LOG`` as "<pid> <threads>", counted by the operating system at that moment.
_RECORD_FORKS = """
import os

def _record():
    with open(os.environ["FORKS_LOG"], "a") as log:
        log.write(f"{os.getpid()} {len(os.listdir('/proc/self/task'))}\\n")

os.register_at_fork(before=_record)
"""

FORK_WARNING = "use of fork() may lead to deadlocks"

_SPEC = {"mark": "bar", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a", "type": "quantitative"}}}

#: Exports a report of several chunks and then of one, as the host ``argv[1]`` says, and prints
#: what it saw as JSON: the chunks of each export, its own pid, the command lines of its
#: layout services and their thread counts.
_HOST = """
import json, os, sys, threading
import psutil
from helpers import markdown, notebook
from ocx_reports.exporters import OneCodexPDFExporter
from ocx_reports.exporters.layout import paginate

paginate.MIN_CHUNK_COST, paginate.MAX_CHUNK_COST = 500, 3000
host = sys.argv[1]
report = notebook(*(markdown(f"## Part {i}\\\\n\\\\n" + "Words of prose. " * 60) for i in range(40)))

def export(workers):
    return OneCodexPDFExporter(workers=workers).from_notebook_node(report)[1]["pdf_chunks"]

chunks = []
if host == "thread":
    threading.Thread(target=threading.Event().wait, daemon=True).start()
elif host == "vl-convert":
    import vl_convert
    vl_convert.vegalite_to_svg(json.loads(sys.argv[2]))  # its JavaScript engine's threads run on
elif host == "thread later":
    chunks.append(export(1))  # the service is forked from this process, one thread then
    threading.Thread(target=threading.Event().wait, daemon=True).start()
threads_now = len(os.listdir("/proc/self/task"))
if host == "exports in threads":
    def both():
        global threads_now
        threads_now = max(threads_now, len(os.listdir("/proc/self/task")))
        chunks.append(export(2))
    exports = [threading.Thread(target=both) for _ in range(2)]
    for thread in exports:
        thread.start()
    for thread in exports:
        thread.join()
else:
    chunks += [export(2), export(1)]
services = psutil.Process().children()  # no chart workers: the report has no charts
print(json.dumps({
    "chunks": chunks, "host": os.getpid(), "threads": threads_now,
    "services": [[" ".join(s.cmdline()[1:]), s.num_threads()] for s in services],
}))
"""


def run_host(tmp_path, *args: str):
    """``_HOST`` run with every fork recorded and every DeprecationWarning shown: (what it
    printed, the forks as (pid, threads), its stderr)."""
    (tmp_path / "sitecustomize.py").write_text(_RECORD_FORKS)
    forks = tmp_path / "forks.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])),
        "FORKS_LOG": str(forks),
        "PYTHONWARNINGS": "always::DeprecationWarning",
    }
    result = in_new_python(_HOST, *args, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    recorded = [tuple(map(int, line.split())) for line in forks.read_text().splitlines()] if forks.exists() else []
    return json.loads(result.stdout), recorded, result.stderr


NEW_INTERPRETER = "-m ocx_reports.exporters.layout"


@pytest.mark.parametrize("host", ["thread", "vl-convert", "exports in threads"])
def test_a_host_running_threads_forks_nothing_and_its_layout_service_forks_single_threaded(tmp_path, host):
    seen, forks, stderr = run_host(tmp_path, host, json.dumps(_SPEC))
    assert FORK_WARNING not in stderr, stderr[-3000:]
    assert seen["threads"] > 1 and forks
    assert all(threads == 1 for _, threads in forks), forks
    assert seen["host"] not in {pid for pid, _ in forks}
    assert seen["chunks"] == ([2, 2] if host == "exports in threads" else [2, 1])
    services = seen["services"]
    assert len(services) == (2 if host == "exports in threads" else 1)  # one per export running at once
    assert all(NEW_INTERPRETER in command and threads == 1 for command, threads in services), services


def test_a_service_forked_from_a_single_threaded_host_forks_its_chunks_single_threaded_after_the_host_starts_threads(
    tmp_path,
):
    seen, forks, stderr = run_host(tmp_path, "thread later")
    assert FORK_WARNING not in stderr, stderr[-3000:]
    assert all(threads == 1 for _, threads in forks), forks
    host_forks = [threads for pid, threads in forks if pid == seen["host"]]
    assert host_forks == [1]  # the service, at the first export: the chunks are the service's
    assert seen["threads"] > 1 and seen["chunks"] == [1, 2, 1]
    (command, threads), = seen["services"]
    assert NEW_INTERPRETER not in command and threads == 1  # forked, at the first export


#: Loads nbconvert's command line the way ``jupyter nbconvert --to onecodex_pdf`` does (it
#: loads and builds every installed exporter to list them) and builds both of ours, then
#: prints the processes it started.
_LOADED = """
import multiprocessing, sys
import psutil
sys.argv = ["jupyter-nbconvert", "--to", "onecodex_pdf", "report.ipynb"]
import nbconvert.nbconvertapp
from ocx_reports.exporters import OneCodexHTMLExporter, OneCodexPDFExporter
OneCodexHTMLExporter(), OneCodexPDFExporter()
print(len(psutil.Process().children()), len(multiprocessing.active_children()))
"""


def test_loading_and_building_the_exporters_starts_no_process_whatever_the_command_line():
    result = in_new_python(_LOADED)
    assert result.stdout.split() == ["0", "0"], result.stderr[-3000:]


#: Exports in a script host, in chunks and in one piece, with what an export could change
#: process-wide watched: each call to ``gc.set_threshold`` here is recorded, and an exit
#: handler registered first (so it runs after every handler the export registers) prints
#: what is left at the interpreter's teardown. Prints the layout service it found, then
#: what changed.
_STATE = """
import atexit, gc, json, logging, os, resource, signal, sys
import psutil
from helpers import export_pdf, markdown, notebook
from ocx_reports.exporters.layout import paginate

state = lambda: [gc.get_threshold(), id(logging.lastResort), [id(h) for h in logging.root.handlers],
                 sys.getrecursionlimit(), resource.getrlimit(resource.RLIMIT_AS), str(signal.getsignal(signal.SIGALRM))]
before = state()
atexit.register(lambda: print(json.dumps({"frozen at exit": gc.get_freeze_count(), "changed at exit": state() != before})))
calls = []
set_threshold = gc.set_threshold
gc.set_threshold = lambda *args: calls.append(args) or set_threshold(*args)
paginate.MIN_CHUNK_COST, paginate.MAX_CHUNK_COST = 500, 3000
export_pdf(notebook(*(markdown(f"## Part {i}\\n\\n" + "Words of prose. " * 60) for i in range(40))))
export_pdf(notebook(markdown("A short report.")))
print(len(psutil.Process().children()))
print(json.dumps({"set_threshold": calls, "changed": state() != before, "weasyprint": "weasyprint" in sys.modules}))
"""


def test_an_export_changes_nothing_process_wide_in_its_host():
    result = in_new_python(_STATE)
    assert result.returncode == 0, result.stderr[-3000:]
    services, after, at_exit = result.stdout.splitlines()
    assert services == "1"
    assert json.loads(after) == {"set_threshold": [], "changed": False, "weasyprint": False}
    assert json.loads(at_exit) == {"frozen at exit": 0, "changed at exit": False}


#: Exports, then stops (SIGSTOP: as if stuck in C) or kills (SIGKILL: the out-of-memory killer)
#: the layout service while it waits for the next report, then exports twice more.
_SERVICE_GONE = """
import os, signal, sys
import psutil
from helpers import export_pdf, markdown, notebook
from ocx_reports.exporters.errors import ReportError
from ocx_reports.exporters.layout import service

service.DEADLINE_GRACE = 1
short = notebook(markdown("A short report."))
export_pdf(short)
first, = psutil.Process().children()
os.kill(first.pid, getattr(signal, sys.argv[1]))
try:
    export_pdf(short, layout_timeout=2 if sys.argv[1] == "SIGSTOP" else 60)  # the stuck one times out; a new one has time
    print("exported")
except ReportError as exc:
    print(exc)
export_pdf(short)
second, = psutil.Process().children()
print(second.pid != first.pid, first.is_running())
"""


@pytest.mark.parametrize(
    "signal_name, first_export",
    [("SIGSTOP", "the PDF layout took longer than 2 s; raise OneCodexPDFExporter.layout_timeout"), ("SIGKILL", "exported")],
)
def test_a_stuck_or_killed_layout_service_is_replaced_by_the_next_export(signal_name, first_export):
    result = in_new_python(_SERVICE_GONE, signal_name, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    message, replaced = result.stdout.splitlines()
    assert message.startswith(first_export)
    assert replaced == "True False"  # a new service; the stuck one killed


#: Exports, prints its layout service, then exits (``argv[1]``: "exit") or is killed.
_HOST_GOES = """
import os, signal, sys
import psutil
from helpers import export_pdf, markdown, notebook
export_pdf(notebook(markdown("A short report.")))
print([child.pid for child in psutil.Process().children()], flush=True)
if sys.argv[1] == "killed":
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("end", ["exit", "killed"])
def test_the_layout_service_ends_with_its_host(end):
    result = in_new_python(_HOST_GOES, end)
    (service,) = json.loads(result.stdout)
    try:
        psutil.Process(service).wait(timeout=10)
    except psutil.NoSuchProcess:
        pass
    assert not psutil.pid_exists(service) or psutil.Process(service).status() == psutil.STATUS_ZOMBIE

