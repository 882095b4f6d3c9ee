"""`ocx-reports build` and `render` end to end: real kernels, real exports, the local demo API over HTTP.

Small notebooks and HTML are used wherever the template or the PDF is not the
point, to keep the suite fast; every build runs with 2 workers.
"""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pypdf
import psutil
import pytest

from ocx_reports import cli
from ocx_reports.mockserver import DEMO_API_KEY

PROJECTS = {
    "96d911f909956c1c": ("gut-cohort-24", "Gut Microbiome Cohort Study"),
    "c36f5f0e0d94e672": ("ww-surv-2024", "Municipal Wastewater Surveillance 2024"),
    "841f8678e7c361fd": ("icu-surfaces", "ICU Built Environment: Hospital Surfaces"),
}
UNKNOWN = "ffffffffffffffff"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def api_env(mock_api, isolated_credentials, monkeypatch):
    """The demo API in the environment, as CI would set it from a secret; one date for every output."""
    monkeypatch.setenv("ONE_CODEX_API_BASE", mock_api.url)
    monkeypatch.setenv("ONE_CODEX_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    monkeypatch.setenv("CI", "true")
    return mock_api


def small_notebook(path: Path, body: str = "print('project', project_id)") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("project_id = None\nrank = 'genus'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("# Small report"),
        nbformat.v4.new_code_cell(body),
    ]
    nbformat.write(nb, str(path))
    return path


def write_config(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "reports.toml"
    config.write_text(textwrap.dedent(text))
    return config


def build(*args) -> int:
    return cli.main(["build", *map(str, args), "--jobs", "2"])


def pdf_text(path: Path) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def test_build_every_project_then_skip_then_force(api_env, tmp_path, capsys):
    small_notebook(tmp_path / "report.ipynb")
    config = write_config(
        tmp_path,
        f"""
        [defaults]
        notebook = "report.ipynb"
        output = "out/{{project_name}}/{{name}}-{{date}}.{{ext}}"

        [[each_project]]
        all = true
        formats = ["pdf"]

        [[report]]
        name = "broken"
        project = "{UNKNOWN}"
        formats = ["html"]

        [[report]]
        name = "two-swabs"
        samples = ["ffa65ebd39f2cf30", "d116a49b7653f9f5"]
        formats = ["ipynb", "html"]
        """,
    )
    summary, junit = tmp_path / "summary.json", tmp_path / "junit.xml"

    assert build(config, "--summary-json", summary, "--junit-xml", junit) == 1

    for slug, name in PROJECTS.values():
        pdf = tmp_path / "out" / slug / f"{slug}-2026-01-01.pdf"
        assert name in pdf_text(pdf).replace("\n", " ")
    reports = {r["name"]: r for r in json.loads(summary.read_text())["reports"]}
    assert {r["status"] for n, r in reports.items() if n != "broken"} == {"built"}
    assert reports["broken"]["status"] == "failed"
    assert f"project {UNKNOWN} not found" in reports["broken"]["error"]
    assert reports["broken"]["outputs"] == []
    swabs = tmp_path / "out" / "icu-surfaces" / "two-swabs-2026-01-01"
    assert "ICU Built Environment" in swabs.with_suffix(".html").read_text()
    injected = nbformat.read(swabs.with_suffix(".ipynb"), 4).cells[1]
    assert injected.source.endswith("sample_ids = ['ffa65ebd39f2cf30', 'd116a49b7653f9f5']\n")
    cases = {case.get("name"): case for case in ET.parse(junit).getroot().iter("testcase")}
    assert set(cases) == set(reports)
    assert UNKNOWN in cases["broken"].find("failure").get("message")
    out = capsys.readouterr()
    assert "FAILED broken" in out.err and "4 built, 1 failed" in out.out
    manifest = (tmp_path / ".ocx-reports-manifest.json").read_text()
    for text in (out.out, out.err, summary.read_text(), junit.read_text(), manifest):
        assert DEMO_API_KEY not in text

    built = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*.pdf")}
    assert build(config, "--summary-json", summary) == 1
    statuses = {r["name"]: r["status"] for r in json.loads(summary.read_text())["reports"]}
    assert statuses == {
        **{slug: "skipped" for slug, _ in PROJECTS.values()},
        "two-swabs": "skipped",
        "broken": "failed",
    }
    assert {p: p.stat().st_mtime_ns for p in built} == built

    assert build(config, "--force", "--summary-json", summary, "--report", "icu-surfaces") == 0
    assert json.loads(summary.read_text())["reports"][0]["status"] == "built"
    rebuilt = [p for p in built if p.stat().st_mtime_ns != built[p]]
    assert [p.name for p in rebuilt] == ["icu-surfaces-2026-01-01.pdf"]
    assert not list(tmp_path.rglob("*.tmp"))


def test_changes_that_rebuild(api_env, tmp_path):
    """Only the report whose notebook or parameters changed is rebuilt; a deleted output is remade."""
    notebook = small_notebook(tmp_path / "a.ipynb")
    small_notebook(tmp_path / "b.ipynb")
    text = """
        [defaults]
        formats = ["html"]
        [[report]]
        name = "a"
        notebook = "a.ipynb"
        project = "96d911f909956c1c"
        [[report]]
        name = "b"
        notebook = "b.ipynb"
        project = "c36f5f0e0d94e672"
        parameters = {{ rank = "{rank}" }}
        """
    summary = tmp_path / "summary.json"

    def statuses(rank="genus"):
        config = write_config(tmp_path, text.format(rank=rank))
        build(config, "--summary-json", summary)
        return [r["status"] for r in json.loads(summary.read_text())["reports"]]

    assert statuses() == ["built", "built"]
    small_notebook(notebook, body="print('changed')")
    assert statuses() == ["built", "skipped"]
    assert statuses(rank="species") == ["skipped", "built"]
    (tmp_path / "reports" / "a.html").unlink()
    assert statuses(rank="species") == ["built", "skipped"]


def test_sigterm_stops_the_build_and_leaves_only_whole_files(api_env, tmp_path):
    small_notebook(tmp_path / "fast.ipynb")
    small_notebook(tmp_path / "slow.ipynb", body="import time\ntime.sleep(60)")
    config = write_config(
        tmp_path,
        """
        [defaults]
        formats = ["html"]
        output = "out/{name}.{ext}"
        [[report]]
        name = "fast"
        notebook = "fast.ipynb"
        [[report]]
        name = "slow-1"
        notebook = "slow.ipynb"
        [[report]]
        name = "slow-2"
        notebook = "slow.ipynb"
        """,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "ocx_reports.cli", "build", str(config), "--jobs", "2"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (tmp_path / "out" / "fast.html").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.5)  # the slow reports are now executing
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)

    assert process.returncode == 143, err
    assert "stopped by SIGTERM" in err and "Traceback" not in err
    files = sorted(p.name for p in tmp_path.joinpath("out").iterdir())
    assert files == ["fast.html"]
    assert (tmp_path / "out" / "fast.html").read_text().rstrip().endswith("</html>")
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    manifest = json.loads((tmp_path / ".ocx-reports-manifest.json").read_text())
    assert list(manifest["reports"]) == ["fast"]


def test_dask_local_cluster_builds_the_same_files(api_env, tmp_path):
    distributed = pytest.importorskip("distributed")
    small_notebook(tmp_path / "report.ipynb")
    body = """
        [defaults]
        notebook = "{notebook}"
        formats = ["html", "ipynb"]
        [[each_project]]
        ids = ["96d911f909956c1c", "841f8678e7c361fd"]
        """
    local, remote = tmp_path / "local", tmp_path / "dask"
    for where in (local, remote):
        where.mkdir()
        write_config(where, body.format(notebook=tmp_path / "report.ipynb"))
    assert build(local / "reports.toml") == 0
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as lc:
        status = build(remote / "reports.toml", "--executor", "dask", "--scheduler", lc.scheduler_address)
    assert status == 0

    def outputs(root):
        return {p.relative_to(root): p for p in (root / "reports").iterdir()}

    assert set(outputs(local)) == set(outputs(remote)) and len(outputs(local)) == 4
    for name, path in outputs(local).items():
        if path.suffix == ".html":
            assert path.read_bytes() == outputs(remote)[name].read_bytes()
        else:  # executed notebooks differ only in execution timestamps
            cells = [c.outputs for c in nbformat.read(path, 4).cells if c.cell_type == "code"]
            assert cells == [
                c.outputs for c in nbformat.read(outputs(remote)[name], 4).cells if c.cell_type == "code"
            ]


@pytest.mark.parametrize(
    "toml, key",
    [
        ('[defaults]\nnotebook = "nb.ipynb"\n[[report]]\nname = "x"\nformats = ["docx"]', "formats"),
        ('[defaults]\nnotebook = "nb.ipynb"\n[[report]]\nname = "x"\ncolour = "red"', "colour"),
        ('[[report]]\nname = "x"', "notebook"),
        ('[[report]]\nname = "x"\nnotebook = "missing.ipynb"', "notebook"),
        ('[defaults]\nnotebook = "nb.ipynb"\noutput = "{project}.{ext}"\n[[report]]\nname = "x"', "output"),
        ('[defaults]\nnotebook = "nb.ipynb"\n[[report]]\nproject = "96d911f909956c1c"', "name"),
        (
            '[defaults]\nnotebook = "nb.ipynb"\n[[report]]\nname = "x"\nproject = "a"\nsamples = ["b"]',
            "samples",
        ),
        (
            '[defaults]\nnotebook = "nb.ipynb"\n[[report]]\nname = "x"\noptions = { colour = 1 }',
            "options.colour",
        ),
        (
            '[defaults]\nnotebook = "nb.ipynb"\n[[report]]\nname = "x"\nparameters = { "a b" = 1 }',
            "parameters.a b",
        ),
        ('[defaults]\nnotebook = "nb.ipynb"\n[[report]]\nname = "x"\ntimeout = 0', "timeout"),
        ('[defaults]\nnotebook = "nb.ipynb"\n[[each_project]]\nall = true\nids = ["a"]', "exactly one of"),
        ('[defaults]\nnotebook = "nb.ipynb"\n[[report]]\nname = "x"\n[[report]]\nname = "x"', "'x'"),
        ("[defaults\n", "not valid TOML"),
    ],
)
def test_config_errors_name_the_key_and_exit_2(tmp_path, capsys, toml, key):
    small_notebook(tmp_path / "nb.ipynb")
    config = write_config(tmp_path, toml)

    assert cli.main(["build", str(config)]) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"ocx-reports: error: {config}: ") and key in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_render_one_report_with_parameters_and_executed_notebook(api_env, tmp_path, capsys):
    notebook = small_notebook(tmp_path / "one.ipynb", body="print('rank is', rank, 'for', project_id)")
    out = tmp_path / "one.html"

    status = cli.main(
        [
            "render",
            str(notebook),
            "--to",
            "html",
            "--project",
            "841f8678e7c361fd",
            "-p",
            "rank",
            "species",
            "-o",
            str(out),
            "--keep-notebook",
        ]
    )

    assert status == 0
    html = out.read_text()
    assert "rank is species for 841f8678e7c361fd" in html and "ICU Built Environment" in html
    executed = nbformat.read(tmp_path / "one.executed.ipynb", 4)
    injected = executed.cells[1]
    assert injected.metadata.tags == ["injected-parameters"]
    assert injected.source == "# Parameters\nproject_id = '841f8678e7c361fd'\nrank = 'species'\n"
    assert "Wrote" in capsys.readouterr().out


def test_render_failure_is_one_line_and_writes_nothing(api_env, tmp_path, capsys):
    notebook = small_notebook(tmp_path / "one.ipynb")

    status = cli.main(
        ["render", str(notebook), "--to", "pdf", "--project", UNKNOWN, "-o", str(tmp_path / "x.pdf")]
    )

    assert status == 1
    assert capsys.readouterr().err == f"ocx-reports: error: project {UNKNOWN} not found\n"
    assert not list(tmp_path.glob("x*"))


def test_project_report_template_runs_against_the_demo_api(api_env, tmp_path):
    """The shipped per-project template: metadata table, charts, summary; fast enough for CI."""
    out = tmp_path / "wastewater.html"
    started = time.monotonic()

    status = cli.main(
        [
            "render",
            str(REPO / "notebook_examples" / "project_report.ipynb"),
            "--to",
            "html",
            "--project",
            "c36f5f0e0d94e672",
            "-p",
            "rank",
            "phylum",
            "-o",
            str(out),
            "--keep-notebook",
        ]
    )

    assert status == 0 and time.monotonic() - started < 20
    html = out.read_text()
    assert "Municipal Wastewater Surveillance 2024" in html
    assert "holds 7 samples; 7 have a completed analysis" in html
    assert "The most abundant phylum overall is" in html
    # One Samples section: the exporter's (the notebook gives an overview by sample type).
    assert len(re.findall(r"<h2\b[^>]*>Samples\b", html)) == 1 and re.search(r"<h2\b[^>]*>Overview\b", html)
    executed = nbformat.read(out.with_suffix(".executed.ipynb"), 4)
    mimetypes = {key for cell in executed.cells for o in cell.get("outputs", []) for key in o.get("data", {})}
    assert any(m.startswith("application/vnd.vegalite") for m in mimetypes), mimetypes
    assert os.environ["ONE_CODEX_API_KEY"] not in out.read_text()


def project_report_config(tmp_path, name: str, *keys: str):
    """A build file of one report, ``name``, of the bundled project report written to ``name.ext``."""
    lines = "\n".join(f"        {key}" for key in keys)
    return write_config(
        tmp_path,
        f"""
        [[report]]
        name = "{name}"
        notebook = "{REPO / "notebook_examples" / "project_report.ipynb"}"
{lines}
        output = "{name}.{{ext}}"
        """,
    )


def test_project_report_for_a_list_of_samples_reports_on_exactly_those_samples(api_env, tmp_path):
    """Built for two samples (the README's `samples = [...]`): the header, the text, the tables and
    the charts (their axis labels are text in the PDF) all show those two, and no other sample."""
    from ocx_reports import Api
    from ocx_reports.context import fetch_report_context

    with Api() as api:
        names = {row["id"]: row["name"] for row in fetch_report_context(api, project="96d911f909956c1c")["samples"]}
    chosen = ["5cc30dbae53ee7eb", "5216fb4df0bfaeac"]
    config = project_report_config(tmp_path, "two", f"samples = {chosen!r}")

    assert build(config) == 0

    pages = [page.extract_text() for page in pypdf.PdfReader(tmp_path / "two.pdf").pages]
    text = "\n".join(pages)
    assert len(names) == 16 and all("Gut Microbiome Cohort Study · 2 samples" in page for page in pages)
    assert "This report covers 2 samples of Gut Microbiome Cohort Study; 2 have a completed analysis." in text
    assert "16 samples" not in text
    assert {name for name in names.values() if name in text} == {names[sample] for sample in chosen}
    # A line of its own holding only a sample's name is a label on a chart's x axis: the
    # composition and the diversity charts each label the two samples.
    axis_labels = [line for line in text.splitlines() if line in names.values()]
    assert sorted(axis_labels) == sorted([names[sample] for sample in chosen] * 2)


def test_unfinished_analyses_are_named_and_rebuild_once_they_finish(
    isolated_credentials, tmp_path, monkeypatch
):
    """The template says which analyses are missing; when one finishes, the report is no longer 'unchanged'."""
    import shutil

    from ocx_reports.mockserver import MockServer

    data = tmp_path / "data"
    shutil.copytree(REPO / "ocx_reports" / "demo_data", data, ignore=shutil.ignore_patterns("__*"))
    samples = json.loads((data / "samples.json").read_text())
    icu = [
        s["primary_classification"]["$ref"]
        for s in samples
        if s["project"]["$ref"].endswith("841f8678e7c361fd")
    ]
    classifications = json.loads((data / "classifications.json").read_text())
    state = {c["$uri"]: c for c in classifications}
    state[icu[0]]["complete"] = False
    state[icu[1]].update(success=False, error_msg="too few reads")

    def save():
        (data / "classifications.json").write_text(json.dumps(classifications))

    config = project_report_config(tmp_path, "icu", 'project = "841f8678e7c361fd"', 'formats = ["html"]')
    monkeypatch.setenv("ONE_CODEX_API_KEY", DEMO_API_KEY)
    summary = tmp_path / "summary.json"

    def build_with_server():
        save()
        with MockServer(data_dir=data) as server:
            monkeypatch.setenv("ONE_CODEX_API_BASE", server.url)
            assert build(config, "--summary-json", summary) == 0
        return json.loads(summary.read_text())["reports"][0]["status"]

    assert build_with_server() == "built"
    html = (tmp_path / "icu.html").read_text()
    assert "holds 7 samples; 5 have a completed analysis" in html
    assert "(analysis still running)" in html and "(analysis failed: too few reads)" in html

    state[icu[0]]["complete"] = True
    assert build_with_server() == "built"
    assert "6 have a completed analysis" in (tmp_path / "icu.html").read_text()
    assert build_with_server() == "skipped"


# Dead workers: a report's worker killed as the OOM killer does, in a real build in a subprocess.

SLEEPER = """
import os, pathlib, subprocess, time
child = subprocess.Popen(["sleep", "300"])
pathlib.Path({pids!r}).write_text(f"{{os.getpid()}} {{child.pid}}")
time.sleep(300)
"""


def sleeper(tmp_path: Path, name: str) -> Path:
    """A notebook that starts a child process, writes its kernel's and the child's PIDs to NAME.pids, then sleeps."""
    return small_notebook(tmp_path / f"{name}.ipynb", body=SLEEPER.format(pids=str(tmp_path / f"{name}.pids")))


def start_build(config: Path, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ocx_reports.cli", "build", str(config), *map(str, args)],
        cwd=config.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def running_pids(path: Path, process: subprocess.Popen, seconds: float = 120) -> list[int]:
    """The PIDs a sleeper wrote (its kernel's, then its child's), once it has."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().split()) == 2:
            return [int(pid) for pid in path.read_text().split()]
        assert process.poll() is None, process.communicate()
        time.sleep(0.2)
    raise AssertionError(f"{path} was not written in {seconds} s")


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def all_gone(pids, seconds: float = 3) -> bool:
    """Whether every process has ended (ipykernel's own parent check takes up to a second)."""
    deadline = time.monotonic() + seconds
    while not all(map(gone, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return all(map(gone, pids))


def kill_worker_of(kernel_pid: int) -> None:
    os.kill(psutil.Process(kernel_pid).ppid(), signal.SIGKILL)


@pytest.fixture
def leftovers():
    """PIDs to kill at the end whatever happened (builds that hang, processes that linger)."""
    pids, groups = [], []
    yield pids, groups
    for group in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            psutil.Process(pid).kill()


def summary_of(path: Path) -> dict:
    return {r["name"]: r for r in json.loads(path.read_text())["reports"]}


KILLED = "the worker running this report was killed by SIGKILL (out of memory?)"


def build_with_a_victim(tmp_path: Path, leftovers, others: dict[str, str], *args, sleeping=()) -> subprocess.Popen:
    """Start a build (HTML into out/, with ``args``) of a sleeping report named "victim" and of
    ``others`` (name -> notebook), then, once the victim's kernel runs (and those of the
    ``sleeping`` others), kill the worker running the victim."""
    pids, groups = leftovers
    sleeper(tmp_path, "victim")
    entries = [("victim", "victim.ipynb"), *others.items()]
    reports = "".join(f'[[report]]\nname = "{name}"\nnotebook = "{notebook}"\n' for name, notebook in entries)
    config = write_config(tmp_path, f'[defaults]\nformats = ["html"]\noutput = "out/{{name}}.{{ext}}"\n{reports}')
    process = start_build(config, *args)
    groups.append(process.pid)
    for name in ("victim", *sleeping):
        pids += running_pids(tmp_path / f"{name}.pids", process)
    kill_worker_of(pids[0])
    return process


@pytest.mark.parametrize("jobs", [2, 1])
def test_a_killed_worker_fails_only_its_report(api_env, tmp_path, leftovers, jobs):
    """SIGKILL the worker of a running report: that report fails with the signal, the others are built,
    even those queued behind it (-j 1); the summary is true, and no kernel or its child outlives it."""
    pids, _ = leftovers
    small_notebook(tmp_path / "fast.ipynb")
    summary, junit = tmp_path / "summary.json", tmp_path / "junit.xml"
    args = ("--jobs", jobs, "--summary-json", summary, "--junit-xml", junit)
    process = build_with_a_victim(tmp_path, leftovers, {"fast-1": "fast.ipynb", "fast-2": "fast.ipynb"}, *args)
    killed = time.monotonic()
    out, err = process.communicate(timeout=90)

    assert time.monotonic() - killed < 60
    assert process.returncode == 1, err
    reports = summary_of(summary)
    assert reports["victim"] == {**reports["victim"], "status": "failed", "outputs": [], "error": KILLED}
    for name in ("fast-1", "fast-2"):
        assert reports[name]["status"] == "built"
        assert reports[name]["outputs"] == [str(tmp_path / "out" / f"{name}.html")]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["fast-1.html", "fast-2.html"]
    failures = [case.find("failure") for case in ET.parse(junit).getroot().iter("testcase")]
    assert [f.get("message") for f in failures if f is not None] == [KILLED]
    assert "Traceback" not in err and "2 built, 1 failed" in out
    assert all_gone(pids)
    manifest = json.loads((tmp_path / ".ocx-reports-manifest.json").read_text())
    assert sorted(manifest["reports"]) == ["fast-1", "fast-2"]


def test_sigterm_after_a_killed_worker_stops_within_seconds_with_a_summary(api_env, tmp_path, leftovers):
    pids, _ = leftovers
    sleeper(tmp_path, "slow")
    summary = tmp_path / "summary.json"
    args = ("--jobs", 2, "--summary-json", summary)
    process = build_with_a_victim(tmp_path, leftovers, {"slow": "slow.ipynb"}, *args, sleeping=("slow",))
    time.sleep(2)
    process.send_signal(signal.SIGTERM)
    stopped = time.monotonic()
    _, err = process.communicate(timeout=60)

    assert time.monotonic() - stopped < 10
    assert process.returncode == 143, err
    assert "stopped by SIGTERM" in err and "Traceback" not in err
    reports = summary_of(summary)
    assert reports["victim"]["error"] == KILLED
    assert reports["slow"]["status"] == "failed" and reports["slow"]["outputs"] == []
    assert "SIGTERM" in reports["slow"]["error"]
    assert not (tmp_path / "out").exists()
    assert all_gone(pids)


def test_dask_gives_up_on_a_report_whose_workers_die(api_env, tmp_path, leftovers, monkeypatch):
    """On Dask the scheduler reruns a killed worker's task; once it gives up (KilledWorker, here at the
    first death) the report fails as on the local pool, and the others are built."""
    pytest.importorskip("distributed")
    monkeypatch.setenv("DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES", "0")
    pids, _ = leftovers
    small_notebook(tmp_path / "fast.ipynb")
    summary = tmp_path / "summary.json"
    args = ("--executor", "dask", "--jobs", 2, "--summary-json", summary)
    process = build_with_a_victim(tmp_path, leftovers, {"fast": "fast.ipynb"}, *args)
    out, err = process.communicate(timeout=90)

    assert process.returncode == 1, err
    reports = summary_of(summary)
    assert reports["victim"]["status"] == "failed" and reports["victim"]["outputs"] == []
    assert reports["victim"]["error"].startswith("the Dask worker running this report died (out of memory?)")
    assert reports["fast"]["status"] == "built"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["fast.html"]
    assert all_gone(pids)


def test_concurrent_builds_sharing_a_manifest_keep_each_others_entries(api_env, tmp_path, leftovers):
    _, groups = leftovers
    small_notebook(tmp_path / "slow.ipynb", body="import time\ntime.sleep(2)")
    builds = []
    for side in ("a", "b"):
        reports = "".join(f'[[report]]\nname = "{side}{n}"\n' for n in range(3))
        config = tmp_path / side / "reports.toml"
        config.parent.mkdir()
        config.write_text(
            f'[build]\nmanifest = "../shared.json"\n[defaults]\nnotebook = "../slow.ipynb"\n'
            f'formats = ["ipynb"]\n{reports}'
        )
        builds.append(start_build(config, "--jobs", 2))
        groups.append(builds[-1].pid)

    for process in builds:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err

    manifest = json.loads((tmp_path / "shared.json").read_text())
    assert sorted(manifest["reports"]) == ["a0", "a1", "a2", "b0", "b1", "b2"]
    assert manifest["reports"]["b2"]["ipynb"]["path"] == "b/reports/b2.ipynb"


def test_options_apply_to_the_formats_that_have_them(api_env, tmp_path):
    """PDF-only options are accepted and the HTML of the same report is made without them;
    options both exporters have apply to both."""
    small_notebook(
        tmp_path / "table.ipynb",
        body="import pandas as pd\npd.DataFrame({'taxon': [f't{i}' for i in range(30)], 'n': range(30)})",
    )
    config = write_config(
        tmp_path,
        """
        [defaults]
        notebook = "table.ipynb"
        formats = ["pdf", "html"]
        options = { max_table_rows = 5, workers = 1, long_tables_as_lines = false, watermark = "DRAFT" }
        [[report]]
        name = "t"
        """,
    )
    summary = tmp_path / "summary.json"

    assert build(config, "--summary-json", summary) == 0

    pdf = pypdf.PdfReader(tmp_path / "reports" / "t.pdf")
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Showing the first 5 of 30 rows" in text and "t29" not in text and "DRAFT" in text
    attached = [
        annot.get_object()["/FS"]["/F"]
        for page in pdf.pages
        for annot in page.get("/Annots", [])
        if annot.get_object()["/Subtype"] == "/FileAttachment"
    ]
    assert attached == ["table-1.csv"]  # the whole table
    html = (tmp_path / "reports" / "t.html").read_text()
    assert "Showing the first 5 of 30 rows" in html and ">t29<" not in html and "DRAFT" in html


@pytest.mark.parametrize(
    "options, key, problem",
    [
        ('page_size = "a5"', "options.page_size", "expected any of ['letter', 'a4'], not the str 'a5'"),
        ('workers = "x"', "options.workers", "expected an int, not the str 'x'"),
        ("max_table_rows = 2.5", "options.max_table_rows", "expected an int"),
        ('long_tables_as_lines = "yes"', "options.long_tables_as_lines", "expected a boolean"),
        ("max_table_rows = -1", "options.max_table_rows", "should not be less than 0, but a value of -1"),
        ("show_logo = 1979-05-27", "options.show_logo", "must be a string, number, boolean, list or table"),
    ],
)
def test_bad_option_values_exit_2_before_anything_runs(api_env, tmp_path, capsys, options, key, problem):
    small_notebook(tmp_path / "nb.ipynb", body="open('ran', 'w').close()")
    config = write_config(
        tmp_path,
        f'[defaults]\nnotebook = "nb.ipynb"\nformats = ["html"]\n[[report]]\nname = "x"\n'
        f'[[report]]\nname = "y"\noptions = {{ {options} }}\n',
    )

    assert build(config) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"ocx-reports: error: {config}: [[report]] 2 ('y'): {key}: ")
    assert problem in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "ran").exists() and not (tmp_path / "reports").exists()


def test_summaries_list_exactly_the_files_written(api_env, tmp_path):
    """A report whose cell fails lists no outputs; one whose files were written is built even when
    the manifest cannot be updated (it is then rebuilt next time)."""
    small_notebook(tmp_path / "fails.ipynb", body="raise ValueError('no data')")
    small_notebook(tmp_path / "ok.ipynb")
    (tmp_path / "not-a-folder").write_text("")
    config = write_config(
        tmp_path,
        """
        [defaults]
        formats = ["html", "ipynb"]
        [[report]]
        name = "fails"
        notebook = "fails.ipynb"
        [[report]]
        name = "ok"
        notebook = "ok.ipynb"
        """,
    )
    summary, junit = tmp_path / "summary.json", tmp_path / "junit.xml"

    status = build(
        config, "--manifest", tmp_path / "not-a-folder" / "m.json", "--summary-json", summary, "--junit-xml", junit
    )

    assert status == 1
    reports = summary_of(summary)
    assert reports["fails"]["status"] == "failed" and reports["fails"]["outputs"] == []
    assert "no data" in reports["fails"]["error"]
    assert reports["ok"]["status"] == "built"
    assert sorted(reports["ok"]["outputs"]) == [str(tmp_path / "reports" / f"ok.{ext}") for ext in ("html", "ipynb")]
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["ok.html", "ok.ipynb"]
    cases = {case.get("name"): case for case in ET.parse(junit).getroot().iter("testcase")}
    assert cases["fails"].find("system-out") is None and cases["ok"].find("failure") is None


def test_kernels_can_run_without_the_credentials_and_the_report_keeps_its_metadata(api_env, tmp_path):
    notebook = small_notebook(
        tmp_path / "peek.ipynb",
        body="import os\nprint('key in kernel:', os.environ.get('ONE_CODEX_API_KEY'), "
        "os.environ.get('ONE_CODEX_BEARER_TOKEN'))",
    )
    config = write_config(tmp_path, f"""
        [defaults]
        notebook = "{notebook}"
        formats = ["html"]
        output = "out/{{name}}.{{ext}}"
        [[report]]
        name = "trusted"
        project = "841f8678e7c361fd"
        [[report]]
        name = "untrusted"
        project = "841f8678e7c361fd"
        kernel_credentials = false
    """)
    assert build(config) == 0
    untrusted = (tmp_path / "out" / "untrusted.html").read_text()
    assert "key in kernel: None None" in untrusted and "ICU Built Environment" in untrusted
    trusted = (tmp_path / "out" / "trusted.html").read_text()
    assert "key in kernel: *** None" in trusted and DEMO_API_KEY not in trusted  # printed, then masked

    out = tmp_path / "rendered.html"
    status = cli.main(["render", str(notebook), "--to", "html", "--project", "841f8678e7c361fd",
                       "--no-kernel-credentials", "-o", str(out)])
    assert status == 0 and "key in kernel: None None" in out.read_text()


def test_kernel_credentials_must_be_true_or_false(tmp_path, capsys):
    notebook = small_notebook(tmp_path / "n.ipynb")
    config = write_config(tmp_path, f"""
        [[report]]
        name = "x"
        notebook = "{notebook}"
        project = "841f8678e7c361fd"
        kernel_credentials = "no"
    """)
    assert build(config) == 2
    assert "kernel_credentials: must be true or false, not 'no'" in capsys.readouterr().err
