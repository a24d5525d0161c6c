"""Work a request hands on once its response is on the wire, so the acknowledgement goes first."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("fwtrend.web")

_request = threading.local()  # .todo: this request thread's deferred calls, while it has one


def after_response(call: Callable[[], None]) -> None:
    """Run ``call`` once this thread's HTTP response is sent; at once outside a request
    (Socket Mode, tests), so nothing handed here is ever dropped."""
    todo: list[Callable[[], None]] | None = getattr(_request, "todo", None)
    if todo is None:
        call()
    else:
        todo.append(call)


def serve_then_run(
    app: WSGIApplication, environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    """Serve ``app``; what it handed to after_response runs when the server closes the
    response, which WSGI servers do after the last byte is written (PEP 3333)."""
    todo: list[Callable[[], None]] = []
    _request.todo = todo
    try:
        body = app(environ, start_response)
    except BaseException:
        _run(todo)  # the response failed; the work it accepted must still happen
        raise
    finally:
        _request.todo = None
    return _ThenRun(body, todo)


class _ThenRun:
    """A response body whose close() runs the deferred calls after the body's own close()."""

    def __init__(self, body: Iterable[bytes], todo: list[Callable[[], None]]) -> None:
        self._body = body
        self._todo = todo

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            _run(self._todo)


def _run(todo: list[Callable[[], None]]) -> None:
    while todo:
        call = todo.pop(0)
        try:
            call()
        except Exception:  # noqa: BLE001 - one failed hand-off must not drop the next
            log.exception("work handed on after a response failed")
