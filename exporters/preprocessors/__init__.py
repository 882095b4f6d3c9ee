"""The preprocessors: the notebook as read (and run, with ``--execute``) becomes the notebook
the report shows, before the template renders it.

Each is an nbconvert preprocessor the HTML exporter registers, in this order (see
``OneCodexHTMLExporter.__init__``): ``error_outputs`` (refuse or show errors),
``objectreprs`` (drop bare object reprs), ``metadata`` (sample metadata from the API, and
the markdown ``placeholders``), ``charts`` (one figure per output, charts drawn by
``ocx_reports.charts``), ``notices`` (what a report cannot show), ``math`` (LaTeX drawn to
SVG), ``limits`` (text and CSS cut to size), ``visibility`` (cell tags) and ``slots`` (the
report helpers' outputs into the page frame). ``execution`` is nbconvert's execute
preprocessor for ``--execute``, which runs before them all. Their output goes to the
template and then to ``page`` (what turns notebook content into the page).

What one writes for a later stage (the page frame, the charts' PDFs...) goes into the export
in progress (``exporters.export.Export``), which it finds in the resources under
``contracts.EXPORT_RESOURCE``; a preprocessor keeps nothing of an export on itself, since
one exporter, and so one preprocessor, exports notebook after notebook.

Their options are the exporter's (``--OneCodexPDFExporter.allow_errors=True``), declared once
there as traits; a preprocessor reads the ones it needs with ``exporter_option``. Only
options no exporter has are the preprocessor's own (``MetadataPreprocessor.placeholder_timeout``).
"""


def exporter_option(name: str) -> property:
    """A preprocessor's read of its exporter's option ``name`` (the exporter is its parent)."""
    return property(lambda self: getattr(self.parent, name), doc=f"The exporter's ``{name}`` option.")
