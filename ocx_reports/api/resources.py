"""The objects the API returns, and `api.Samples`-style collections to find them.

An object keeps the JSON it came from and turns a field into Python only when
it is read: RFC 3339 strings into `datetime` (a bare date into `date`), and
`{"$ref": ...}` links into the linked objects, which the owning `Api` fetches
in batches and caches (see `references.py`).
"""

import re
import reprlib
from datetime import date, datetime

from .errors import NotFoundError

ID_PATTERN = re.compile(r"[0-9a-f]{16}")  # what a caller may pass as an ID
# What an ID in the server's data may hold: one plain path segment (no "/", "..", "?", "#",
# "%" or whitespace), as responses are untrusted and the ID goes back into request paths.
SERVER_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
URI_PATTERN = re.compile(r"/api/v1/([a-z_]+)/([^/]+)")
TIMESTAMP_FIELDS = frozenset({"created_at", "updated_at", "date_collected", "date_sequenced"})
SHOWN_CHARACTERS = 60  # of a malformed value quoted in an error message
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = SHOWN_CHARACTERS


def parse_timestamp(value):
    """A `date` for "2024-03-01", a `datetime` for a full RFC 3339 string.

    Anything else (None, or a string that is not a timestamp) is returned as
    is: a report should show odd data, not fail on it.
    """
    if not isinstance(value, str):
        return value
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        return value


def parse_uri(uri, expected=None):
    """(model class, ID) for "/api/v1/samples/1d9491c5c31345b6"; ValueError says what is wrong.

    The address must name a kind of object this client models (`expected`'s,
    if given) and an ID that is one plain path segment.
    """
    if not isinstance(uri, str):
        raise ValueError(f"is {show(uri)}, not an object address")
    match = URI_PATTERN.fullmatch(uri)
    if match is None:
        raise ValueError(f"is {show(uri)}, not an object address like /api/v1/<kind>/<id>")
    kind, resource_id = match.groups()
    model = MODELS.get(kind)
    if model is None:
        raise ValueError(f"is {show(uri)}, an address of a kind of object this client does not know")
    if expected is not None and model is not expected:
        raise ValueError(f"is {show(uri)}, a {model.singular}, where a {expected.singular} belongs")
    if not SERVER_ID_PATTERN.fullmatch(resource_id):
        raise ValueError(f"is {show(uri)}, whose ID is not a plain ID")
    return model, resource_id


def is_ref(value):
    """Whether a JSON value is a link (`{"$ref": ...}`), well-formed or not."""
    return isinstance(value, dict) and "$ref" in value


def show(value):
    """A short one-line rendering of an untrusted value, for messages (a huge one is never rendered whole)."""
    text = _REPR.repr(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def _flat_object(value):
    return isinstance(value, dict) and all(
        item is None or isinstance(item, (str, int, float, bool)) for item in value.values()
    )


_TYPES = {  # expected type -> (check, what the message calls it)
    str: (lambda value: isinstance(value, str), "a string"),
    bool: (lambda value: isinstance(value, bool), "true or false"),
    int: (lambda value: isinstance(value, int) and not isinstance(value, bool), "an integer"),
    float: (lambda value: isinstance(value, (int, float)) and not isinstance(value, bool), "a number"),
    dict: (_flat_object, "an object of strings, numbers, booleans and nulls"),
}


class Resource:
    """One API object; its JSON fields are readable as attributes.

    Responses are untrusted: a field the client models (a link, a timestamp, one
    of `field_types`) that holds something else raises `InvalidResponseError`
    naming the object and the field when it is read, never a traceback.
    """

    resource = None  # URL segment, e.g. "samples"
    singular = "object"  # the word used in messages, e.g. "sample"
    label_field = None  # the field that `repr` shows next to the ID
    ref_fields = {}  # link fields (and `where` filters, e.g. `project="<id>"`) -> model class
    list_ref_fields = frozenset()  # ref fields that hold lists (matched with $containsall)
    field_types = {}  # other fields the client and the reports rely on -> str, bool, int, float, dict

    def __init__(self, api, data):
        self._api = api
        self._data = data
        self._values = {}

    @property
    def uri(self):
        return self._data["$uri"]

    @property
    def id(self):
        return parse_uri(self.uri)[1]

    @classmethod
    def uri_for(cls, resource_id):
        """The object's address, after checking that `resource_id` can be an ID at all."""
        if not isinstance(resource_id, str) or not ID_PATTERN.fullmatch(resource_id.lower()):
            raise NotFoundError(
                cls.singular, repr(resource_id), "One Codex IDs are 16 lowercase hex characters"
            )
        return f"/api/v1/{cls.resource}/{resource_id.lower()}"

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._values:
            try:
                raw = self._data[name]
            except KeyError:
                raise AttributeError(f"{type(self).__name__} has no field {name!r}") from None
            self._values[name] = self._convert(name, raw)
        return self._values[name]

    def _convert(self, name, raw):
        if raw is None:
            return None
        if name in TIMESTAMP_FIELDS:
            if not isinstance(raw, str):
                raise self._malformed(name, f"is {show(raw)}, not a timestamp")
            return parse_timestamp(raw)
        if name in self.field_types:
            check, expected = _TYPES[self.field_types[name]]
            if not check(raw):
                raise self._malformed(name, f"is {show(raw)}, not {expected}")
            return raw
        target = self.ref_fields.get(name)
        links_in_list = isinstance(raw, list) and any(map(is_ref, raw))
        if name in self.list_ref_fields or (target is None and links_in_list):
            if not isinstance(raw, list) or not all(map(is_ref, raw)):
                raise self._malformed(name, f"is {show(raw)}, not a list of links")
            return self._api._references.resolve([self._link(name, item, target) for item in raw])
        if target is not None or is_ref(raw):
            if not is_ref(raw):
                raise self._malformed(name, f"is {show(raw)}, not a link to a {target.singular}")
            return self._api._references.resolve([self._link(name, raw, target)])[0]
        return raw

    def _link(self, name, link, target):
        """The address in a `{"$ref": ...}`, checked to be one of `target`'s (any known kind if None)."""
        try:
            parse_uri(link["$ref"], target)
        except ValueError as exc:
            raise self._malformed(name, f"is a link whose '$ref' {exc}") from None
        return link["$ref"]

    def _malformed(self, name, why):
        return self._api._malformed(f"{self.singular} {self.id}: field {name!r} {why}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | {k for k in self._data if not k.startswith("$")})

    def __eq__(self, other):
        return isinstance(other, Resource) and other.uri == self.uri

    def __hash__(self):
        return hash(self.uri)

    def __repr__(self):
        label = self._data.get(self.label_field) if self.label_field else None
        suffix = f' "{label[:SHOWN_CHARACTERS]}"' if isinstance(label, str) and label else ""
        text = f"<{type(self).__name__} {self.id}{suffix}>"
        return self._api._redact(" ".join(text.split()))


class Users(Resource):
    resource, singular = "users", "user"


class Jobs(Resource):
    resource, singular, label_field = "jobs", "job", "name"
    field_types = {"name": str}


class Tags(Resource):
    resource, singular, label_field = "tags", "tag", "name"
    field_types = {"name": str}


class Projects(Resource):
    resource, singular, label_field = "projects", "project", "name"
    ref_fields = {"owner": Users}
    field_types = {"name": str, "project_name": str, "description": str, "external_id": str, "public": bool}


class Metadata(Resource):
    resource, singular, label_field = "metadata", "metadata", "name"
    field_types = {
        **dict.fromkeys(
            (
                "name",
                "description",
                "external_sample_id",
                "platform",
                "library_type",
                "sample_type",
                "location_string",
            ),
            str,
        ),
        "location_lat": float,
        "location_lon": float,
        "starred": bool,
        "custom": dict,
    }


class Classifications(Resource):
    resource, singular = "classifications", "classification"
    field_types = {"complete": bool, "success": bool, "draft": bool, "error_msg": str}

    def results(self):
        """The raw results: `{"n_reads": ..., "host_tax_ids": [...], "table": [row, ...]}`.

        Fetched once per object; callers must not modify the returned dict.
        """
        if getattr(self, "_results", None) is None:
            results = self._api._get_json(f"{self.uri}/results")
            table = results.get("table") if isinstance(results, dict) else None
            if not isinstance(table, list) or not all(isinstance(row, dict) for row in table):
                raise self._api._malformed(
                    f"classification {self.id}: its results are {show(results)}, "
                    'not {"table": [row, ...], ...} with each row an object'
                )
            self._results = results
        return self._results

    def table(self):
        """The results table as a pandas DataFrame (pandas is optional for the client)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("Classifications.table() needs pandas: pip install pandas") from None
        return pandas.DataFrame(self.results()["table"])


class Samples(Resource):
    resource, singular, label_field = "samples", "sample", "filename"
    ref_fields = {
        "project": Projects,
        "tags": Tags,
        "metadata": Metadata,
        "owner": Users,
        "primary_classification": Classifications,
    }
    list_ref_fields = frozenset({"tags"})
    field_types = {"filename": str, "status": str, "visibility": str, "error_msg": str, "size": int}


# Set here: these kinds refer to each other.
Metadata.ref_fields = {"sample": Samples}
Classifications.ref_fields = {"sample": Samples, "job": Jobs}
MODELS = {
    model.resource: model for model in (Users, Jobs, Tags, Projects, Metadata, Samples, Classifications)
}


class Collection:
    """`api.Samples`, `api.Projects`, ...: fetch objects of one kind by ID or by filter."""

    def __init__(self, api, model):
        self._api = api
        self.model = model

    def get(self, resource_id):
        """The object with this ID; NotFoundError names the kind and the ID if there is none."""
        uri = self.model.uri_for(resource_id)
        references = self._api._references
        return references.cached(uri) or references.add(self._api._get_json(uri), self.model, uri)

    def where(self, *, limit=None, **filters):
        """Every object matching `filters` (all of them with none), following the pages.

        Link filters such as `project=` or `tags=[...]` take objects or IDs;
        other filters are passed to the server's `where` as given, e.g.
        `filename={"$icontains": "gut"}`.
        """
        where = {name: self._filter_value(name, value) for name, value in filters.items()}
        rows = self._api._list(self.model.resource, where, limit=limit)
        return [self._api._references.add(row, self.model) for row in rows]

    def _filter_value(self, name, value):
        target = self.model.ref_fields.get(name)
        if isinstance(value, Resource):
            return {"$ref": value.uri}
        if target is not None and isinstance(value, str):
            return {"$ref": target.uri_for(value)}
        if target is not None and isinstance(value, (list, tuple, set)):
            refs = [self._filter_value(name, item) for item in value]
            return {"$containsall" if name in self.model.list_ref_fields else "$in": refs}
        return value

    def __repr__(self):
        return f"<Collection {self.model.__name__}>"
