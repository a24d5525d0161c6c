"""What every loopback HTTP fake shares: a threaded server on 127.0.0.1, its lifecycle."""

from __future__ import annotations

import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


class LoopbackServer(ThreadingHTTPServer):
    """Hands each request to ``fake._serve(handler)``; keeps the fake's bugs in ``fake._errors``."""

    daemon_threads = True
    request_queue_size = 128
    fake: Any

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up (timeouts, benchmarks) are not errors; everything else is kept.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            self.fake._errors.append(traceback.format_exc())


class LoopbackHandler(BaseHTTPRequestHandler):
    server: LoopbackServer

    def do_GET(self) -> None:
        self.server.fake._serve(self)

    def do_POST(self) -> None:
        self.server.fake._serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LoopbackFake:
    """Start, stop and address a fake; subclasses set ``handler`` and implement ``_serve``."""

    handler: type[LoopbackHandler] = LoopbackHandler

    def __init__(self) -> None:
        self._stopping = threading.Event()  # set on stop: cuts injected delays short
        self._server: LoopbackServer | None = None
        self._thread: threading.Thread | None = None
        self._errors: list[str] = []

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = LoopbackServer(("127.0.0.1", 0), self.handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"{type(self).__name__}:{server.server_address[1]}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def errors(self) -> list[str]:
        """Tracebacks of bugs inside the fake (should stay empty)."""
        return list(self._errors)
