"""Sample metadata from the One Codex API, injected into the report.

The IDs come from the exporter's ``project`` / ``samples`` traits, else from
the notebook's ``metadata.onecodex``. With no IDs nothing is fetched and the
report has no Samples section. The fetched context feeds the Samples section,
the header, the cover and the PDF keywords, and the Jinja placeholders in
markdown cells (``{{ project.name }}``, see ``placeholders``): by default only
in a report that has sample data, so that a plain notebook's braces print as
written.
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Float, Int

from ..contracts import EXPORT_RESOURCE
from ..engine.compat.nbconvert import mismatch
from ..errors import ReportError
from ..page.labels import BUILT_IN, field_label
from ..page.sanitize import size_class
from . import exporter_option
from .placeholders import render_markdown


def _requested_ids(preprocessor, nb) -> tuple[str | None, list[str]]:
    meta = nb.metadata.get("onecodex", {})
    if preprocessor.project or preprocessor.samples:
        return preprocessor.project or None, list(preprocessor.samples)
    return meta.get("project") or None, list(meta.get("samples") or [])


def _fetch(project, samples) -> dict:
    from ocx_reports.api import Api, OneCodexError
    from ocx_reports.context import fetch_report_context

    try:
        with Api() as api:
            return fetch_report_context(api, project=project, samples=samples)
    except OneCodexError as exc:
        raise ReportError(f"could not fetch the report's sample metadata: {exc}") from None


class MetadataPreprocessor(Preprocessor):
    """Fetch project/sample metadata and put it where the template and markdown see it."""

    project = exporter_option("project")
    samples = exporter_option("samples")
    metadata_fields = exporter_option("metadata_fields")
    field_labels = exporter_option("field_labels")
    markdown_placeholders = exporter_option("markdown_placeholders")
    placeholder_max_chars = Int(
        1_000_000, min=1, help="Characters the markdown placeholders of a report may build and print, all "
        "cells together; beyond that the export stops, naming the cell.",
    ).tag(config=True)
    placeholder_timeout = Float(
        5.0, min=0.01, help="Seconds the markdown placeholders of a report may take to render, all cells "
        "together; beyond that the export stops, naming the cell.",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        export = resources[EXPORT_RESOURCE]
        report = export.report
        if export.context is None:
            project, samples = _requested_ids(self, nb)
            export.context = _fetch(project, samples) if (project or samples) else None
        if export.context:
            self._describe(report, export.context)
        wanted = self.markdown_placeholders == "on" or (
            self.markdown_placeholders == "auto" and bool(report["project"] or report["samples"])
        )
        unreadable = wanted and mismatch("markdown")
        if unreadable:  # braces in code and math could not be told from placeholders
            self.log.warning("Markdown placeholders are not rendered, their braces print as written: %s", unreadable)
        elif wanted:
            render_markdown(
                nb, {"project": report["project"], "samples": report["samples"], "date": report["date"]},
                max_chars=self.placeholder_max_chars, timeout=self.placeholder_timeout,
            )
        return nb, resources

    def _describe(self, report: dict, context: dict) -> None:
        project, samples = context.get("project"), context.get("samples", [])
        report["project"], report["samples"] = project, samples
        present = sorted({name for sample in samples for name in sample.get("custom", {})})
        wanted = present if self.metadata_fields is None else [f for f in self.metadata_fields if f in present]
        report["custom_fields"] = wanted
        report["field_labels"] = {field: field_label(field, self.field_labels) for field in [*BUILT_IN, *wanted]}
        # Both of the section's tables print at the size its wider one needs: the Samples table
        # (name, five fields and tags), or the custom metadata (name and each field).
        report["samples_size"] = size_class(max(len(BUILT_IN), 1 + len(wanted)))
        count = f"{len(samples)} sample{'s' if len(samples) != 1 else ''}"
        report["sample_count"] = count
        if project and not report["center_header"]:
            report["center_header"] = f"{project['name']} · {count}"
        tags = sorted({tag for sample in samples for tag in sample.get("tags", [])})
        report["keywords"] = [k for k in (project and project.get("name"), count) if k] + tags
