"""``python -m ocx_reports.exporters.layout FD``: a layout service in a new interpreter, talking to
the exporter that started it over the pipe end it was handed as file descriptor ``FD`` (see
``service``: a process that runs threads, or a daemonic one, forks no service)."""

import sys
from multiprocessing.connection import Connection

from .service import serve

serve(Connection(int(sys.argv[1])))
