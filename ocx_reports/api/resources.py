"""The objects the API returns, and `api.Samples`-style collections to find them.

An object keeps the JSON it came from and turns a field into Python only when
it is read: RFC 3339 strings into `datetime` (a bare date into `date`), and
`{"$ref": ...}` links into the linked objects, which the owning `Api` fetches
in batches and caches (see `references.py`).
"""

import re
from datetime import date, datetime

from .errors import NotFoundError

ID_PATTERN = re.compile(r"[0-9a-f]{16}")
URI_PATTERN = re.compile(r"/api/v1/([a-z_]+)/([^/]+)")
TIMESTAMP_FIELDS = frozenset({"created_at", "updated_at", "date_collected", "date_sequenced"})


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


def split_uri(uri):
    """("samples", "1d9491c5c31345b6") for "/api/v1/samples/1d9491c5c31345b6"."""
    match = URI_PATTERN.fullmatch(uri)
    if match is None:
        raise ValueError(f"not a One Codex object address: {uri!r}")
    return match.group(1), match.group(2)


def is_ref(value):
    return isinstance(value, dict) and set(value) == {"$ref"}


class Resource:
    """One API object; its JSON fields are readable as attributes."""

    resource = None  # URL segment, e.g. "samples"
    singular = "object"  # the word used in messages, e.g. "sample"
    label_field = None  # the field that `repr` shows next to the ID
    ref_fields = {}  # filter name -> model class, for `where(project="<id>")`
    list_ref_fields = frozenset()  # ref fields that hold lists (matched with $containsall)

    def __init__(self, api, data):
        self._api = api
        self._data = data
        self._values = {}

    @property
    def uri(self):
        return self._data["$uri"]

    @property
    def id(self):
        return split_uri(self.uri)[1]

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
        references = self._api._references
        if name in TIMESTAMP_FIELDS:
            return parse_timestamp(raw)
        if is_ref(raw):
            return references.resolve([raw["$ref"]])[0]
        if isinstance(raw, list) and raw and all(is_ref(item) for item in raw):
            return references.resolve([item["$ref"] for item in raw])
        return raw

    def __dir__(self):
        return sorted(set(super().__dir__()) | {k for k in self._data if not k.startswith("$")})

    def __eq__(self, other):
        return isinstance(other, Resource) and other.uri == self.uri

    def __hash__(self):
        return hash(self.uri)

    def __repr__(self):
        label = self._data.get(self.label_field) if self.label_field else None
        suffix = f' "{label}"' if label else ""
        return f"<{type(self).__name__} {self.id}{suffix}>"


class Users(Resource):
    resource, singular = "users", "user"


class Jobs(Resource):
    resource, singular, label_field = "jobs", "job", "name"


class Tags(Resource):
    resource, singular, label_field = "tags", "tag", "name"


class Projects(Resource):
    resource, singular, label_field = "projects", "project", "name"
    ref_fields = {"owner": Users}


class Metadata(Resource):
    resource, singular, label_field = "metadata", "metadata", "name"


class Samples(Resource):
    resource, singular, label_field = "samples", "sample", "filename"
    ref_fields = {"project": Projects, "tags": Tags, "metadata": Metadata, "owner": Users}
    list_ref_fields = frozenset({"tags"})


class Classifications(Resource):
    resource, singular = "classifications", "classification"
    ref_fields = {"sample": Samples, "job": Jobs}

    def results(self):
        """The raw results: `{"n_reads": ..., "host_tax_ids": [...], "table": [row, ...]}`.

        Fetched once per object; callers must not modify the returned dict.
        """
        if getattr(self, "_results", None) is None:
            self._results = self._api._get_json(f"{self.uri}/results")
        return self._results

    def table(self):
        """The results table as a pandas DataFrame (pandas is optional for the client)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("Classifications.table() needs pandas: pip install pandas") from None
        return pandas.DataFrame(self.results()["table"])


Metadata.ref_fields = {"sample": Samples}  # set here: Samples and Metadata refer to each other
MODELS = {
    model.resource: model for model in (Users, Jobs, Tags, Projects, Metadata, Samples, Classifications)
}


def model_for(resource):
    """The class for a URL segment; unknown kinds get a plain `Resource` subclass."""
    if resource not in MODELS:
        MODELS[resource] = type(resource.title(), (Resource,), {"resource": resource})
    return MODELS[resource]


class Collection:
    """`api.Samples`, `api.Projects`, ...: fetch objects of one kind by ID or by filter."""

    def __init__(self, api, model):
        self._api = api
        self.model = model

    def get(self, resource_id):
        """The object with this ID; NotFoundError names the kind and the ID if there is none."""
        uri = self.model.uri_for(resource_id)
        return self._api._references.cached(uri) or self._api._references.add(self._api._get_json(uri))

    def where(self, *, limit=None, **filters):
        """Every object matching `filters` (all of them with none), following the pages.

        Link filters such as `project=` or `tags=[...]` take objects or IDs;
        other filters are passed to the server's `where` as given, e.g.
        `filename={"$icontains": "gut"}`.
        """
        where = {name: self._filter_value(name, value) for name, value in filters.items()}
        rows = self._api._list(self.model.resource, where, limit=limit)
        return [self._api._references.add(row) for row in rows]

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
