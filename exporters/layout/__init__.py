"""The layout: the report's HTML page laid out by WeasyPrint into the PDF, the last stage.

``weasy`` drives WeasyPrint (HTML to PDF, reading only what the URL policy allows), with
``svgforms`` (SVG images drawn as PDF forms vl-convert converted) and ``tablelines`` (the
values of tables laid out as lines, drawn by the layout itself). ``paginate`` cuts the page
into chunks at the marks the template and the page's tables put in; ``parallel`` lays the
chunks out in forked processes and merges their PDFs; ``service`` is the layout process
``jupyter nbconvert --to onecodex_pdf`` starts early, which does that for the exporter.
Each layout keeps to a ``budget`` (time, memory, pages); its processes' log records come
back through ``childlogs``, and their temporary files go in one folder per process
(``scratch``). ``selftest`` is the page each layout process warms WeasyPrint up with, which
checks the engine's adaptations (``engine.compat``) before a report relies on them.
"""
