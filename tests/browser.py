"""Open an HTML report in a real headless Chromium and see what it tries to do.

Every request the browser makes, to any host and by any scheme it proxies, goes to a
local recording proxy (``Beacon``); nothing reaches a network. The DOM is read back
after the page has loaded and its timers have run, so a script that ran leaves its mark.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading

import pytest

#: Debian's chromium is a wrapper script that adds an API key and remote extensions; the
#: binary itself is started instead.
BROWSERS = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome")
#: Hosts the browser itself calls even for a blank page, whatever the flags (its component
#: updater and account service): not the page's requests.
BROWSER_SERVICES = ("update.googleapis.com", "accounts.google.com", "clients2.google.com")


def browser() -> str:
    """The Chromium binary; CI (``OCX_REPORTS_BROWSER_TESTS=required``) fails without one."""
    found = next((path for path in map(shutil.which, BROWSERS) if path), None)
    if found is None:
        if os.environ.get("OCX_REPORTS_BROWSER_TESTS") == "required":
            pytest.fail("no Chromium to open the reports in (Debian: apt-get install chromium)")
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium)")
    return found


class Beacon:
    """A TCP listener that records the first line of every connection: an HTTP request
    line, or the CONNECT of an HTTPS request sent through it as a proxy."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    first = connection.recv(4096).split(b"\r\n", 1)[0]
                    connection.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    first = b"(no request line)"
                line = first.decode("latin-1")
                if not any(f" {host}:" in line or f"//{host}/" in line for host in BROWSER_SERVICES):
                    self.requests.append(line)

    def close(self):
        self.server.close()


#: The report's policy meta element, its attributes in either order (nbconvert's own HTML pass,
#: which the stock engine runs, writes them back in another).
CSP_META = re.compile(r'<meta (?=[^>]*http-equiv="Content-Security-Policy")[^>]*content="([^"]*)"[^>]*>')


def without_csp(html: str) -> str:
    """The report without its Content-Security-Policy (which lets no script run)."""
    stripped = CSP_META.sub("", html)
    assert stripped != html
    return stripped


def open_page(path, beacon: Beacon, budget_ms: int = 3000) -> str:
    """The page's DOM after loading ``path`` with every request sent through ``beacon``."""
    profile = path.parent / f".chromium-{path.stem}"
    command = [
        browser(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-quic", "--disable-extensions", "--disable-default-apps", "--mute-audio",
        "--disable-client-side-phishing-detection", "--disable-domain-reliability", "--no-pings",
        "--disable-breakpad", "--metrics-recording-only", "--safebrowsing-disable-auto-update",
        "--disable-component-extensions-with-background-pages", "--disable-field-trial-config",
        "--enable-automation", "--password-store=basic", "--use-mock-keychain",
        "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter,"
        "AutofillServerCommunication,CertificateTransparencyComponentUpdater,SafeBrowsing",
        f"--user-data-dir={profile}",
        f"--proxy-server=http://127.0.0.1:{beacon.port}", "--proxy-bypass-list=<-loopback>",
        f"--virtual-time-budget={budget_ms}", "--dump-dom", path.resolve().as_uri(),
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
