"""The One Codex client against the real local API server over HTTP."""

import base64
import contextlib
import gzip
import json
import logging
import re
import socket
import subprocess
import sys
import threading
import time
import traceback
from datetime import date, datetime
from urllib.parse import quote, quote_plus

import httpx
import pytest

from ocx_reports.api import (
    Api,
    ApiConnectionError,
    AuthenticationError,
    BadRequestError,
    DeadlineExceededError,
    InvalidResponseError,
    NotFoundError,
    OneCodexError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    redact,
)
from ocx_reports.api.credentials import DEFAULT_BASE_URL, resolve_base_url, resolve_credentials
from ocx_reports.api.resources import MODELS, parse_timestamp
from ocx_reports.mockserver import DEMO_API_KEY, MockServer

pytestmark = pytest.mark.usefixtures("isolated_credentials")

GUT_PROJECT = "96d911f909956c1c"
SECRET = "SECRET-KEY-must-never-leak-0042"  # 32 characters, like a real key


def make_api(server, **options):
    options = {"api_key": DEMO_API_KEY, "base_url": server.url, "backoff_factor": 0.001, **options}
    return Api(**options)


def paths(server, prefix):
    return [request for request in server.requests if request.path.startswith(prefix)]


@pytest.fixture
def api(mock_api):
    with make_api(mock_api) as client:
        yield client


# Listing and paging


def test_where_without_filters_follows_every_page(mock_api):
    samples = make_api(mock_api, per_page=4).Samples.where()

    assert len(samples) == 30
    assert len({sample.id for sample in samples}) == 30
    pages = [int(request.query["page"]) for request in paths(mock_api, "/api/v1/samples")]
    assert pages == list(range(1, 9))  # 30 samples, 4 per page
    assert {request.query["per_page"] for request in mock_api.requests} == {"4"}


def test_where_limit_stops_fetching_pages(mock_api):
    samples = make_api(mock_api, per_page=2).Samples.where(limit=5)

    assert len(samples) == 5
    assert len(mock_api.requests) == 3


def test_project_filter_takes_an_object_or_an_id(api, mock_api):
    project = api.Projects.get(GUT_PROJECT)
    by_object = api.Samples.where(project=project)
    by_id = api.Samples.where(project=GUT_PROJECT)

    assert len(by_object) == 16
    assert by_object == by_id
    where = json.loads(paths(mock_api, "/api/v1/samples")[0].query["where"])
    assert where == {"project": {"$ref": f"/api/v1/projects/{GUT_PROJECT}"}}


def test_tags_filter_needs_every_tag(api):
    (ibd,) = api.Tags.where(name="IBD")
    (week12,) = api.Tags.where(name="week-12")

    samples = api.Samples.where(tags=[ibd, week12.id])

    assert len(samples) == 3  # S02, S04 and S05 at week 12
    for sample in samples:
        assert {"IBD", "week-12"} <= {tag.name for tag in sample.tags}
    assert len(api.Samples.where(tags=[ibd])) > len(samples)


def test_other_filters_pass_through_to_the_server(api):
    samples = api.Samples.where(filename={"$icontains": "barcode"})

    assert len(samples) == 2  # the two MinION runs
    assert all("barcode" in sample.filename for sample in samples)


# Objects and references


def test_objects_expose_id_fields_and_a_readable_repr(api):
    sample = api.Samples.where(limit=1)[0]

    assert len(sample.id) == 16 and int(sample.id, 16) >= 0
    assert sample.status == "available"
    assert repr(sample) == f'<Samples {sample.id} "{sample.filename}">'
    assert "filename" in dir(sample)
    with pytest.raises(AttributeError, match="no field 'nonexistent'"):
        _ = sample.nonexistent


def test_references_resolve_lazily_one_request_per_kind(api, mock_api):
    samples = api.Samples.where(project=GUT_PROJECT)
    mock_api.reset()

    names = [sample.metadata.name for sample in samples]
    tags = [tag.name for sample in samples for tag in sample.tags]
    projects = {sample.project.name for sample in samples}

    assert len(names) == 16 and all(names)
    assert "baseline" in tags
    assert projects == {"Gut Microbiome Cohort Study"}
    assert [request.path for request in mock_api.requests] == [
        "/api/v1/metadata",
        "/api/v1/tags",
        "/api/v1/projects",
    ]
    where = json.loads(mock_api.requests[0].query["where"])
    assert len(where["$uri"]["$in"]) == 16


def test_resolved_objects_are_cached_per_api(api, mock_api):
    sample = api.Samples.where(limit=1)[0]
    metadata = sample.metadata
    mock_api.reset()

    assert sample.metadata is metadata
    assert api.Metadata.get(metadata.id) is metadata
    assert api.Samples.get(sample.id) is sample
    assert mock_api.requests == []
    other = make_api(mock_api)
    assert other.Samples.get(sample.id) is not sample
    assert len(mock_api.requests) == 1


def test_timestamps_become_datetimes_and_nulls_stay_none(api):
    sample = api.Samples.where(project=GUT_PROJECT, limit=1)[0]

    assert isinstance(sample.created_at, datetime) and sample.created_at.tzinfo is not None
    assert sample.metadata.date_collected.isoformat() == "2024-02-05T08:30:00-05:00"
    assert sample.metadata.description is None
    assert parse_timestamp("2024-03-01") == date(2024, 3, 1)
    assert parse_timestamp("2025-09-25T17:27:19.596555-07:00").utcoffset().total_seconds() == -7 * 3600
    assert parse_timestamp("not a date") == "not a date"


def test_classification_results_and_table(api):
    sample = api.Samples.where(limit=1)[0]
    classification = api.Classifications.get(sample.primary_classification.id)

    results = classification.results()
    table = classification.table()

    assert classification.sample == sample
    assert set(results) == {"n_reads", "host_tax_ids", "table"}
    assert list(table.columns) == list(results["table"][0])
    assert len(table) == len(results["table"])


def test_table_names_pandas_when_it_is_missing(api, monkeypatch):
    classification = api.Samples.where(limit=1)[0].primary_classification
    monkeypatch.setitem(__import__("sys").modules, "pandas", None)

    with pytest.raises(ImportError, match="pip install pandas"):
        classification.table()


# Errors


def test_unknown_id_names_the_resource_and_id(api, mock_api):
    with pytest.raises(NotFoundError) as caught:
        api.Samples.get("ffffffffffffffff")

    assert str(caught.value) == "sample ffffffffffffffff not found"
    assert (caught.value.resource, caught.value.resource_id) == ("sample", "ffffffffffffffff")
    assert len(mock_api.requests) == 1  # a 404 is not retried


def test_malformed_id_fails_without_a_request(api, mock_api):
    with pytest.raises(NotFoundError, match="project 'gut cohort' not found: One Codex IDs are 16"):
        api.Projects.get("gut cohort")
    with pytest.raises(NotFoundError, match="tag 'IBD' not found"):
        api.Samples.where(tags=["IBD"])
    assert mock_api.requests == []


def test_rejected_key_says_how_to_fix_it(mock_api):
    api = make_api(mock_api, api_key="0" * 32)

    with pytest.raises(AuthenticationError) as caught:
        api.Samples.where()

    message = str(caught.value)
    assert "HTTP 401" in message and "ONE_CODEX_API_KEY" in message and mock_api.url in message
    assert len(mock_api.requests) == 1


def test_missing_credentials_fail_before_any_request():
    with pytest.raises(
        AuthenticationError, match="no One Codex credentials: pass api_key=.*ONE_CODEX_API_KEY"
    ):
        Api(base_url="http://127.0.0.1:9")


def test_invalid_query_is_a_bad_request_and_not_retried(api, mock_api):
    with pytest.raises(BadRequestError, match="HTTP 400: Invalid query: unknown field colour"):
        api.Samples.where(colour="blue")
    assert len(mock_api.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_then_succeed(mock_api, status):
    mock_api.fail_next(status, times=2)

    samples = make_api(mock_api, retries=2).Samples.where(limit=3)

    assert len(samples) == 3
    assert len(mock_api.requests) == 3


def test_persistent_server_error_raises_after_bounded_retries(mock_api):
    mock_api.fail_next(500, times=10)

    with pytest.raises(ServerError, match=r"failed GET /api/v1/samples with HTTP 500 after 3 attempts"):
        make_api(mock_api, retries=2).Samples.where()
    assert len(mock_api.requests) == 3


def test_rate_limit_is_retried_after_the_servers_delay(mock_api):
    mock_api.fail_next(429, times=1, retry_after=0.3)
    api = make_api(mock_api, backoff_factor=0)

    started = time.monotonic()
    samples = api.Samples.where(limit=2)

    assert len(samples) == 2 and len(mock_api.requests) == 2
    assert time.monotonic() - started >= 0.3


def test_persistent_rate_limit_raises(mock_api):
    mock_api.fail_next(429, times=3, retry_after=0)

    with pytest.raises(RateLimitError, match="HTTP 429"):
        make_api(mock_api, retries=2).Samples.where()


def test_slow_server_times_out_with_the_address_and_attempts(mock_api):
    mock_api.slow_seconds = 1.0
    api = make_api(mock_api, timeout=0.1, retries=1, deadline=5)

    started = time.monotonic()
    with pytest.raises(ApiConnectionError) as caught:
        api.Samples.get("ffffffffffffffff")

    assert str(caught.value) == f"could not reach {mock_api.url} after 2 attempts: timed out"
    assert time.monotonic() - started < 0.9  # gave up on its own timeout, not the server's delay
    assert len(mock_api.requests) == 2


def test_unreachable_server_is_a_connection_error():
    with MockServer() as server:
        url = server.url
    api = Api(api_key=DEMO_API_KEY, base_url=url, retries=1, backoff_factor=0.001)

    with pytest.raises(ApiConnectionError, match=f"could not reach {url} after 2 attempts"):
        api.Projects.where()


def test_truncated_body_is_retried(mock_api):
    mock_api.truncate_next(times=1)

    assert len(make_api(mock_api).Samples.where(limit=5)) == 5
    assert len(mock_api.requests) == 2


def test_body_truncated_on_every_attempt_is_an_invalid_response(mock_api):
    mock_api.truncate_next(times=2)

    with pytest.raises(
        InvalidResponseError, match="incomplete response to GET /api/v1/samples .* after 2 attempts"
    ):
        make_api(mock_api, retries=1).Samples.where()


def test_non_json_body_is_an_invalid_response():
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, text="<html>maintenance</html>", headers={"Content-Type": "text/html"}
        )
    )
    api = Api(api_key=DEMO_API_KEY, base_url="https://ocx.invalid", transport=transport)

    with pytest.raises(InvalidResponseError, match=r"returned a body that is not JSON \(text/html\)"):
        api.Samples.get("ffffffffffffffff")


def test_base_url_without_a_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("ONE_CODEX_API_BASE", "localhost:8765")

    with pytest.raises(ApiConnectionError, match="must start with https:// or http://"):
        Api(api_key=DEMO_API_KEY)


def test_all_errors_share_one_base_class():
    for error in (
        AuthenticationError,
        NotFoundError,
        BadRequestError,
        RateLimitError,
        ServerError,
        InvalidResponseError,
        ApiConnectionError,
    ):
        assert issubclass(error, OneCodexError)


# Credentials


def test_key_never_appears_in_errors_reprs_or_logs(caplog):
    caplog.set_level(logging.DEBUG)
    basic = base64.b64encode(f"{SECRET}:".encode()).decode()
    leaks = []

    def check(text):
        if SECRET in text or basic in text:
            leaks.append(text)

    def check_error(call):
        try:
            call()
        except OneCodexError as exc:
            assert exc.__cause__ is None and exc.__context__ is None
            check("".join(traceback.format_exception(exc)) + repr(exc) + repr(vars(exc)))
        else:
            pytest.fail("expected an error")

    with MockServer(api_key=SECRET) as server:
        api = Api(api_key=SECRET, base_url=server.url, timeout=0.2, retries=1, backoff_factor=0.001)
        sample = api.Samples.where(limit=1)[0]
        check(repr(api) + repr(sample) + repr(sample.metadata) + repr(api.Samples))
        check_error(lambda: api.Samples.get("ffffffffffffffff"))
        server.fail_next(500, times=2)
        check_error(lambda: api.Tags.where())
        server.truncate_next(times=2)
        check_error(lambda: api.Projects.where())
        server.slow_seconds = 0.3
        check_error(lambda: api.Jobs.where())
        server.slow_seconds = 0
    with MockServer(api_key=DEMO_API_KEY) as server:
        check_error(lambda: Api(api_key=SECRET, base_url=server.url).Samples.where())
        check_error(lambda: Api(bearer_token=SECRET, base_url=server.url).Samples.where())
    check_error(lambda: Api(api_key=SECRET, base_url=server.url, retries=0).Samples.where())
    check(caplog.text)

    assert "GET /api/v1/samples" in caplog.text  # the debug log was on and captured
    assert leaks == []


def test_explicit_key_beats_the_credentials_file_and_the_environment(isolated_credentials, monkeypatch):
    (isolated_credentials / ".onecodex").write_text(json.dumps({"api_key": "from-file"}))
    monkeypatch.setenv("ONE_CODEX_API_KEY", "from-env")

    assert resolve_credentials(api_key="explicit").api_key == "explicit"
    assert resolve_credentials(bearer_token="token").bearer_token == "token"
    assert resolve_credentials().api_key == "from-file"


def test_environment_is_used_when_the_file_has_no_key(isolated_credentials, monkeypatch):
    monkeypatch.setenv("ONE_CODEX_API_KEY", "from-env")
    assert resolve_credentials().api_key == "from-env"

    (isolated_credentials / ".onecodex").write_text(json.dumps({"email": "me@example.org"}))
    assert resolve_credentials().api_key == "from-env"

    monkeypatch.delenv("ONE_CODEX_API_KEY")
    monkeypatch.setenv("ONE_CODEX_BEARER_TOKEN", "token")
    assert resolve_credentials().bearer_token == "token"


def test_unreadable_credentials_file_is_skipped_with_a_warning(isolated_credentials, monkeypatch, caplog):
    (isolated_credentials / ".onecodex").write_text("{not json")
    monkeypatch.setenv("ONE_CODEX_API_KEY", "from-env")

    assert resolve_credentials().api_key == "from-env"
    assert ".onecodex" in caplog.text


def test_both_kinds_of_explicit_credentials_is_an_error():
    with pytest.raises(ValueError, match="not both"):
        resolve_credentials(api_key="key", bearer_token="token")


def test_base_url_argument_then_environment_then_default(monkeypatch):
    assert resolve_base_url() == DEFAULT_BASE_URL == "https://app.onecodex.com"
    monkeypatch.setenv("ONE_CODEX_API_BASE", "http://127.0.0.1:8765/")
    assert resolve_base_url() == "http://127.0.0.1:8765"
    assert resolve_base_url("https://eu.example.org") == "https://eu.example.org"


def test_api_reads_key_file_and_base_from_the_environment(isolated_credentials, monkeypatch, mock_api):
    (isolated_credentials / ".onecodex").write_text(json.dumps({"api_key": DEMO_API_KEY}))
    monkeypatch.setenv("ONE_CODEX_API_BASE", mock_api.url)

    assert Api().Projects.get(GUT_PROJECT).name == "Gut Microbiome Cohort Study"


def test_bearer_token_authenticates(mock_api):
    api = Api(bearer_token=DEMO_API_KEY, base_url=mock_api.url)

    assert api.Projects.get(GUT_PROJECT).project_name == "gut-cohort-24"
    assert "bearer token" in repr(api)
    with pytest.raises(AuthenticationError, match="rejected the bearer token"):
        Api(bearer_token="wrong", base_url=mock_api.url).Projects.get(GUT_PROJECT)


# Limits: a deadline per request and a cap on the body (hostile or broken servers)


def test_drip_fed_body_is_cut_off_at_the_deadline(mock_api):
    mock_api.drip_seconds = 0.05  # a byte every 50 ms: no read ever times out
    api = make_api(mock_api, timeout=2)

    started = time.monotonic()
    with pytest.raises(DeadlineExceededError) as caught:
        api.Samples.where()
    elapsed = time.monotonic() - started

    assert 7.9 < elapsed < 9.5  # the default deadline: (retries + 1) * timeout = 8 s
    message = str(caught.value)
    assert message == (
        f"GET /api/v1/samples on {mock_api.url} did not finish within its 8 s deadline (1 attempt): "
        "the server is stalled or too slow; try again later, or pass a longer deadline= to Api()"
    )
    assert isinstance(caught.value, ApiConnectionError)


def test_deadline_bounds_all_attempts_and_the_waits_between_them(mock_api):
    mock_api.slow_seconds = 0.5  # each attempt times out after 0.3 s
    api = make_api(mock_api, timeout=0.3, retries=10, deadline=1.0)

    started = time.monotonic()
    with pytest.raises(DeadlineExceededError, match=r"within its 1 s deadline \([34] attempts(; last: timed out)?\)"):
        api.Projects.where()

    assert time.monotonic() - started < 1.3
    assert 3 <= len(mock_api.requests) <= 4


def test_no_retry_is_waited_for_past_the_deadline(mock_api):
    mock_api.fail_next(503, times=5, retry_after=20)
    api = make_api(mock_api, deadline=2)

    started = time.monotonic()
    with pytest.raises(ServerError, match="HTTP 503 after 1 attempt: Injected"):
        api.Projects.where()

    assert time.monotonic() - started < 1
    assert len(mock_api.requests) == 1


EMPTY_LISTING = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Total-Count: 0\r\n\r\n[]"
DRIPPED_HEADERS = b"HTTP/1.1 200 OK\r\nX-Padding: %s\r\nContent-Length: 2\r\n\r\n[]" % (b"." * 1000)


class DripHeadersServer:
    """A raw HTTP server: answers its first request on a connection, then drips the next answers' headers.

    `with DripHeadersServer(good_first=...) as url:`; it stops dripping after 20 s whatever happens.
    """

    def __init__(self, good_first):
        self.good_first = good_first
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.stop = threading.Event()

    def __enter__(self):
        threading.Thread(target=self.serve, daemon=True).start()
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def __exit__(self, *exc_info):
        self.stop.set()
        self.listener.close()

    def serve(self):
        with contextlib.suppress(OSError):
            connection, _ = self.listener.accept()
            with connection:
                served = 0
                while not self.stop.is_set():
                    request = b""
                    while b"\r\n\r\n" not in request:
                        request += connection.recv(65536) or b"\r\n\r\n"
                    served += 1
                    if served == 1 and self.good_first:
                        connection.sendall(EMPTY_LISTING)
                        continue
                    deadline = time.monotonic() + 20
                    for byte in DRIPPED_HEADERS:
                        if self.stop.is_set() or time.monotonic() > deadline:
                            return
                        connection.sendall(bytes([byte]))
                        time.sleep(0.05)


@pytest.mark.parametrize("reused", [False, True], ids=["new connection", "reused connection"])
def test_drip_fed_headers_are_cut_off_at_the_deadline(reused):
    with DripHeadersServer(good_first=reused) as url:
        api = Api(api_key=SECRET, base_url=url, timeout=1, deadline=1.5)
        if reused:
            assert api.Tags.where() == []

        started = time.monotonic()
        with pytest.raises(DeadlineExceededError, match="GET /api/v1/projects .* within its 1.5 s deadline"):
            api.Projects.where()

        assert time.monotonic() - started < 2


def test_huge_streamed_body_is_refused_at_the_cap_in_bounded_memory(mock_api):
    """A client in its own process, so its peak memory is its own: 512 MiB sent, 64 MiB the cap."""
    mock_api.huge_bytes = 512 * 2**20
    script = (
        "import resource, sys, time\n"
        "from ocx_reports.api import Api, OneCodexError\n"
        "started = time.monotonic()\n"
        "try:\n"
        f"    Api(api_key={DEMO_API_KEY!r}, base_url={mock_api.url!r}).Samples.where()\n"
        "except OneCodexError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, time.monotonic() - started)\n"
    )
    imported = (
        "import resource, ocx_reports.api; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"
    )
    baseline = subprocess.run([sys.executable, "-c", imported], capture_output=True, text=True, check=True)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)

    error, usage = run.stdout.splitlines()
    peak_mib, seconds = int(usage.split()[0]), float(usage.split()[1])
    assert error == (
        f"ResponseTooLargeError GET /api/v1/samples on {mock_api.url} sent a body over the 64 MiB limit: "
        "if such a response is expected, pass a larger max_response_bytes= to Api()"
    )
    assert peak_mib - int(baseline.stdout) < 64 + 80  # the cap, plus at most one chunk and its copies
    assert seconds < 30
    assert len(mock_api.requests) == 1  # a body over the cap is not retried


def test_max_response_bytes_is_configurable(mock_api):
    mock_api.huge_bytes = 3 * 2**20

    with pytest.raises(ResponseTooLargeError, match="over the 1 MiB limit"):
        make_api(mock_api, max_response_bytes=2**20).Tags.where()
    assert len(make_api(mock_api, max_response_bytes=4 * 2**20).Tags.where()) > 0


def transport_api(handler, api_key=SECRET, **options):
    """An `Api` whose requests `handler(request) -> httpx.Response` answers in memory."""
    options = {"backoff_factor": 0.001, **options}
    transport = httpx.MockTransport(handler)
    return Api(api_key=api_key, base_url="https://ocx.invalid", transport=transport, **options)


def test_declared_length_over_the_cap_is_refused_before_reading():
    def body():
        pytest.fail("the body was read")
        yield b""

    declared = {"Content-Length": str(2**31)}
    api = transport_api(lambda request: httpx.Response(200, headers=declared, content=body()))

    with pytest.raises(ResponseTooLargeError, match=r"the 64 MiB limit \(it declared 2147483648 bytes\)"):
        api.Samples.where()


def test_cap_counts_the_decompressed_body():
    bomb = gzip.compress(b" " * 8 * 2**20)  # 8 KiB that inflate to 8 MiB
    api = transport_api(
        lambda request: httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=iter([bomb])),
        max_response_bytes=2**20,
    )

    assert len(bomb) < 2**20
    with pytest.raises(ResponseTooLargeError, match="over the 1 MiB limit"):
        api.Samples.where()


def test_content_codings_without_an_output_limit_are_refused():
    seen = []

    def handler(request):
        seen.append(request.headers["Accept-Encoding"])
        return httpx.Response(200, headers={"Content-Encoding": "br"}, content=iter([b"\x0b\x00\x80[]\x03"]))

    with pytest.raises(InvalidResponseError, match="in the 'br' content coding, which was not asked for"):
        transport_api(handler).Samples.where()
    assert seen == ["gzip, deflate"]


def test_deeply_nested_json_is_an_invalid_response():
    deep = b"[" * 100_000 + b"]" * 100_000
    api = transport_api(lambda request: httpx.Response(200, content=deep))

    with pytest.raises(InvalidResponseError, match="GET /api/v1/samples returned JSON nested too deeply"):
        api.Samples.where()


@pytest.mark.parametrize(
    "option, value",
    [
        ("timeout", 0),
        ("timeout", None),
        ("deadline", -1),
        ("deadline", float("inf")),
        ("max_response_bytes", "1"),
    ],
)
def test_limits_must_be_positive_numbers(option, value):
    with pytest.raises(ValueError, match=rf"Api\({option}=\.\.\.\) must be a positive number"):
        Api(api_key=SECRET, base_url="https://ocx.invalid", **{option: value})


# Credentials in every form a server may echo them in


ODD_SECRET = "s3cr3t/key+with=odd chars:0042!"  # characters that base64, URL and hex encode differently


def echoed_forms(secret):
    """The forms in which a server, a proxy or a debug dump may echo a credential back."""
    raw = secret.encode()
    b64 = base64.b64encode
    return {
        "exact": secret,
        "basic header": "Basic " + b64(raw + b":").decode(),
        "base64 of the key": b64(raw).decode(),
        "unpadded": b64(raw + b":").decode().rstrip("="),
        "url-safe": base64.urlsafe_b64encode(raw + b":").decode(),
        "password form": b64(b":" + raw).decode(),
        "inside longer base64": b64(b'{"authorization": "' + raw + b'", "user": 7}').decode(),
        "url-encoded": quote(secret, safe=""),
        "url-encoded, lower case": quote(secret, safe="").lower(),
        "form-encoded": quote_plus(secret),
        "hex": raw.hex(),
        "HEX": raw.hex().upper(),
    }


def leaked(text, secret):
    return [name for name, form in echoed_forms(secret).items() if form in text]


@pytest.mark.parametrize("form", list(echoed_forms(ODD_SECRET)))
@pytest.mark.parametrize("status", [400, 500])
def test_credentials_echoed_in_any_form_are_scrubbed_from_errors(form, status):
    echoed = echoed_forms(ODD_SECRET)[form]
    body = {"message": f"bad auth {echoed} here"}
    api = transport_api(lambda request: httpx.Response(status, json=body), api_key=ODD_SECRET)

    with pytest.raises(OneCodexError) as caught:
        api.Samples.where()

    message = str(caught.value)
    assert "***" in message and message.endswith(" here"), message
    assert leaked(message, ODD_SECRET) == []


@pytest.mark.parametrize("kind", ["api_key", "bearer_token"])
def test_a_server_echoing_the_authorization_header_leaks_nothing(kind, caplog):
    caplog.set_level(logging.DEBUG)
    with MockServer(api_key=SECRET, echo_credentials=True) as server:
        api = Api(**{kind: SECRET}, base_url=server.url, backoff_factor=0.001)
        server.fail_next(500, times=4)
        with pytest.raises(ServerError) as server_error:
            api.Samples.where()
        with pytest.raises(BadRequestError) as bad_request:
            api.Samples.where(colour="blue")

    scheme = "Basic" if kind == "api_key" else "Bearer"
    assert server_error.value.args[0].endswith(f"(request had Authorization: {scheme} ***)")
    assert f"unknown field colour (request had Authorization: {scheme} ***)" in str(bad_request.value)
    for text in (str(server_error.value), str(bad_request.value), caplog.text):
        assert leaked(text, SECRET) == []


def test_the_build_runner_scrubs_every_form():
    from ocx_reports.build.runner import _scrub

    message = "failed: " + " | ".join(echoed_forms(ODD_SECRET).values())

    scrubbed = _scrub(message, (ODD_SECRET, None))

    assert leaked(scrubbed, ODD_SECRET) == []
    assert scrubbed.startswith("failed: *** | Basic *** | ***")


def test_redact_leaves_other_text_alone():
    text = "GET /api/v1/samples failed: HTTP 500, Basic realm=One Codex, c2FtcGxlcw== 73616d706c6573"

    assert redact(text, [SECRET, None, ""]) == text
    assert redact(text, []) == text


# Untrusted responses: malformed objects and links are one-line errors naming the object and field


class FakeApi:
    """The mock API's routes and data, answered in memory (no socket) for fast fuzzing."""

    def __init__(self):
        self.server = MockServer()

    def handle(self, request):
        status, body, headers = self.server.respond(
            request.headers.get("Authorization"), request.url.path, dict(request.url.params)
        )
        return httpx.Response(status, json=body, headers=headers)

    def api(self):
        return transport_api(self.handle, api_key=DEMO_API_KEY)


WEIRD_VALUES = [
    None,
    0,
    -1,
    1.5,
    True,
    "",
    "x" * 5000,
    "two\nlines",
    [],
    [1, "a"],
    {},
    {"nested": {"object": 1}},
    {"$ref": 5},
    {"$ref": None},
    {"$ref": ["/api/v1/metadata/0123456789abcdef"]},
    {"$ref": "/api/v1/metadata/../0123456789abcdef"},
    {"$ref": "/api/v1/metadata/.."},
    {"$ref": "/api/v1/metadata/0123456789abcdef?x=1"},
    {"$ref": "/api/v1/metadata/0123456789abcdef#x"},
    {"$ref": "/api/v1/metadata/01234567 9abcdef"},
    {"$ref": "/api/v1/metadata/"},
    {"$ref": "https://elsewhere.invalid/api/v1/metadata/0123456789abcdef"},
    {"$ref": "/api/v1/widgets/0123456789abcdef"},
    {"$ref": "/api/v1/projects/96d911f909956c1c"},
    {"$ref": "/api/v1/tags/ffffffffffffffff"},
    [{"$ref": 5}],
    [{"$ref": "/api/v1/tags/52d5ddba53faa721"}, 5],
    [{"$ref": "/api/v1/tags/ffffffffffffffff"}],
]


def report_data(api, sample_id):
    """What a report and a build read from the API for one sample, as plain data."""
    from ocx_reports.build.runner import analyses
    from ocx_reports.context import fetch_report_context

    context = fetch_report_context(api, samples=[sample_id])
    return json.dumps({"context": context, "analyses": analyses(api, context)})


def linked_objects(fake, sample):
    """(kind, object) for a sample and each object a report follows from it."""
    found = [("samples", sample)]
    for field in ("metadata", "project", "primary_classification"):
        kind, object_id = sample[field]["$ref"].split("/")[3:]
        found.append((kind, fake.server.dataset.objects[kind][object_id]))
    kind, object_id = sample["tags"][0]["$ref"].split("/")[3:]
    return found + [(kind, fake.server.dataset.objects[kind][object_id])]


def test_malformed_fields_and_links_never_escape_as_other_errors():
    fake = FakeApi()
    sample = next(s for s in fake.server.dataset.objects["samples"].values() if s["tags"])
    sample_id = sample["$uri"][-16:]
    report_data(fake.api(), sample_id)  # the unchanged data makes a report
    outcomes = {"ok": 0, "malformed": 0, "not found": 0}
    for kind, obj in linked_objects(fake, sample):
        for field in [name for name in obj if name != "$uri"]:
            original = obj[field]
            for value in WEIRD_VALUES:
                obj[field] = value
                try:
                    report_data(fake.api(), sample_id)
                    outcomes["ok"] += 1
                except NotFoundError:
                    outcomes["not found"] += 1
                except OneCodexError as exc:
                    message = str(exc)
                    singular = MODELS[kind].singular
                    assert message.startswith(f"{singular} {obj['$uri'][-16:]}: field {field!r} "), message
                    assert "\n" not in message and len(message) < 400, message
                    assert message.endswith("sent malformed data: check that it is a One Codex API")
                    outcomes["malformed"] += 1
                finally:
                    obj[field] = original
    assert outcomes["ok"] > 100 and outcomes["malformed"] > 100 and outcomes["not found"] > 0, outcomes


@pytest.mark.parametrize(
    "field, value, why",
    [
        ("metadata", {"$ref": 5}, "is a link whose '$ref' is 5, not an object address"),
        ("metadata", {"$ref": "/api/v1/metadata/../x"}, "not an object address like /api/v1/<kind>/<id>"),
        ("metadata", {"$ref": "/api/v1/metadata/a?b"}, "whose ID is not a plain ID"),
        ("metadata", {"$ref": "/api/v1/metadata/.."}, "whose ID is not a plain ID"),
        ("metadata", {"$ref": "/api/v1/widgets/0123456789abcdef"}, "a kind of object this client does not"),
        ("metadata", {"$ref": "/api/v1/projects/96d911f909956c1c"}, "a project, where a metadata belongs"),
        ("metadata", "9a83a0a2a8a3b09a", "is '9a83a0a2a8a3b09a', not a link to a metadata"),
        ("tags", {"$ref": "/api/v1/tags/52d5ddba53faa721"}, "not a list of links"),
        ("filename", 42, "is 42, not a string"),
        ("size", "big", "is 'big', not an integer"),
        ("created_at", 20240101, "is 20240101, not a timestamp"),
    ],
)
def test_malformed_field_names_the_sample_and_field(field, value, why):
    fake = FakeApi()
    sample = next(iter(fake.server.dataset.objects["samples"].values()))
    sample[field] = value
    sample_id = sample["$uri"][-16:]

    with pytest.raises(InvalidResponseError) as caught:
        getattr(fake.api().Samples.get(sample_id), field)

    assert str(caught.value).startswith(f"sample {sample_id}: field {field!r} ")
    assert why in str(caught.value)


@pytest.mark.parametrize(
    "body, why",
    [
        ([5], "a listing of samples: a sample is 5, not an object"),
        ([{"filename": "x"}], "a sample's field '$uri' is None, not an object address"),
        ([{"$uri": ["/api/v1/samples/0123456789abcdef"]}], "field '$uri' is ['/api/v1/samples/0123"),
        ([{"$uri": "/api/v1/projects/0123456789abcdef"}], "a project, where a sample belongs"),
        ([{"$uri": "/api/v1/samples/0123456789abcdef/.."}], "not an object address"),
        ({"$uri": "/api/v1/samples/0123456789abcdef"}, "GET /api/v1/samples returned {'$uri':"),
    ],
)
def test_malformed_listing_rows_are_invalid_responses(body, why):
    api = transport_api(lambda request: httpx.Response(200, json=body))

    with pytest.raises(InvalidResponseError, match=re.escape(why)):
        api.Samples.where()


def test_an_object_other_than_the_one_asked_for_is_refused():
    other = {"$uri": "/api/v1/samples/0123456789abcdef", "filename": "other"}
    api = transport_api(lambda request: httpx.Response(200, json=other))

    with pytest.raises(InvalidResponseError, match=r"GET /api/v1/samples/f{16}: field '\$uri' is "):
        api.Samples.get("ffffffffffffffff")


@pytest.mark.parametrize("results", [[], {"n_reads": 3}, {"table": {"tax_id": "1"}}, {"table": [1, 2]}])
def test_malformed_results_name_the_classification(results):
    uri = "/api/v1/classifications/0123456789abcdef"
    def handler(request):
        return httpx.Response(200, json=results if request.url.path.endswith("/results") else {"$uri": uri})

    api = transport_api(handler)

    with pytest.raises(InvalidResponseError, match="classification 0123456789abcdef: its results are "):
        api.Classifications.get("0123456789abcdef").results()


def test_a_key_planted_in_server_data_is_scrubbed_from_errors_and_reprs():
    key_id = SECRET.replace("-", "_")  # a plain ID as far as the format goes
    sample = {"$uri": "/api/v1/samples/0123456789abcdef", "filename": key_id, "metadata": {"$ref": 7}}
    def handler(request):
        return httpx.Response(200, json=[] if "where" in request.url.params else sample)

    api = transport_api(handler, api_key=key_id)
    sample["project"] = {"$ref": f"/api/v1/projects/{key_id}"}
    loaded = api.Samples.get("0123456789abcdef")

    with pytest.raises(NotFoundError) as not_found:
        _ = loaded.project

    assert key_id not in repr(loaded) and key_id not in str(not_found.value)
    assert str(not_found.value) == "project *** not found"
