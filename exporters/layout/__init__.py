"""The layout: the report's HTML page laid out by WeasyPrint into the PDF, the last stage.

``weasy`` drives WeasyPrint (HTML to PDF, reading only what the URL policy allows), with
``svgforms`` (SVG images drawn as PDF forms vl-convert converted) and ``tablelines`` (the
values of tables laid out as lines, drawn by the layout itself). ``paginate`` cuts the page
into chunks at the marks the template and the page's tables put in; ``service`` is the
process the PDF exporter starts at its first export, which sets WeasyPrint up and lays
every report out, each chunk in a process it forks (``parallel``, which also merges their
PDFs; ``python -m ocx_reports.exporters.layout`` runs a service in a new interpreter).
Each layout keeps to a ``budget`` (time, memory, pages); its processes' log records come
back through ``childlogs``, and their temporary files go in one folder per process
(``scratch``). ``selftest`` is the page each layout service warms WeasyPrint up with, which
checks the engine's adaptations (``engine.compat``) before a report relies on them.
"""
