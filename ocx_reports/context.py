"""The sample data a report is about, fetched once and kept as plain JSON.

The exporters show it (Samples section, header, cover, PDF keywords, Jinja
placeholders in markdown) and the batch build fingerprints it, so both see
exactly the same snapshot. Everything here is JSON-serializable: dates are
ISO strings, links are resolved to names.
"""

from __future__ import annotations

import datetime

from .api.errors import NotFoundError
from .api.resources import Samples

#: Metadata fields shown for every sample, in the Samples table's order.
SAMPLE_FIELDS = (
    "name",
    "external_sample_id",
    "date_collected",
    "date_sequenced",
    "platform",
    "library_type",
    "sample_type",
    "location_string",
)
PROJECT_FIELDS = ("name", "project_name", "description", "external_id")


def _plain(value):
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _sample(sample) -> dict:
    metadata = sample.metadata
    row = {"id": sample.id, "filename": sample.filename}
    for field in SAMPLE_FIELDS:
        row[field] = _plain(getattr(metadata, field, None)) if metadata else None
    row["name"] = row["name"] or sample.filename
    row["custom"] = dict(metadata.custom or {}) if metadata else {}
    row["tags"] = [tag.name for tag in (sample.tags or [])]
    project = sample.project
    row["project"] = project.id if project else None
    return row


def _project(project) -> dict:
    return {"id": project.id, **{field: getattr(project, field, None) for field in PROJECT_FIELDS}}


def _samples_by_id(api, sample_ids: list[str]) -> list:
    uris = [Samples.uri_for(sample_id) for sample_id in sample_ids]
    found = {sample.uri: sample for sample in api.Samples.where(**{"$uri": {"$in": uris}})}
    for sample_id, uri in zip(sample_ids, uris):
        if uri not in found:
            raise NotFoundError("sample", sample_id.lower())
    return [found[uri] for uri in uris]


def fetch_report_context(api, *, project: str | None = None, samples: list[str] | None = None) -> dict:
    """``{"project": {...} | None, "samples": [{...}, ...]}`` for a project or a list of sample IDs.

    A project means all of its samples; samples that all belong to one project
    bring that project along. Unknown IDs raise ``NotFoundError`` naming them.
    """
    if project:
        project_obj = api.Projects.get(project)
        sample_objs = api.Samples.where(project=project_obj)
    else:
        sample_objs = _samples_by_id(api, list(samples or []))
        projects = {sample.project for sample in sample_objs}
        project_obj = projects.pop() if len(projects) == 1 else None
    rows = sorted((_sample(sample) for sample in sample_objs), key=lambda row: (row["name"] or "", row["id"]))
    return {"project": _project(project_obj) if project_obj else None, "samples": rows}
