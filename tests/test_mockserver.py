"""The mock One Codex API over raw HTTP, its CLI, and the demo dataset it serves."""

import argparse
import base64
import filecmp
import json
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from ocx_reports.mockserver import DEMO_API_KEY, Dataset, MockServer, add_parser

REPO = Path(__file__).resolve().parent.parent
DEMO_DATA = REPO / "ocx_reports" / "demo_data"
BASIC = "Basic " + base64.b64encode(f"{DEMO_API_KEY}:".encode()).decode()
ID = re.compile(r"[0-9a-f]{16}")


HTTP = httpx.Client()  # one client for the module: creating one per request costs ~0.1 s


@pytest.fixture(scope="module", autouse=True)
def close_http():
    yield
    HTTP.close()


def get(server, path, auth=BASIC, **params):
    headers = {"Authorization": auth} if auth else {}
    return HTTP.get(server.url + path, params=params, headers=headers)


def where(server, resource, condition, **params):
    return get(server, f"/api/v1/{resource}", where=json.dumps(condition), **params)


# Protocol


def test_demo_key_is_a_32_character_placeholder():
    assert len(DEMO_API_KEY) == 32 and "demo" in DEMO_API_KEY


@pytest.mark.parametrize(
    "auth", [None, "Basic " + base64.b64encode(b"wrong:").decode(), "Bearer wrong", "Basic %%%"]
)
def test_missing_or_wrong_credentials_get_401(mock_api, auth):
    response = get(mock_api, "/api/v1/samples", auth=auth)

    assert response.status_code == 401
    assert "message" in response.json()


def test_basic_and_bearer_credentials_are_accepted(mock_api):
    assert get(mock_api, "/api/v1/projects").status_code == 200
    assert get(mock_api, "/api/v1/projects", auth=f"Bearer {DEMO_API_KEY}").status_code == 200


def test_instance_and_404_with_a_message(mock_api):
    sample = get(mock_api, "/api/v1/samples", per_page=1).json()[0]

    assert get(mock_api, sample["$uri"]).json() == sample
    for path in ("/api/v1/samples/ffffffffffffffff", "/api/v1/widgets", "/api/v1/samples/x/y", "/elsewhere"):
        response = get(mock_api, path)
        assert response.status_code == 404, path
        assert response.json()["message"]


def test_paging_headers_and_slices(mock_api):
    pages = [get(mock_api, "/api/v1/samples", page=page, per_page=7) for page in (1, 2, 5, 6)]

    assert {page.headers["X-Total-Count"] for page in pages} == {"30"}
    assert [len(page.json()) for page in pages] == [7, 7, 2, 0]
    first, second = pages[0].json(), pages[1].json()
    assert not {s["$uri"] for s in first} & {s["$uri"] for s in second}
    assert len(get(mock_api, "/api/v1/samples").json()) == 20  # the default page size
    assert len(get(mock_api, "/api/v1/samples", per_page=1000).json()) == 30


def test_where_uri_in(mock_api):
    uris = [s["$uri"] for s in get(mock_api, "/api/v1/samples", per_page=30).json()[3:6]]

    response = where(mock_api, "samples", {"$uri": {"$in": uris}})

    assert [s["$uri"] for s in response.json()] == uris
    assert response.headers["X-Total-Count"] == "3"


def test_where_project_ref(mock_api):
    projects = get(mock_api, "/api/v1/projects").json()
    counts = [
        len(where(mock_api, "samples", {"project": {"$ref": p["$uri"]}}, per_page=100).json())
        for p in projects
    ]

    assert counts == [16, 7, 7]


def test_where_tags_containsall_or_plain_list(mock_api):
    tags = {t["name"]: {"$ref": t["$uri"]} for t in get(mock_api, "/api/v1/tags", per_page=100).json()}
    both = [tags["ICU"], tags["nanopore"]]

    containsall = where(mock_api, "samples", {"tags": {"$containsall": both}}).json()
    plain = where(mock_api, "samples", {"tags": both}).json()
    one = where(mock_api, "samples", {"tags": {"$containsall": [tags["ICU"]]}}).json()

    assert len(containsall) == 2 and plain == containsall
    assert len(one) == 7


def test_bad_where_is_400(mock_api):
    for condition in (
        "{not json",
        json.dumps([1]),
        json.dumps({"filename": {"$regex": "x"}}),
        json.dumps({"no_such_field": 1}),
    ):
        response = get(mock_api, "/api/v1/samples", where=condition)
        assert response.status_code == 400, condition
        assert response.json()["message"].startswith("Invalid query")


def test_classification_results(mock_api):
    classification = get(mock_api, "/api/v1/classifications", per_page=1).json()[0]

    results = get(mock_api, classification["$uri"] + "/results").json()

    assert results["n_reads"] > 0
    assert {
        "tax_id",
        "name",
        "rank",
        "parent_tax_id",
        "readcount",
        "readcount_w_children",
        "abundance",
        "filtered_readcount",
        "filtered_readcount_w_children",
    } == set(results["table"][0])
    assert (
        get(mock_api, "/api/v1/samples/" + classification["sample"]["$ref"][-16:] + "/results").status_code
        == 404
    )


def test_writes_are_refused(mock_api):
    response = HTTP.post(mock_api.url + "/api/v1/samples", headers={"Authorization": BASIC}, json={})

    assert response.status_code == 405
    assert mock_api.requests[-1].method == "POST"


# Request log and fault injection


def test_requests_are_logged_from_many_threads(mock_api):
    with httpx.Client(headers={"Authorization": BASIC}) as client, ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda page: client.get(mock_api.url + "/api/v1/samples", params={"page": page}), range(40)
            )
        )

    assert len(mock_api.requests) == 40
    assert sorted(int(r.query["page"]) for r in mock_api.requests) == list(range(40))
    assert mock_api.requests[0].method == "GET" and mock_api.requests[0].path == "/api/v1/samples"
    mock_api.reset()
    assert mock_api.requests == []


def test_fail_next_sends_the_status_and_retry_after_then_recovers(mock_api):
    mock_api.fail_next(429, times=2, retry_after=3)

    first, second, third = (get(mock_api, "/api/v1/projects") for _ in range(3))

    assert first.status_code == second.status_code == 429
    assert first.headers["Retry-After"] == "3"
    assert third.status_code == 200
    with pytest.raises(ValueError):
        mock_api.fail_next(404)


def test_fail_rate_fails_that_share_of_requests():
    with MockServer(fail_rate=1.0, fail_status=502) as server:
        assert {get(server, "/api/v1/tags").status_code for _ in range(5)} == {502}
        server.fail_rate = 0
        assert get(server, "/api/v1/tags").status_code == 200


def test_slow_delays_every_response(mock_api):
    mock_api.slow_seconds = 0.3
    started = time.monotonic()

    assert get(mock_api, "/api/v1/jobs").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_truncated_response_promises_more_bytes_than_it_sends(mock_api):
    mock_api.truncate_next()
    request = f"GET /api/v1/samples HTTP/1.1\r\nHost: x\r\nAuthorization: {BASIC}\r\n\r\n".encode()

    with socket.create_connection(("127.0.0.1", mock_api.port)) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk

    head, _, body = received.partition(b"\r\n\r\n")
    length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
    assert 0 < len(body) < length


def raw_get(server, path):
    """(head, body) of one GET over a plain socket, read until the server closes or the body is whole."""
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: {BASIC}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(request.encode())
        received = b""
        while chunk := sock.recv(1 << 20):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    return head.decode(), body


def test_drip_sends_the_headers_then_one_byte_per_interval(mock_api):
    expected = get(mock_api, "/api/v1/tags/52d5ddba53faa721").content
    mock_api.drip_seconds = 0.02
    request = f"GET /api/v1/tags/52d5ddba53faa721 HTTP/1.1\r\nHost: x\r\nAuthorization: {BASIC}\r\n\r\n"

    with socket.create_connection(("127.0.0.1", mock_api.port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(request.encode())
        received, arrivals = b"", []
        while b"\r\n\r\n" not in received or len(received.partition(b"\r\n\r\n")[2]) < len(expected):
            chunk = sock.recv(65536)
            assert chunk, "the server closed the connection early"
            received += chunk
            arrivals.append(time.monotonic() - started)

    head, _, body = received.partition(b"\r\n\r\n")
    assert body == expected and f"Content-Length: {len(expected)}".encode() in head
    assert arrivals[0] < 0.5  # the headers at once
    assert len(arrivals) >= len(expected) - 1  # then a byte at a time
    assert arrivals[-1] >= 0.02 * (len(expected) - 1)


def test_huge_body_is_valid_json_streamed_without_a_length(mock_api):
    mock_api.huge_bytes = 5 * 2**20

    head, body = raw_get(mock_api, "/api/v1/tags/52d5ddba53faa721")

    assert "Transfer-Encoding: chunked" in head and "Content-Length" not in head
    response = get(mock_api, "/api/v1/tags/52d5ddba53faa721")
    assert len(response.content) == 5 * 2**20
    assert response.json()["name"]
    assert len(body) > 5 * 2**20  # the chunk framing around it


def test_echo_credentials_quotes_the_authorization_header_in_errors(mock_api):
    mock_api.echo_credentials = True
    mock_api.fail_next(503)

    injected = get(mock_api, "/api/v1/tags").json()["message"]
    not_found = get(mock_api, "/api/v1/tags/ffffffffffffffff").json()["message"]
    unauthorized = get(mock_api, "/api/v1/tags", auth="Bearer nope").json()["message"]

    assert injected == f"Injected HTTP 503 (request had Authorization: {BASIC})"
    assert not_found.endswith(f"(request had Authorization: {BASIC})")
    assert unauthorized.endswith("(request had Authorization: Bearer nope)")
    assert get(mock_api, "/api/v1/tags").json()[0]["$uri"]  # successful bodies are untouched


def test_serves_another_directory_in_the_same_layout(tmp_path):
    sample = {
        "$uri": "/api/v1/samples/0123456789abcdef",
        "filename": "mine.fastq.gz",
        "tags": [],
        "project": None,
    }
    (tmp_path / "samples.json").write_text(json.dumps([sample]))

    with MockServer(tmp_path) as server:
        assert get(server, "/api/v1/samples").json() == [sample]
        assert get(server, "/api/v1/projects").status_code == 404
    with pytest.raises(FileNotFoundError, match="has no samples.json"):
        Dataset(tmp_path / "missing")


# CLI


def test_cli_flags_reach_the_server_options():
    parser = argparse.ArgumentParser(prog="ocx-reports")
    add_parser(parser.add_subparsers(dest="command"))

    args = parser.parse_args(
        [
            "mock-api",
            "--port",
            "0",
            "--fail-rate",
            "0.25",
            "--fail-status",
            "429",
            "--slow",
            "1.5",
            "--truncate-rate",
            "0.1",
            "--data",
            "somewhere",
            "--drip",
            "0.5",
            "--huge-body",
            "2147483648",
            "--echo-credentials",
        ]
    )

    assert (args.port, args.fail_rate, args.fail_status, args.slow, args.truncate_rate) == (
        0,
        0.25,
        429,
        1.5,
        0.1,
    )
    assert (args.drip, args.huge_body, args.echo_credentials) == (0.5, 2**31, True)
    assert args.data == Path("somewhere") and args.api_key == DEMO_API_KEY and callable(args.func)
    with pytest.raises(SystemExit):
        parser.parse_args(["mock-api", "--fail-rate", "2"])


def test_cli_serves_until_interrupted():
    script = (
        "import argparse, sys; from ocx_reports.mockserver import add_parser; "
        "p = argparse.ArgumentParser(); add_parser(p.add_subparsers()); "
        "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, "mock-api", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", banner).group(0)
        assert f"ONE_CODEX_API_BASE={url}" in process.stdout.readline()
        assert DEMO_API_KEY in process.stdout.readline()
        response = HTTP.get(url + "/api/v1/projects", headers={"Authorization": BASIC})
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert '"GET /api/v1/projects HTTP/1.1" 200' in stderr


def test_cli_errors_are_one_line_os_errors(tmp_path):
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())

    bad_data = parser.parse_args(["mock-api", "--port", "0", "--data", str(tmp_path)])
    with pytest.raises(FileNotFoundError, match=f"{tmp_path} is not a demo dataset directory"):
        bad_data.func(bad_data)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = parser.parse_args(["mock-api", "--port", str(port)])
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}: .*; choose another --port"):
            taken.func(taken)


# Demo dataset


@pytest.fixture(scope="module")
def dataset():
    return Dataset()


def test_demo_dataset_shape(dataset):
    objects = dataset.objects

    assert len(objects["projects"]) == 3
    assert len(objects["samples"]) == 30
    assert len(objects["metadata"]) == len(objects["classifications"]) == 30
    for resource, by_id in objects.items():
        for object_id, obj in by_id.items():
            assert ID.fullmatch(object_id) and obj["$uri"] == f"/api/v1/{resource}/{object_id}"
    for sample in objects["samples"].values():
        for link in [
            sample["metadata"],
            sample["project"],
            sample["primary_classification"],
            *sample["tags"],
        ]:
            resource, object_id = link["$ref"].split("/")[3:]
            assert object_id in objects[resource]
    assert all(len(tag["name"]) <= 30 for tag in objects["tags"].values())
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{3,15}", p["project_name"]) for p in objects["projects"].values())


def test_demo_metadata_is_realistic(dataset):
    metadata = list(dataset.objects["metadata"].values())

    assert {"Illumina NovaSeq 6000", "Oxford Nanopore MinION"} <= {m["platform"] for m in metadata}
    assert {"Stool", "Saliva", "Wastewater influent"} <= {m["sample_type"] for m in metadata}
    assert any(m["description"] is None for m in metadata) and any(
        m["date_sequenced"] is None for m in metadata
    )
    for m in metadata:
        assert m["external_sample_id"] is None or len(m["external_sample_id"]) <= 60
        assert m["location_lat"] is None or -90 <= m["location_lat"] <= 90
        assert m["location_lon"] is None or -180 <= m["location_lon"] <= 180
        assert all(v is None or isinstance(v, (str, int, float, bool)) for v in m["custom"].values())
    gut = [m["custom"] for m in metadata if m["sample_type"] == "Stool"]
    assert {"subject_age", "antibiotics_last_90d"} <= set(gut[0])
    assert any(c["antibiotics_last_90d"] for c in gut) and not all(c["antibiotics_last_90d"] for c in gut)


def test_demo_results_are_consistent_trees(dataset):
    for classification_id in dataset.objects["classifications"]:
        table = dataset.results(classification_id)["table"]
        assert 150 <= len(table) <= 300
        by_id = {row["tax_id"]: row for row in table}
        children = {}
        for row in table:
            assert row["parent_tax_id"] is None or row["parent_tax_id"] in by_id
            children.setdefault(row["parent_tax_id"], []).append(row)
        for row in table:
            below = sum(child["readcount_w_children"] for child in children.get(row["tax_id"], []))
            assert row["readcount_w_children"] == row["readcount"] + below
            assert row["filtered_readcount_w_children"] <= row["readcount_w_children"]
        species = [
            row["abundance"] for row in table if row["rank"] == "species" and row["abundance"] is not None
        ]
        assert sum(species) == pytest.approx(1, abs=1e-4)
        assert all(row["abundance"] is None for row in table if row["rank"] != "species")


def test_demo_compositions_differ_by_sample_type(dataset):
    def top_genus(sample):
        cls_id = sample["primary_classification"]["$ref"][-16:]
        genera = [row for row in dataset.results(cls_id)["table"] if row["rank"] == "genus"]
        return max(genera, key=lambda row: row["readcount_w_children"])["name"]

    metadata = {m["sample"]["$ref"]: m for m in dataset.objects["metadata"].values()}
    top = {}
    for sample in dataset.objects["samples"].values():
        top.setdefault(metadata[sample["$uri"]]["sample_type"], set()).add(top_genus(sample))

    assert top["Saliva"] & {
        "Streptococcus",
        "Veillonella",
        "Prevotella",
        "Neisseria",
        "Rothia",
        "Haemophilus",
        "Fusobacterium",
    }
    assert "Cutibacterium" in top["Surface swab"] or "Micrococcus" in top["Surface swab"]
    assert not top["Saliva"] & top["Wastewater influent"]


def test_demo_data_regenerates_identically(tmp_path):
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_demo_data.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )

    comparison = filecmp.dircmp(DEMO_DATA, tmp_path, ignore=["__init__.py", "__pycache__"])
    results = filecmp.dircmp(DEMO_DATA / "results", tmp_path / "results")
    assert comparison.left_only == comparison.right_only == comparison.diff_files == []
    assert results.left_only == results.right_only == results.diff_files == []
    assert len(results.same_files) == 30
    _, mismatch, errors = filecmp.cmpfiles(DEMO_DATA, tmp_path, comparison.common_files, shallow=False)
    assert mismatch == errors == []


def test_demo_data_is_small():
    size = sum(path.stat().st_size for path in DEMO_DATA.rglob("*.json"))

    assert size < 2_000_000
