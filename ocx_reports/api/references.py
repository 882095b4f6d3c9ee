"""The per-`Api` object cache that makes `$ref` links cheap to follow.

Every object the client loads is kept by its URI. The links inside it are
remembered as "pending" until one of them is read; then all pending links of
that kind are fetched together with one `where {"$uri": {"$in": [...]}}`
request. So after `Samples.where(project=p)`, reading the first
`sample.metadata` loads the metadata of every sample in the listing at once,
and a report over 30 samples makes a handful of requests rather than 90.
"""

import threading

from .resources import is_ref, parse_uri, show

BATCH_SIZE = 50  # URIs per `$in` request, keeping the query string well under 8 KB


class References:
    def __init__(self, api):
        self._api = api
        self._objects = {}
        self._pending = {}  # resource -> {uri: None}, an insertion-ordered set
        self._lock = threading.RLock()

    def cached(self, uri):
        return self._objects.get(uri)

    def add(self, data, model, requested=None):
        """The `model` object for this JSON, reusing the one already loaded for its URI.

        The JSON is untrusted: it must be an object whose `$uri` is an address of
        `model`'s kind (`requested`'s, when one object was asked for by address).
        """
        uri = self._checked_uri(data, model, requested)
        with self._lock:
            if uri not in self._objects:
                self._objects[uri] = model(self._api, data)
                self._pending.get(model.resource, {}).pop(uri, None)
                self._note_links(data)
            return self._objects[uri]

    def _checked_uri(self, data, model, requested):
        where = f"GET {requested}" if requested else f"a listing of {model.resource}"
        if not isinstance(data, dict):
            raise self._api._malformed(f"{where}: a {model.singular} is {show(data)}, not an object")
        try:
            parse_uri(data.get("$uri"), model)
        except ValueError as exc:
            raise self._api._malformed(f"{where}: a {model.singular}'s field '$uri' {exc}") from None
        if requested and data["$uri"] != requested:
            raise self._api._malformed(f"{where}: field '$uri' is {show(data['$uri'])}, another object")
        return data["$uri"]

    def resolve(self, uris):
        """The objects for these URIs (all of one kind), fetching what is missing in batches."""
        with self._lock:
            missing = [uri for uri in uris if uri not in self._objects]
            while missing:
                self._fetch(missing[:BATCH_SIZE])
                missing = [uri for uri in missing[BATCH_SIZE:] if uri not in self._objects]
            return [self._object(uri) for uri in uris]

    def _fetch(self, wanted):
        """Load `wanted` plus other pending links of the same kind, in one request."""
        model, _ = parse_uri(wanted[0])
        pending = self._pending.setdefault(model.resource, {})
        batch = list(dict.fromkeys(wanted + list(pending)))[:BATCH_SIZE]
        rows = self._api._list(model.resource, {"$uri": {"$in": batch}}, per_page=len(batch))
        for row in rows:
            self.add(row, model)
        for uri in batch:
            pending.pop(uri, None)

    def _object(self, uri):
        if uri not in self._objects:
            model, resource_id = parse_uri(uri)
            raise self._api._not_found(model.singular, resource_id)
        return self._objects[uri]

    def _note_links(self, data):
        """Remember the well-formed links; a malformed one fails only when its field is read."""
        for value in data.values():
            links = value if isinstance(value, list) else [value]
            for link in links:
                if is_ref(link) and isinstance(link["$ref"], str) and link["$ref"] not in self._objects:
                    try:
                        model, _ = parse_uri(link["$ref"])
                    except ValueError:
                        continue
                    self._pending.setdefault(model.resource, {})[link["$ref"]] = None
