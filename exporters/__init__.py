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
