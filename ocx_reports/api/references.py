"""The per-`Api` object cache that makes `$ref` links cheap to follow.

Every object the client loads is kept by its URI. The links inside it are
remembered as "pending" until one of them is read; then all pending links of
that kind are fetched together with one `where {"$uri": {"$in": [...]}}`
request. So after `Samples.where(project=p)`, reading the first
`sample.metadata` loads the metadata of every sample in the listing at once,
and a report over 30 samples makes a handful of requests rather than 90.
"""

import threading

from .errors import NotFoundError
from .resources import is_ref, model_for, split_uri

BATCH_SIZE = 50  # URIs per `$in` request, keeping the query string well under 8 KB


class References:
    def __init__(self, api):
        self._api = api
        self._objects = {}
        self._pending = {}  # resource -> {uri: None}, an insertion-ordered set
        self._lock = threading.RLock()

    def cached(self, uri):
        return self._objects.get(uri)

    def add(self, data):
        """The object for this JSON, reusing the one already loaded for its URI."""
        uri = data["$uri"]
        with self._lock:
            if uri not in self._objects:
                resource, _ = split_uri(uri)
                self._objects[uri] = model_for(resource)(self._api, data)
                self._pending.get(resource, {}).pop(uri, None)
                self._note_links(data)
            return self._objects[uri]

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
        resource, _ = split_uri(wanted[0])
        pending = self._pending.setdefault(resource, {})
        batch = list(dict.fromkeys(wanted + list(pending)))[:BATCH_SIZE]
        rows = self._api._list(resource, {"$uri": {"$in": batch}}, per_page=len(batch))
        for row in rows:
            self.add(row)
        for uri in batch:
            pending.pop(uri, None)

    def _object(self, uri):
        if uri not in self._objects:
            resource, resource_id = split_uri(uri)
            raise NotFoundError(model_for(resource).singular, resource_id)
        return self._objects[uri]

    def _note_links(self, data):
        for value in data.values():
            links = value if isinstance(value, list) else [value]
            for link in links:
                if is_ref(link) and link["$ref"] not in self._objects:
                    resource, _ = split_uri(link["$ref"])
                    self._pending.setdefault(resource, {})[link["$ref"]] = None
