"""Adaptations of dependencies' internals, one module per upstream project.

Each exists only because a dependency's private code is slow for a report's workload,
and says what it changes, why, and what it saves:

* ``cffi``: WeasyPrint's simple C types resolved from cffi's type model, not by parsing C;
* ``fonttools``: the subsetter and variable-font instancer WeasyPrint imports, loaded on
  first use;
* ``tinyhtml5``: a character-run pattern cache that hits, for WeasyPrint's HTML parser;
* ``weasyprint``: WeasyPrint's C libraries looked up in the linker's cache only while it
  loads.

``layout.weasy`` applies them as it loads WeasyPrint. Not here yet: the WeasyPrint
internals that ``layout.weasy``, ``layout.tablelines`` and ``layout.svgforms`` use in
place, and the private nbconvert hooks ``html.py`` overrides.
"""
