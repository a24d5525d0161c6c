"""A fake Slack Socket Mode server: a real WebSocket endpoint on 127.0.0.1, for tests.

Standard library only, like ``tests.fakes.slack_api``::

    with FakeSocketMode() as sockets, FakeSlack(socket_mode_url=sockets.url) as fake:
        ...                                             # start the bot with an xapp- token
        sockets.wait_for_connection(timeout=30)         # handshake done, hello sent
        envelope_id = sockets.send_envelope("slash_commands", {"command": "/fwtrend", ...})
        ack = sockets.wait_for_ack(envelope_id, timeout=3)
        ack.seconds, ack.payload                        # how fast, and what came back with it

What it does (as Slack does, as far as slack_sdk's built-in client looks):

* ``url`` is ``ws://127.0.0.1:<port>/link/?ticket=<ticket>&app_id=A123`` — what
  ``apps.connections.open`` answers (``FakeSlack(socket_mode_url=…)``). The ticket may be used
  for any number of connections (so a reconnecting client can reuse it); a handshake with
  another path or ticket, or without ``Upgrade: websocket``, ``Sec-WebSocket-Version: 13`` and a
  valid ``Sec-WebSocket-Key``, is answered with an HTTP error and listed in ``rejected``.
* After the RFC 6455 handshake (``101`` with ``Sec-WebSocket-Accept``) the server sends
  ``{"type": "hello", "num_connections": N, "debug_info": {…}, "connection_info": {"app_id": …}}``.
* Client frames must be masked; text messages may be fragmented (continuation frames, with
  control frames in between). Pings are answered with a pong carrying the same data; a close
  frame is echoed and the socket closed. Protocol violations (unmasked or binary frames, RSV
  bits, bad UTF-8 or JSON, oversized control frames, unknown opcodes) close the connection with
  the RFC's code and are listed in ``errors``.
* Server frames are never masked and never fragmented: slack_sdk's built-in client cannot
  reassemble fragmented server messages. Each frame goes out in one ``sendall``.
* ``send_envelope(type, payload)`` sends ``{"envelope_id", "type", "payload",
  "accepts_response_payload", …}`` (``retry_attempt``/``retry_reason`` for ``events_api``, as
  Slack does) to the newest open connection. Every text message from the client must be an ack,
  ``{"envelope_id": …, "payload": {…}?}``, for an envelope that was sent and not acked yet;
  anything else is listed in ``errors``.
* ``send_disconnect(reason)`` sends Slack's ``{"type": "disconnect", …}``, after which a client
  opens a new connection; ``Connection.close(code)`` closes one from the server's side.

Times are ``time.monotonic()``. ``stop()`` sends a 1001 close to each open connection, then
closes every socket and joins the threads.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import selectors
import socket
import struct
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from tests.fakes.slack_api import API_APP_ID

__all__ = ["Ack", "Connection", "FakeSocketMode", "websocket_accept"]

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
_MAX_HEAD = 16 * 1024  # bytes of HTTP request head before the handshake is refused
_MAX_MESSAGE = 16 * 1024 * 1024  # a Socket Mode ack is a few KiB; anything this big is a bug
_HANDSHAKE_TIMEOUT = 10.0
_CLOSE_WAIT = 2.0  # how long close() waits for the client to answer the closing handshake

OP_CONTINUATION = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA

# Close codes (RFC 6455, section 7.4.1).
NORMAL = 1000
GOING_AWAY = 1001
PROTOCOL_ERROR = 1002
UNSUPPORTED_DATA = 1003
INVALID_DATA = 1007
TOO_BIG = 1009

T = TypeVar("T")


def websocket_accept(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` value for a client's ``Sec-WebSocket-Key``."""
    return base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()


@dataclass
class Ack:
    """A client's acknowledgement of an envelope."""

    envelope_id: str
    message: dict[str, Any]
    """The ack as the client sent it (``envelope_id`` and, optionally, ``payload``)."""
    time: float
    """When it arrived."""
    sent: float
    """When its envelope was sent."""
    connection: int
    """``Connection.id`` it came in on."""

    @property
    def payload(self) -> dict[str, Any] | None:
        """What the app answered with (e.g. a slash command's ephemeral reply), if anything."""
        payload = self.message.get("payload")
        return payload if isinstance(payload, dict) else None

    @property
    def seconds(self) -> float:
        """Time from sending the envelope to receiving this ack."""
        return self.time - self.sent


class _ProtocolError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class _Closed(Exception):
    """The peer went away (EOF or a reset) while a frame was being read."""


@dataclass(eq=False)
class Connection:
    """One WebSocket connection of a client, from the handshake on."""

    id: int
    path: str
    """Request target of the handshake (path and query)."""
    headers: dict[str, str] = field(repr=False)
    """Handshake request headers, names lower-cased."""
    opened: float = field(repr=False)
    hello: dict[str, Any] = field(default_factory=dict, repr=False)
    """The hello message sent on this connection."""
    messages: list[dict[str, Any]] = field(default_factory=list, repr=False)
    """Every text message received, decoded."""
    pings: list[bytes] = field(default_factory=list, repr=False)
    """Data of the pings the client sent (each was answered with a pong)."""
    pongs: list[bytes] = field(default_factory=list, repr=False)
    """Data of the pongs the client sent."""
    closed: float | None = field(default=None, repr=False)
    """When the connection ended (``None`` while open)."""
    close_code: int | None = None
    """Close code the client sent, ``None`` if it just hung up."""
    close_reason: str = ""
    how: str = ""
    """How it ended: ``"client close"``, ``"server close"``, ``"eof"``, ``"error"``, ``"stop"``."""

    _server: FakeSocketMode = field(repr=False, default=None)  # type: ignore[assignment]
    _sock: socket.socket = field(repr=False, default=None)  # type: ignore[assignment]
    _buffer: bytearray = field(repr=False, default_factory=bytearray)
    _send_lock: threading.Lock = field(repr=False, default_factory=threading.Lock)
    _close_sent: bool = field(repr=False, default=False)
    _done: threading.Event = field(repr=False, default_factory=threading.Event)

    @property
    def is_open(self) -> bool:
        return self.closed is None

    # -- sending ------------------------------------------------------------------------------

    def send_json(self, message: dict[str, Any]) -> None:
        """Send one JSON text message (one unfragmented frame)."""
        self._send_frame(OP_TEXT, json.dumps(message).encode())

    def ping(self, data: bytes = b"fake-slack-ping") -> None:
        """Send a ping; the client's pong shows up in ``pongs`` (``wait_for_pong``)."""
        self._send_frame(OP_PING, data)

    def wait_for_pong(self, data: bytes, timeout: float = 5.0) -> None:
        self._server._wait(
            lambda: data in self.pongs or None, timeout, f"a pong {data!r} on connection {self.id}"
        )

    def close(self, code: int = NORMAL, reason: str = "", *, wait: float = _CLOSE_WAIT) -> None:
        """Start the closing handshake and wait (up to ``wait`` s) for the client to end it;
        then the socket is closed either way."""
        try:
            self._send_close(code, reason)
        except OSError:
            pass
        self._set_closed("server close")
        if not self._done.wait(wait):
            self._shutdown()

    def _send_close(self, code: int, reason: str = "") -> None:
        with self._send_lock:
            if self._close_sent:
                return
            self._close_sent = True
        text = reason.encode()[:123].decode(errors="ignore").encode()  # whole characters only
        self._send_frame(OP_CLOSE, struct.pack("!H", code) + text, force=True)

    def _send_frame(self, opcode: int, data: bytes, *, force: bool = False) -> None:
        if opcode >= OP_CLOSE and len(data) > 125:
            raise ValueError("control frames carry at most 125 bytes")
        head = bytes([0x80 | opcode])  # FIN, no RSV bits, never masked (server to client)
        if len(data) <= 125:
            head += bytes([len(data)])
        elif len(data) <= 0xFFFF:
            head += bytes([126]) + struct.pack("!H", len(data))
        else:
            head += bytes([127]) + struct.pack("!Q", len(data))
        with self._send_lock:
            if self._close_sent and not force:
                raise ConnectionError(f"connection {self.id} is closing")
            # One sendall per frame: slack_sdk's reader does not expect a frame split in parts
            # it has to wait for (a 3 s receive timeout mid-frame loses the frame).
            self._sock.sendall(head + data)

    # -- receiving ----------------------------------------------------------------------------

    def _run(self) -> None:
        """Read frames until the connection ends (reader thread)."""
        fragments: list[bytes] | None = None  # the text message being reassembled
        try:
            while True:
                fin, opcode, data = self._read_frame()
                if opcode == OP_PING:
                    with self._server._cond:
                        self.pings.append(data)
                        self._server._cond.notify_all()
                    if not self._close_sent:
                        self._send_frame(OP_PONG, data)
                elif opcode == OP_PONG:
                    with self._server._cond:
                        self.pongs.append(data)
                        self._server._cond.notify_all()
                elif opcode == OP_CLOSE:
                    self._on_close_frame(data)
                    return
                elif opcode == OP_TEXT:
                    if fragments is not None:
                        raise _ProtocolError(
                            PROTOCOL_ERROR, "text frame inside a fragmented message"
                        )
                    fragments = [data]
                elif opcode == OP_CONTINUATION:
                    if fragments is None:
                        raise _ProtocolError(PROTOCOL_ERROR, "continuation frame without a start")
                    fragments.append(data)
                    if sum(map(len, fragments)) > _MAX_MESSAGE:
                        raise _ProtocolError(TOO_BIG, "message too big")
                elif opcode == OP_BINARY:
                    raise _ProtocolError(UNSUPPORTED_DATA, "binary frame (Socket Mode speaks JSON)")
                else:
                    raise _ProtocolError(PROTOCOL_ERROR, f"unknown opcode {opcode:#x}")
                if fin and fragments is not None and opcode in (OP_TEXT, OP_CONTINUATION):
                    message, fragments = b"".join(fragments), None
                    self._server._on_message(self, message)
        except _ProtocolError as exc:
            self._server._error(f"connection {self.id}: {exc.reason}")
            try:
                self._send_close(exc.code, exc.reason)
            except OSError:
                pass
            self._set_closed("error")
        except (_Closed, OSError):
            self._set_closed("eof")  # unless it was already closed for another reason
        except Exception:  # a bug in the fake: keep the traceback for the test
            self._server._error(traceback.format_exc())
            self._set_closed("error")
        finally:
            self._shutdown()
            self._done.set()

    def _on_close_frame(self, data: bytes) -> None:
        if len(data) == 1 or len(data) > 125:
            raise _ProtocolError(PROTOCOL_ERROR, "malformed close frame")
        code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None
        try:
            reason = data[2:].decode()
        except UnicodeDecodeError:
            raise _ProtocolError(INVALID_DATA, "close reason is not UTF-8") from None
        with self._server._cond:
            if self.close_code is None:  # also when answering the server's own close
                self.close_code, self.close_reason = code, reason
            self._server._cond.notify_all()
        try:
            self._send_close(code if code is not None else NORMAL)  # the closing handshake
        except OSError:
            pass
        self._set_closed("client close")

    def _read_frame(self) -> tuple[bool, int, bytes]:
        b1, b2 = self._read(2)
        fin, opcode = bool(b1 & 0x80), b1 & 0x0F
        if b1 & 0x70:
            raise _ProtocolError(PROTOCOL_ERROR, "RSV bits set without an extension")
        if not b2 & 0x80:
            raise _ProtocolError(PROTOCOL_ERROR, "unmasked client frame")
        length = b2 & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8))[0]
        if opcode >= OP_CLOSE and (length > 125 or not fin):
            raise _ProtocolError(PROTOCOL_ERROR, "control frame too long or fragmented")
        if length > _MAX_MESSAGE:
            raise _ProtocolError(TOO_BIG, "frame too big")
        mask = self._read(4)
        payload = self._read(length)
        # XOR with the repeating 4-byte key, done on whole integers rather than byte by byte.
        key = (mask * (length // 4 + 1))[:length]
        unmasked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(
            length, "big"
        )
        return fin, opcode, unmasked

    def _read(self, n: int) -> bytes:
        while len(self._buffer) < n:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise _Closed()
            self._buffer += chunk
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    def _set_closed(self, how: str) -> None:
        with self._server._cond:
            if self.closed is None:
                self.closed, self.how = time.monotonic(), how
            self._server._cond.notify_all()

    def _shutdown(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the reader thread's recv
        except OSError:
            pass
        self._sock.close()


class FakeSocketMode:
    """Slack's Socket Mode WebSocket endpoint on ``127.0.0.1:<free port>``."""

    def __init__(self, *, app_id: str = API_APP_ID, send_hello: bool = True) -> None:
        self.app_id = app_id
        self.send_hello = send_hello
        self.ticket = secrets.token_hex(16)
        self._cond = threading.Condition(threading.RLock())
        self._connections: list[Connection] = []
        self._envelopes: dict[str, dict[str, Any]] = {}
        self._sent_at: dict[str, float] = {}
        self._acks: dict[str, Ack] = {}
        self._errors: list[str] = []
        self._rejected: list[str] = []
        self._threads: list[threading.Thread] = []
        self._handshaking: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None
        self._stopping = threading.Event()

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeSocketMode:
        if self._listener is not None:
            return self
        self._stopping.clear()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._wake = socket.socketpair()  # stop() writes here to end the accept loop
        self._spawn(self._accept_loop, f"FakeSocketMode:{self.port}")
        return self

    def stop(self) -> None:
        listener, wake = self._listener, self._wake
        if listener is None or wake is None:
            return
        self._stopping.set()
        wake[1].send(b"x")
        with self._cond:
            handshaking = list(self._handshaking)
        for sock in handshaking:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # a client that never finished its handshake
            except OSError:
                pass
        for conn in self.connections:
            if conn.is_open:
                try:
                    conn._send_close(GOING_AWAY, "server stopping")
                except OSError:
                    pass
                conn._set_closed("stop")
            conn._shutdown()
        with self._cond:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=5)
        listener.close()
        for sock in wake:
            sock.close()
        self._listener = self._wake = None

    def __enter__(self) -> FakeSocketMode:
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
        if self._listener is None:
            raise RuntimeError("FakeSocketMode is not started")
        return int(self._listener.getsockname()[1])

    @property
    def url(self) -> str:
        """The WebSocket URL ``apps.connections.open`` hands out."""
        return f"ws://127.0.0.1:{self.port}/link/?ticket={self.ticket}&app_id={self.app_id}"

    # -- inspection ---------------------------------------------------------------------------

    @property
    def connections(self) -> list[Connection]:
        """Every connection that completed the handshake, oldest first."""
        with self._cond:
            return list(self._connections)

    @property
    def acks(self) -> list[Ack]:
        with self._cond:
            return sorted(self._acks.values(), key=lambda a: a.time)

    @property
    def envelopes(self) -> list[dict[str, Any]]:
        """Every envelope (and disconnect message) sent, in order."""
        with self._cond:
            return list(self._envelopes.values())

    @property
    def errors(self) -> list[str]:
        """Protocol violations by clients and bugs in the fake (should stay empty)."""
        with self._cond:
            return list(self._errors)

    @property
    def rejected(self) -> list[str]:
        """Refused handshakes, each with the reason."""
        with self._cond:
            return list(self._rejected)

    def wait_for_connection(self, count: int = 1, timeout: float = 10.0) -> Connection:
        """Block until ``count`` connections were made (hello sent); return the ``count``-th."""
        return self._wait(
            lambda: self._connections[count - 1] if len(self._connections) >= count else None,
            timeout,
            f"{count} connection(s)",
        )

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> Ack:
        """Block until the client acknowledged ``envelope_id``."""
        return self._wait(lambda: self._acks.get(envelope_id), timeout, f"ack of {envelope_id}")

    def wait_for_close(self, connection: Connection, timeout: float = 5.0) -> Connection:
        return self._wait(
            lambda: connection if connection.closed is not None else None,
            timeout,
            f"connection {connection.id} to close",
        )

    # -- sending ------------------------------------------------------------------------------

    def send_envelope(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
        envelope_id: str | None = None,
        connection: Connection | None = None,
    ) -> str:
        """Send an envelope (``"slash_commands"``, ``"events_api"``, ``"interactive"``) to
        ``connection`` (default: the newest open one); return its ``envelope_id``.

        ``accepts_response_payload`` defaults to Slack's: true for slash commands and for
        interactive payloads that can be answered in the ack (view submissions, options).
        ``retry_attempt``/``retry_reason`` default to 0 and "" for ``events_api`` and are
        left out otherwise.
        """
        envelope_id = envelope_id or str(uuid.uuid4())
        if accepts_response_payload is None:
            accepts_response_payload = type == "slash_commands" or (
                type == "interactive"
                and payload.get("type") in ("view_submission", "block_suggestion")
            )
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api" or retry_attempt is not None or retry_reason is not None:
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        target = connection or self._newest_open()
        with self._cond:
            if envelope_id in self._envelopes:
                raise ValueError(f"envelope {envelope_id} was sent already")
            self._envelopes[envelope_id] = envelope
            self._sent_at[envelope_id] = time.monotonic()
        target.send_json(envelope)
        return envelope_id

    def send_disconnect(
        self, reason: str = "warning", *, connection: Connection | None = None
    ) -> None:
        """Slack's notice that it will close ``connection`` soon (``"warning"``,
        ``"refresh_requested"``, ``"link_disabled"``): the client should reconnect."""
        target = connection or self._newest_open()
        target.send_json(
            {
                "type": "disconnect",
                "reason": reason,
                "debug_info": {"host": f"applink-fake-{target.id}"},
            }
        )

    def _newest_open(self) -> Connection:
        with self._cond:
            for conn in reversed(self._connections):
                if conn.is_open:
                    return conn
        raise RuntimeError("no open Socket Mode connection")

    # -- serving ------------------------------------------------------------------------------

    def _spawn(self, target: Callable[..., None], name: str, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._cond:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        listener, wake = self._listener, self._wake
        assert listener is not None and wake is not None
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(wake[0], selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is wake[0] or self._stopping.is_set():
                        return
                    try:
                        sock, _addr = listener.accept()
                    except OSError:
                        continue
                    self._spawn(self._handle, f"FakeSocketMode-conn:{self.port}", sock)

    def _handle(self, sock: socket.socket) -> None:
        with self._cond:
            self._handshaking.add(sock)
        try:
            conn = self._handshake(sock)
        except Exception:
            self._error(traceback.format_exc())
            sock.close()
            return
        finally:
            with self._cond:
                self._handshaking.discard(sock)
        if conn is None:
            sock.close()
            return
        if self._stopping.is_set():  # stop() ran while this handshake was in flight
            conn._set_closed("stop")
            conn._shutdown()
            return
        conn._run()

    def _handshake(self, sock: socket.socket) -> Connection | None:
        sock.settimeout(_HANDSHAKE_TIMEOUT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # acks are tiny; no Nagle
        head = bytearray()
        while b"\r\n\r\n" not in head:
            try:
                chunk = sock.recv(4096)
            except OSError:
                return None
            if not chunk:
                return None
            head += chunk
            if len(head) > _MAX_HEAD:
                self._refuse(sock, 431, "Request Header Fields Too Large", "request head too big")
                return None
        raw, _, rest = bytes(head).partition(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        problem = self._handshake_problem(parts, headers)
        if problem is not None:
            status, text, reason = problem
            self._refuse(sock, status, text, f"{lines[0]!r}: {reason}")
            return None
        accept = websocket_accept(headers["sec-websocket-key"])
        sock.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n"
                "\r\n"
            ).encode()
        )
        sock.settimeout(None)  # the reader blocks in recv; stop() wakes it with shutdown()
        with self._cond:
            conn = Connection(
                id=len(self._connections) + 1,
                path=parts[1],
                headers=headers,
                opened=time.monotonic(),
                _server=self,
                _sock=sock,
                _buffer=bytearray(rest),  # a client may send frames right behind its request
            )
            open_now = sum(c.is_open for c in self._connections) + 1
            conn.hello = {
                "type": "hello",
                "num_connections": open_now,
                "debug_info": {
                    "host": f"applink-fake-{conn.id}",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
            if self.send_hello:
                conn.send_json(conn.hello)
            # Listed only once hello is out, so wait_for_connection means "ready for envelopes".
            self._connections.append(conn)
            self._cond.notify_all()
        return conn

    def _handshake_problem(
        self, parts: list[str], headers: dict[str, str]
    ) -> tuple[int, str, str] | None:
        if len(parts) != 3 or parts[0] != "GET" or not parts[2].startswith("HTTP/1."):
            return 400, "Bad Request", "not an HTTP/1.1 GET"
        target = urlsplit(parts[1])
        if target.path != "/link/":
            return 404, "Not Found", f"unknown path {target.path}"
        if parse_qs(target.query).get("ticket") != [self.ticket]:
            return 401, "Unauthorized", "missing or unknown ticket"
        if headers.get("upgrade", "").lower() != "websocket":
            return 426, "Upgrade Required", "no Upgrade: websocket"
        if "upgrade" not in [t.strip().lower() for t in headers.get("connection", "").split(",")]:
            return 400, "Bad Request", "no Connection: Upgrade"
        if headers.get("sec-websocket-version") != "13":
            return 426, "Upgrade Required", "Sec-WebSocket-Version is not 13"
        try:
            key = base64.b64decode(headers.get("sec-websocket-key", ""), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != 16:
            return 400, "Bad Request", "Sec-WebSocket-Key is not 16 random bytes in base64"
        return None

    def _refuse(self, sock: socket.socket, status: int, text: str, reason: str) -> None:
        with self._cond:
            self._rejected.append(reason)
            self._cond.notify_all()
        body = f"{status} {text}\n".encode()
        try:
            sock.sendall(
                f"HTTP/1.1 {status} {text}\r\nContent-Type: text/plain\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
        except OSError:
            pass

    def _on_message(self, conn: Connection, raw: bytes) -> None:
        arrived = time.monotonic()
        try:
            message = json.loads(raw.decode())
        except UnicodeDecodeError:
            raise _ProtocolError(INVALID_DATA, "text message is not UTF-8") from None
        except ValueError:
            self._error(f"connection {conn.id}: not JSON: {raw[:200]!r}")
            return
        with self._cond:
            conn.messages.append(message if isinstance(message, dict) else {"": message})
            self._cond.notify_all()
            envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
            if not isinstance(envelope_id, str):
                self._error(f"connection {conn.id}: not an ack: {raw[:200]!r}")
            elif envelope_id not in self._envelopes:
                self._error(f"connection {conn.id}: ack of an unknown envelope {envelope_id}")
            elif envelope_id in self._acks:
                self._error(f"connection {conn.id}: second ack of envelope {envelope_id}")
            elif "payload" in message and not isinstance(message["payload"], dict):
                self._error(f"connection {conn.id}: ack payload is not an object: {raw[:200]!r}")
            else:
                self._acks[envelope_id] = Ack(
                    envelope_id, message, arrived, self._sent_at[envelope_id], conn.id
                )

    def _error(self, text: str) -> None:
        with self._cond:
            self._errors.append(text)
            self._cond.notify_all()

    def _wait(self, found: Callable[[], T | None], timeout: float, what: str) -> T:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = found()
                if result is not None:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"no {what} within {timeout}s; connections: {self._connections};"
                        f" acks: {sorted(self._acks)}; errors: {self._errors};"
                        f" rejected: {self._rejected}"
                    )
                self._cond.wait(left)
