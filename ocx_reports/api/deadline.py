"""Cutting one HTTP attempt off at its deadline, wherever it is waiting.

httpx bounds each network wait (its `timeout`), not a whole request: a server
that sends one byte a second, in the headers or the body, never trips a read
timeout, and there is no portable way to interrupt a blocking read in the
thread doing it. So a `Watchdog` is a timer that, when the deadline passes,
shuts down the socket of the attempt's connection: the blocked read or write
returns at once with an error, which the client reports as the deadline.

It learns the connection from httpx's public extensions: the `trace` callback
reports each connection an attempt opens (and its TLS stream), and the
response carries its `network_stream`. An attempt that reused a pooled
connection and is still waiting for the response's headers has not said which
connection it holds; then every connection its `Api` opened is shut down (the
idle ones are just reopened by the next request, as after a server's timeout).
"""

import socket
import threading
import weakref

_OPENED = ("connect_tcp.complete", "start_tls.complete")  # trace events that return a stream


class Connections:
    """The network streams one `Api` has opened, held weakly: its connection pool owns them."""

    def __init__(self):
        self._streams = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, stream):
        with self._lock:
            self._streams.add(stream)

    def all(self):
        with self._lock:
            return list(self._streams)


class Watchdog:
    """`with Watchdog(connections, seconds) as watchdog:` one attempt; `expired` says if it cut it off."""

    def __init__(self, connections, seconds):
        self.expired = False
        self._connections = connections
        self._streams = []
        self._finished = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def trace(self, event, info):
        """httpx's `trace` request extension: note each connection this attempt opens."""
        if event.endswith(_OPENED):
            self._connections.add(info["return_value"])
            self.watch(info["return_value"])

    def watch(self, stream):
        """Cut this stream off at the deadline (the response's `network_stream`, or one just opened)."""
        if stream is not None:
            with self._lock:
                self._streams.append(stream)

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        with self._lock:
            self._finished = True
        self._timer.cancel()

    def _expire(self):
        with self._lock:
            if self._finished:
                return
            self.expired = True
            for stream in self._streams or self._connections.all():
                _shut_down(stream)


def _shut_down(stream):
    """Wake whatever waits on this stream's socket; the connection is then discarded.

    `socket.socket.shutdown` (the plain socket's, also for a TLS socket) acts on
    the file descriptor only, leaving the TLS object to the thread reading it.
    """
    sock = stream.get_extra_info("socket")
    if sock is not None:
        try:
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:  # already closed, or detached into its TLS socket
            pass
