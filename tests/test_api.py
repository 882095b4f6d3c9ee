"""The One Codex client against the real local API server over HTTP."""

import base64
import json
import logging
import time
import traceback
from datetime import date, datetime

import httpx
import pytest

from ocx_reports.api import (
    Api,
    ApiConnectionError,
    AuthenticationError,
    BadRequestError,
    InvalidResponseError,
    NotFoundError,
    OneCodexError,
    RateLimitError,
    ServerError,
)
from ocx_reports.api.credentials import DEFAULT_BASE_URL, resolve_base_url, resolve_credentials
from ocx_reports.api.resources import parse_timestamp
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
    api = make_api(mock_api, timeout=0.1, retries=1)

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
