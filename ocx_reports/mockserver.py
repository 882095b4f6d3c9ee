"""A local One Codex API over real HTTP, serving the bundled demo dataset.

Tests, `ocx-reports demo` and offline development talk to it exactly as to
app.onecodex.com: same routes, same auth, same JSON, same paging headers. It
implements the protocol subset the client uses (see `ocx_reports.api`):

    GET /api/v1/<resource>                 where=<json>, page, per_page; X-Total-Count
    GET /api/v1/<resource>/<id>            one object, 404 JSON with "message"
    GET /api/v1/classifications/<id>/results

and can inject the failures a real network has (HTTP 429/5xx, slow and
truncated responses) and those of a hostile or broken server (a body dripped
one byte at a time, a huge body, error messages that echo the credentials),
switchable at runtime from tests or by CLI flags.
"""

import argparse
import base64
import binascii
import hmac
import json
import logging
import random
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

# Fixed and public on purpose: it only opens the local demo server.
DEMO_API_KEY = "ocxdemo-not-a-real-key-000000000"
DEFAULT_PORT = 8765
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 200
FAULT_STATUSES = (429, 500, 502, 503, 504)
PADDING = b" " * 2**20  # a huge body is the JSON followed by this whitespace, sent as it goes

logger = logging.getLogger(__name__)


class Request(NamedTuple):
    """One request as the server saw it (the query with one value per name)."""

    method: str
    path: str
    query: dict


class BadQuery(ValueError):
    """A `where`/paging parameter the server rejects with HTTP 400."""


class Dataset:
    """API objects by resource and ID, read from a directory in the demo_data layout.

    `<resource>.json` holds a list of objects, each with a `$uri`;
    `results/<classification id>.json` holds a classification's results body
    (read on first request, as those are most of the data).
    """

    def __init__(self, root=None):
        self.root = files("ocx_reports.demo_data") if root is None else Path(root)
        if not self.root.joinpath("samples.json").is_file():
            raise FileNotFoundError(f"{self.root} is not a demo dataset directory: it has no samples.json")
        self.objects = {}
        for entry in sorted(self.root.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".json"):
                rows = json.loads(entry.read_text(encoding="utf-8"))
                self.objects[entry.name[: -len(".json")]] = {
                    row["$uri"].rsplit("/", 1)[1]: row for row in rows
                }
        self._results = {}
        self._lock = threading.Lock()

    def results(self, classification_id):
        """The results body for a classification, or None if there is none."""
        with self._lock:
            if classification_id not in self._results:
                path = self.root.joinpath("results", f"{classification_id}.json")
                self._results[classification_id] = (
                    json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
                )
            return self._results[classification_id]


def matches(obj, where):
    """Whether an object satisfies a Potion-style `where` (the operators the client sends)."""
    return all(_matches(obj.get(field), condition) for field, condition in where.items())


def _matches(value, condition):
    operators = isinstance(condition, dict) and condition and "$ref" not in condition
    if operators and all(key.startswith("$") for key in condition):
        return all(_operator(op, value, argument) for op, argument in condition.items())
    if isinstance(condition, list) and isinstance(value, list):  # tags=[refs]: contains all
        return all(item in value for item in condition)
    return value == condition


def _operator(op, value, argument):
    if op == "$in":
        return value in argument
    if op == "$containsall":
        return isinstance(value, list) and all(item in value for item in argument)
    if op in ("$icontains", "$istartswith", "$iendswith"):
        if not isinstance(value, str):
            return False
        text, part = value.lower(), str(argument).lower()
        return {
            "$icontains": part in text,
            "$istartswith": text.startswith(part),
            "$iendswith": text.endswith(part),
        }[op]
    if op in ("$gt", "$gte", "$lt", "$lte"):
        if value is None:
            return False
        try:
            return {
                "$gt": value > argument,
                "$gte": value >= argument,
                "$lt": value < argument,
                "$lte": value <= argument,
            }[op]
        except TypeError:
            raise BadQuery(f"cannot compare {value!r} with {argument!r}") from None
    raise BadQuery(f"unknown operator {op}")


class MockServer:
    """The local API server: `with MockServer() as server: Api(base_url=server.url, ...)`.

    Runs on 127.0.0.1 in a background thread. `requests` logs every request;
    `fail_next()`, `truncate_next()` and the attributes `slow_seconds`,
    `fail_rate`/`fail_status`/`retry_after` and `truncate_rate` inject faults,
    and may be changed while it serves. So may the hostile ones:

    - `drip_seconds`: send the headers, then the body one byte per this interval;
    - `huge_bytes`: pad every body with whitespace to this size, streamed in
      chunks with no Content-Length (the JSON stays valid);
    - `echo_credentials`: error messages quote the Authorization header received.
    """

    def __init__(
        self,
        data_dir=None,
        api_key=DEMO_API_KEY,
        *,
        bearer_token=None,
        port=0,
        slow_seconds=0.0,
        fail_rate=0.0,
        fail_status=503,
        retry_after=None,
        truncate_rate=0.0,
        drip_seconds=0.0,
        huge_bytes=0,
        echo_credentials=False,
        seed=0,
    ):
        self.dataset = Dataset(data_dir)
        self.api_key = api_key
        self.bearer_token = bearer_token or api_key
        self.port = port
        self.slow_seconds = slow_seconds
        self.fail_rate = fail_rate
        self.fail_status = fail_status
        self.retry_after = retry_after
        self.truncate_rate = truncate_rate
        self.drip_seconds = drip_seconds
        self.huge_bytes = huge_bytes
        self.echo_credentials = echo_credentials
        self.requests = []
        self._faults = deque()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._httpd = None
        self._thread = None

    @property
    def url(self):
        """The base URL to give the client (`base_url=` or `ONE_CODEX_API_BASE`)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self._httpd = _HTTPServer(("127.0.0.1", self.port), _Handler)
        self._httpd.mock = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            # A short poll keeps stop() (and so every test's teardown) quick.
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="ocx-mock-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join()
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def fail_next(self, status=503, times=1, retry_after=None):
        """Answer the next `times` requests with this HTTP error status (and `Retry-After`)."""
        if status not in FAULT_STATUSES:
            raise ValueError(f"status must be one of {FAULT_STATUSES}")
        with self._lock:
            self._faults.extend([(status, retry_after)] * times)

    def truncate_next(self, times=1):
        """Cut the body of the next `times` responses in half and drop the connection."""
        with self._lock:
            self._faults.extend([("truncate", None)] * times)

    def reset(self):
        """Forget logged requests and pending one-off faults."""
        with self._lock:
            self.requests.clear()
            self._faults.clear()

    def _record(self, method, path, query):
        """Log the request and pick the fault for it: (status or "truncate" or None, retry_after)."""
        with self._lock:
            self.requests.append(Request(method, path, query))
            if self._faults:
                return self._faults.popleft()
            if self.fail_rate and self._random.random() < self.fail_rate:
                return self.fail_status, self.retry_after
            if self.truncate_rate and self._random.random() < self.truncate_rate:
                return "truncate", None
            return None, None

    def respond(self, authorization, path, query):
        """(status, JSON body, extra headers) for a GET, without any injected fault."""
        if not self._authorized(authorization):
            return (
                401,
                {"message": "Unauthorized: missing or invalid API key"},
                {"WWW-Authenticate": 'Basic realm="One Codex"'},
            )
        parts = path.strip("/").split("/")
        if parts[:2] != ["api", "v1"] or len(parts) < 3 or parts[2] not in self.dataset.objects:
            return 404, {"message": f"Not found: {path}"}, {}
        objects = self.dataset.objects[parts[2]]
        if len(parts) == 3:
            try:
                return self._list(list(objects.values()), query)
            except BadQuery as exc:
                return 400, {"message": f"Invalid query: {exc}"}, {}
        resource, resource_id, rest = parts[2], parts[3], parts[4:]
        if resource_id in objects and not rest:
            return 200, objects[resource_id], {}
        if resource_id in objects and resource == "classifications" and rest == ["results"]:
            results = self.dataset.results(resource_id)
            if results is not None:
                return 200, results, {}
        return 404, {"message": f"Not found: {path}"}, {}

    def _list(self, objects, query):
        try:
            where = json.loads(query.get("where") or "{}")
            page = int(query.get("page", 1))
            per_page = min(MAX_PER_PAGE, int(query.get("per_page", DEFAULT_PER_PAGE)))
        except ValueError as exc:
            raise BadQuery(str(exc)) from None
        if not isinstance(where, dict) or page < 1 or per_page < 1:
            raise BadQuery("where must be a JSON object; page and per_page positive integers")
        known = {field for obj in objects for field in obj}
        unknown = sorted(set(where) - known)
        if unknown:
            raise BadQuery(f"unknown field {unknown[0]}")
        found = [obj for obj in objects if matches(obj, where)]
        start = (page - 1) * per_page
        return 200, found[start : start + per_page], {"X-Total-Count": str(len(found))}

    def _authorized(self, header):
        scheme, _, credentials = (header or "").partition(" ")
        if scheme.lower() == "bearer":
            return hmac.compare_digest(credentials.encode(), self.bearer_token.encode())
        if scheme.lower() == "basic":
            try:
                user = base64.b64decode(credentials, validate=True).decode().partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                return False
            return hmac.compare_digest(user.encode(), self.api_key.encode())
        return False


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that gave up (timeout, retry) is normal here; anything else is logged."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            logger.exception("mock API failed on a request from %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    server_version = "ocx-mock-api"
    timeout = 30  # drop idle keep-alive connections
    disable_nagle_algorithm = True  # headers and body go out in separate writes; don't wait 40 ms between

    def do_GET(self):
        mock = self.server.mock
        url = urlsplit(self.path)
        query = {name: values[-1] for name, values in parse_qs(url.query, keep_blank_values=True).items()}
        fault, retry_after = mock._record("GET", url.path, query)
        if mock.slow_seconds:
            time.sleep(mock.slow_seconds)
        authorization = self.headers.get("Authorization")
        if fault not in (None, "truncate"):
            headers = {"Retry-After": _seconds(retry_after)} if retry_after is not None else {}
            status, body = fault, {"message": f"Injected HTTP {fault}"}
        else:
            status, body, headers = mock.respond(authorization, url.path, query)
        if mock.echo_credentials and status >= 400:
            body = {**body, "message": f"{body['message']} (request had Authorization: {authorization})"}
        self._send_json(status, body, headers, truncate=fault == "truncate")

    def _not_allowed(self):
        self.server.mock._record(self.command, urlsplit(self.path).path, {})
        self.close_connection = True  # the request body, if any, is not read
        self._send_json(405, {"message": "The demo API is read-only"}, {"Allow": "GET"})

    do_POST = do_PUT = do_PATCH = do_DELETE = _not_allowed

    def _send_json(self, status, body, headers, truncate=False):
        mock = self.server.mock
        data = json.dumps(body, separators=(",", ":")).encode()
        huge = mock.huge_bytes > len(data)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header(*(("Transfer-Encoding", "chunked") if huge else ("Content-Length", str(len(data)))))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if huge:
            self._send_padded(data, mock.huge_bytes)
        elif mock.drip_seconds:
            for byte in data:
                self.wfile.write(bytes([byte]))
                time.sleep(mock.drip_seconds)
        else:
            self.wfile.write(data[: len(data) // 2] if truncate else data)
        if truncate:
            self.close_connection = True

    def _send_padded(self, data, size):
        """`data` then whitespace up to `size` bytes, in HTTP chunks, never holding more than 1 MiB."""
        sent = 0
        while sent < size:
            chunk = data if sent == 0 else PADDING[: size - sent]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, format, *args):
        logger.info("%s %s", self.address_string(), format % args)


def _seconds(value):
    return str(int(value)) if float(value).is_integer() else str(value)


def _fraction(text):
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def add_parser(subparsers):
    """Register `ocx-reports mock-api` on the CLI's subparsers; it runs `run(args)`."""
    parser = subparsers.add_parser(
        "mock-api",
        help="serve the demo dataset as a local One Codex API",
        description="Serve the bundled demo dataset (or --data DIR) as a One Codex API on 127.0.0.1, "
        "for offline work and tests. Point the client at it with ONE_CODEX_API_BASE and ONE_CODEX_API_KEY.",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on; 0 picks a free one (default {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--api-key", default=DEMO_API_KEY, help="the API key clients must send (default: the public demo key)"
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="serve this directory, in the layout of ocx_reports/demo_data",
    )
    faults = parser.add_argument_group("fault injection")
    faults.add_argument(
        "--fail-rate",
        type=_fraction,
        default=0.0,
        metavar="P",
        help="answer this fraction of requests with --fail-status",
    )
    faults.add_argument(
        "--fail-status",
        type=int,
        choices=FAULT_STATUSES,
        default=503,
        help="status for --fail-rate (default 503)",
    )
    faults.add_argument(
        "--retry-after", type=float, metavar="SECONDS", help="send Retry-After with injected failures"
    )
    faults.add_argument(
        "--slow", type=float, default=0.0, metavar="SECONDS", help="delay every response by this long"
    )
    faults.add_argument(
        "--truncate-rate",
        type=_fraction,
        default=0.0,
        metavar="P",
        help="cut off this fraction of response bodies",
    )
    faults.add_argument(
        "--drip",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="send every body one byte per this interval, after its headers",
    )
    faults.add_argument(
        "--huge-body",
        type=int,
        default=0,
        metavar="BYTES",
        help="pad every body with whitespace to this many bytes, streamed with no Content-Length",
    )
    faults.add_argument(
        "--echo-credentials",
        action="store_true",
        help="quote the request's Authorization header in error messages, as a careless server does",
    )
    faults.add_argument("--seed", type=int, default=0, help="seed for which requests fail (default 0)")
    parser.set_defaults(func=run)
    return parser


def run(args):
    """Serve until interrupted (exit status 0).

    A bad `--data` directory or a busy port raises an OSError whose message is
    the one line the CLI prints.
    """
    server = MockServer(
        args.data,
        args.api_key,
        port=args.port,
        slow_seconds=args.slow,
        fail_rate=args.fail_rate,
        fail_status=args.fail_status,
        retry_after=args.retry_after,
        truncate_rate=args.truncate_rate,
        drip_seconds=args.drip,
        huge_bytes=args.huge_body,
        echo_credentials=args.echo_credentials,
        seed=args.seed,
    )
    try:
        server.start()
    except OSError as exc:
        raise OSError(
            f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}; choose another --port"
        ) from None
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    key = DEMO_API_KEY if args.api_key == DEMO_API_KEY else "<the key you passed with --api-key>"
    print(
        f"One Codex mock API on {server.url} (Ctrl-C to stop)\n"
        f"  export ONE_CODEX_API_BASE={server.url}\n  export ONE_CODEX_API_KEY={key}",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
