"""nbconvert exporters for One Codex reports (``onecodex_html``, ``onecodex_pdf``), and the
stages they run, a folder each::

    notebook -> preprocessors/ -> template + page/ -> HTML report -> layout/ -> PDF report

* ``html.py``, ``pdf.py``: the two exporters, nbconvert's entry points. The PDF exporter is
  the HTML exporter plus the layout, never a second template tree.
* ``preprocessors/``: the notebook as read (and run, with ``--execute``) becomes the notebook
  the report shows: error outputs, metadata, charts (drawn by ``ocx_reports.charts``), math,
  limits, visibility, the report helpers' slots.
* ``page/``: what the template turns notebook content into the page with: the sanitizer, the
  URL policy, the report's own files, long tables.
* ``layout/``: the page laid out by WeasyPrint into the PDF: chunks in parallel processes,
  the layout service, SVG forms, tables drawn as lines, the budget a layout keeps to.
* ``engine/``: what the stages run on: ``compat/`` fences the dependencies' internals (a
  module per upstream project); ``hostprocess``, what an export changes in its process.
* ``contracts.py``: what one stage writes for a later one to read (marks, attributes, class
  names, resource keys, geometry, digests).
* ``export.py``: one export's state (``Export``: the URL policy, the page frame, the charts
  being drawn and their PDFs, the marks' token, the engine), made as the export starts and
  handed along the stages: to the preprocessors and the template in the resources (under
  ``contracts.EXPORT_RESOURCE``), to the chart preprocessor's start and finish, the table
  rewriting and the layout as an argument. The exporters and their preprocessors keep only
  their options and caches, so one exporter exports notebook after notebook (a build keeps
  one per worker thread), and an export that fails leaves nothing behind.
* ``errors.py``: the error every stage raises for a user's mistake (``ReportError``, one line
  naming the thing and what to do).
"""

# From the checkout root this folder is also importable by its own name, as a second copy
# of the package with classes of its own; only one name is allowed.
if __name__ != "ocx_reports.exporters":
    raise ImportError(f"{__name__}/ is the source of ocx_reports.exporters: import ocx_reports.exporters")

from .html import OneCodexHTMLExporter
from .pdf import OneCodexPDFExporter

__all__ = ["OneCodexHTMLExporter", "OneCodexPDFExporter"]
