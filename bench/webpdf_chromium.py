"""nbconvert's ``webpdf`` driven by the system's Chromium, for the side-by-side benchmark.

nbconvert launches Playwright's own browser download and has no option for
another executable; Debian's ``chromium`` is what a build machine has. This
subclass passes its path and the headless flags a container needs, and gives
long documents the render time they need (less, and they come out truncated).
Run with ``PYTHONPATH=bench python -m nbconvert --to webpdf_chromium.ChromiumWebPDFExporter``
in a venv that has ``nbconvert[webpdf]``; it is not part of ocx-reports.
"""

from __future__ import annotations

import functools
import os

from nbconvert.exporters.webpdf import WebPDFExporter
from traitlets import default

CHROMIUM = os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ChromiumWebPDFExporter(WebPDFExporter):
    @default("page_render_timeout")
    def _page_render_timeout_default(self):
        return 2000

    @default("browser_args")
    def _browser_args_default(self):
        return list(FLAGS)

    def run_playwright(self, html):
        from playwright.async_api import BrowserType

        launch = BrowserType.launch
        BrowserType.launch = functools.partialmethod(launch, executable_path=CHROMIUM)
        try:
            return super().run_playwright(html)
        finally:
            BrowserType.launch = launch
