"""The page: what turns notebook content into the report's HTML page, between the
preprocessors and the layout.

The template renders the preprocessed notebook through these: ``sanitize`` (the one path
by which notebook HTML and CSS reach the page), ``urlpolicy`` (what the page may load, and
later what WeasyPrint may read), ``assets`` (the report's own files: template, stylesheet,
logo, fonts), ``labels`` (the Samples section's headers from field names) and ``tables``
(every table's numeric columns, which ``numbers`` tells, aligned right; long tables cut to
``max_table_rows``; for the PDF, fixed column widths measured with ``fontmetrics``, and plain
tables as lines for the layout to draw). The PDF is this page laid out by ``layout``; the HTML
report is this page finished for a screen by ``screen`` (SVG figures written in, tables in
scrolling boxes) with its fonts subset by ``fontsubset``.
"""
