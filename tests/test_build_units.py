"""The build's pieces on their own: parameters, fingerprints, the manifest, the planner and the example file."""

import datetime
import json
import multiprocessing
import os
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from ocx_reports.api import Api
from ocx_reports.build import config, executors, kernels, manifest, parameters, plan
from ocx_reports.mockserver import DEMO_API_KEY

REPO = Path(__file__).resolve().parents[1]


def notebook_with_parameters():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("rank = 'genus'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print(rank)"),
    ]
    return nb


def test_parameters_go_after_the_parameters_cell_and_replace_an_earlier_injection():
    nb = notebook_with_parameters()
    parameters.inject(nb, {"rank": "species"})
    parameters.inject(nb, {"rank": "family", "limit": 3})

    assert [c.metadata.get("tags", []) for c in nb.cells] == [[], ["parameters"], ["injected-parameters"], []]
    assert nb.cells[2].source == "# Parameters\nrank = 'family'\nlimit = 3\n"
    nbformat.validate(nb)


def test_without_a_parameters_cell_the_values_go_first():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    parameters.inject(nb, {"x": 2})
    assert nb.cells[0].metadata.tags == ["injected-parameters"]


@pytest.mark.parametrize(
    "value",
    [1, 0.001, True, None, "it's", [1, "a"], {"a": [1.5]}, float("inf"), datetime.date(2026, 1, 2)],
)
def test_parameter_values_are_python_literals(value):
    expected = value.isoformat() if isinstance(value, datetime.date) else value
    assert eval(parameters.literal(value)) == expected


def test_cli_values_are_literals_when_they_can_be():
    assert [parameters.parse_cli_value(v) for v in ("0.01", "True", "genus", "[1, 2]", "001")] == [
        0.01,
        True,
        "genus",
        [1, 2],
        "001",
    ]


def job(**changes):
    fields = {
        "name": "r",
        "notebook": Path("nb.ipynb"),
        "outputs": {"pdf": "/o/{project_name}.pdf", "html": "/o/x.html"},
    }
    return plan.Job(**{**fields, **changes})


def test_fingerprints_change_with_each_input_and_differ_per_format():
    context = {
        "project": {"id": "1", "name": "P"},
        "samples": [{"id": "s", "tags": ["a"]}],
    }  # any fetched data
    base = manifest.fingerprints(job(), b"notebook", context)
    assert base["pdf"] != base["html"]
    changed = [
        manifest.fingerprints(job(), b"notebook 2", context),
        manifest.fingerprints(job(parameters={"rank": "species"}), b"notebook", context),
        manifest.fingerprints(job(options={"watermark": "DRAFT"}), b"notebook", context),
        manifest.fingerprints(job(), b"notebook", {**context, "samples": [{"id": "s", "tags": ["b"]}]}),
    ]
    assert all(fp["pdf"] != base["pdf"] for fp in changed)
    assert (
        manifest.fingerprints(job(outputs={"pdf": "/elsewhere.pdf"}), b"notebook", context)["pdf"]
        == base["pdf"]
    )


def test_manifest_keeps_relative_paths_and_forgets_missing_files(tmp_path):
    out = tmp_path / "reports" / "a.pdf"
    out.parent.mkdir()
    out.write_bytes(b"%PDF")
    m = manifest.Manifest(tmp_path / "m.json")
    m.record("a", {"pdf": (out, "f1"), "html": (tmp_path / "reports" / "gone.html", "f2")})

    again = manifest.Manifest(tmp_path / "m.json")
    assert again.reports["a"]["pdf"] == {"path": "reports/a.pdf", "fingerprint": "f1"}
    assert again.known("a") == {"pdf": (out, "f1")}
    assert again.known("other") == {}


def test_output_paths_fill_project_fields_late_and_keep_braces_in_names():
    templates = plan.output_templates(
        "out/{project_name}/{name}-{date}.{ext}", ["pdf"], root=Path("/r{x}"), name="a{b}", date="2026-01-01"
    )
    j = job(outputs=templates)
    paths = j.output_paths({"id": "abc", "name": "My Project / 2", "project_name": None})
    assert paths == {"pdf": Path("/r{x}/out/My-Project-2/a{b}-2026-01-01.pdf")}
    assert j.output_paths(None)["pdf"].parent.name == "no-project"


def test_the_example_build_file_is_valid_and_plans_against_the_demo_api(mock_api, isolated_credentials):
    cfg = config.load(REPO / "docs" / "reports.example.toml")

    jobs = plan.plan(
        cfg, api_factory=lambda: Api(api_key=DEMO_API_KEY, base_url=mock_api.url), date="2026-01-01"
    )

    assert [j.name for j in jobs] == ["gut-study", "qc-batch-7", "weekly-ww-surv-2024"]
    assert jobs[0].parameters == {"min_abundance": 0.001, "rank": "species"}
    assert jobs[1].samples and jobs[1].formats == ("pdf",)
    assert jobs[2].project == "c36f5f0e0d94e672"
    assert jobs[0].outputs["pdf"] == str(
        REPO / "docs" / "reports" / "{project_name}" / "gut-study-2026-01-01.pdf"
    )


def test_each_project_keeps_listed_ids_the_account_lacks(tmp_path, mock_api, isolated_credentials):
    (tmp_path / "nb.ipynb").write_text(nbformat.writes(notebook_with_parameters()))
    (tmp_path / "ids.txt").write_text("# nightly\n841F8678E7C361FD\n\nffffffffffffffff  # retired\n")
    path = tmp_path / "reports.toml"
    path.write_text('[defaults]\nnotebook = "nb.ipynb"\n[[each_project]]\nids_file = "ids.txt"\n')

    jobs = plan.plan(config.load(path), api_factory=lambda: Api(api_key=DEMO_API_KEY, base_url=mock_api.url))

    assert [(j.name, j.project) for j in jobs] == [
        ("icu-surfaces", "841f8678e7c361fd"),
        ("ffffffffffffffff", "ffffffffffffffff"),
    ]


def test_a_pdf_only_option_does_not_change_the_html_fingerprint():
    base = manifest.fingerprints(job(), b"notebook", None)
    rows = manifest.fingerprints(job(options={"long_tables_as_lines": False}), b"notebook", None)
    assert rows["pdf"] != base["pdf"] and rows["html"] == base["html"]


@pytest.mark.parametrize(
    "code, reason",
    [
        (-9, "was killed by SIGKILL (out of memory?)"),
        (-11, "was killed by SIGSEGV"),
        (3, "exited with status 3"),
    ],
)
def test_a_dead_worker_is_named_by_how_it_died(code, reason):
    from pebble import ProcessExpired

    error = ProcessExpired("Abnormal termination", code=code, pid=1234)
    assert executors.worker_death(error) == f"the worker running this report {reason}"
    assert executors.worker_death(ValueError("a bug")) is None


def test_reports_waiting_when_the_pool_breaks_run_in_a_new_one():
    """pebble fails every waiting report when a worker dies while none has one (here: as it starts)."""
    from pebble.pool.process import WORKERS_NAME

    pool = executors.LocalPool(1)
    try:
        future = pool.submit(os.getpid)
        starting = [p for p in multiprocessing.active_children() if p.name == WORKERS_NAME]
        assert len(starting) == 1
        starting[0].kill()
        assert future.result(timeout=60) not in (os.getpid(), starting[0].pid)
    finally:
        pool.stop()
    assert not [p for p in multiprocessing.active_children() if p.name == WORKERS_NAME]


def ended(process: psutil.Process, seconds: float = 5) -> bool:
    """Whether the process is gone (or a zombie: dead, not yet reaped by its new parent)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_kernels_whose_worker_died_are_stopped_with_their_children(tmp_path):
    """A note names a live kernel whose worker is gone: the kernel and what it started are killed."""
    import subprocess
    import sys

    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    kernel = subprocess.Popen(["sh", "-c", "sleep 60 & wait"], start_new_session=True)
    live = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        with kernels.noting(str(tmp_path)) as note:
            note(live.pid)  # noted by this (live) process
            (tmp_path / "orphan.json").write_text(
                json.dumps(
                    {
                        "worker": [worker.pid, psutil.Process(worker.pid).create_time()],
                        "kernel": [kernel.pid, psutil.Process(kernel.pid).create_time()],
                    }
                )
            )
            time.sleep(0.2)
            child = psutil.Process(kernel.pid).children()[0]
            assert kernels.reap(str(tmp_path)) == 0
            worker.kill()
            worker.wait()
            assert kernels.reap(str(tmp_path)) == 1
            assert kernel.wait(timeout=5) == -9 and ended(child)
            assert live.poll() is None and list(tmp_path.iterdir()) == [tmp_path / f"{live.pid}.json"]
        assert list(tmp_path.iterdir()) == []
    finally:
        for process in (worker, kernel, live):
            process.kill()
