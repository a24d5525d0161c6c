"""End to end: `fwtrend serve --socket` as a process, against fake Socket Mode and Web API."""

from __future__ import annotations

import base64
import json
import secrets
import socket
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.bot_process import BOT_TOKEN, SIGNING_SECRET, BotProcess, procfile_command
from tests.fakes.slack_api import FakeSlack, app_mention_event, event_body, slash_command_body
from tests.fakes.socket_mode import FakeSocketMode, websocket_accept

APP_TOKEN = "xapp-1-A123-456-abcdef"
QUESTION = "pytorch tensorflow github-stars since 2020"
ACK_BUDGET = 1.0  # Slack allows 3 s; on loopback an ack that takes a second is already wrong
START_TIMEOUT = 60.0


class SocketBot(BotProcess):
    """`fwtrend serve --socket`, started from the Procfile's web command, stopped by its pid."""

    def __init__(self, fake: FakeSlack, sockets: FakeSocketMode, db: Path) -> None:
        super().__init__(fake, db, ready_timeout=START_TIMEOUT, SLACK_APP_TOKEN=APP_TOKEN)
        del self.env["SLACK_SIGNING_SECRET"]  # Socket Mode must not need it
        self.argv = [*procfile_command("web"), "--socket"]
        self.sockets = sockets

    def ready(self) -> bool:
        """Connected: Socket Mode has no HTTP port to ask."""
        try:
            # Short waits, so a bot that dies during start-up is noticed at once.
            self.sockets.wait_for_connection(timeout=0.2)
        except AssertionError:
            return False
        return True


@pytest.fixture
def sockets() -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as server:
        yield server
    assert server.errors == [] and server.rejected == []


@pytest.fixture
def fake(sockets: FakeSocketMode) -> Iterator[FakeSlack]:
    # Only APP_TOKEN may open a Socket Mode connection: proves the bot sends SLACK_APP_TOKEN.
    with FakeSlack(app_token=APP_TOKEN, socket_mode_url=sockets.url) as server:
        yield server
    assert server.errors == []


@pytest.fixture
def bot(fake: FakeSlack, sockets: FakeSocketMode, db: Path) -> Iterator[SocketBot]:
    with SocketBot(fake, sockets, db) as process:
        yield process
    print(process.log)  # shown by pytest when the test failed
    for secret in (APP_TOKEN, BOT_TOKEN, SIGNING_SECRET):
        assert secret not in process.log


def slash_payload(text: str, response_url: str) -> dict[str, str]:
    """A slash command as Socket Mode delivers it: the HTTP form's fields as a JSON object."""
    body = slash_command_body(text, response_url=response_url, trigger_id="1234.5678.abcd")
    return dict(parse_qsl(body.decode(), keep_blank_values=True))


def all_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def block(blocks: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(b for b in blocks if b["type"] == kind)


# ---------------------------------------------------------------- the bot over Socket Mode


def test_connects_with_the_app_token_and_no_signing_secret(
    fake: FakeSlack, sockets: FakeSocketMode, bot: SocketBot
) -> None:
    assert "SLACK_SIGNING_SECRET" not in bot.env
    [opened] = fake.calls_to("apps.connections.open")
    assert opened.ok and opened.response["url"] == sockets.url
    checks = fake.calls_to("auth.test")  # the CLI's check and Bolt's, with the bot token
    assert checks and all(c.ok for c in checks)
    [conn] = sockets.connections
    assert conn.is_open and conn.headers["upgrade"] == "websocket"
    assert "Socket Mode as fwtrend @ fwtrend test" in bot.log
    assert APP_TOKEN not in bot.log and BOT_TOKEN not in bot.log  # again at teardown, for all


def test_slash_command_is_acked_at_once_then_answered(
    fake: FakeSlack, sockets: FakeSocketMode, bot: SocketBot
) -> None:
    payload = slash_payload(QUESTION, fake.response_url("sock1"))
    assert payload["is_enterprise_install"] == "false" and payload["command"] == "/fwtrend"
    envelope_id = sockets.send_envelope("slash_commands", payload)
    ack = sockets.wait_for_ack(envelope_id, timeout=3)
    assert ack.seconds < ACK_BUDGET
    assert ack.payload is None  # the answer follows on the response_url, not in the ack
    [reply] = fake.wait_for_hook("sock1", timeout=15)
    assert reply["response_type"] == "ephemeral"
    blocks = reply["blocks"]
    assert block(blocks, "header")["text"]["text"] == "GitHub stars: PyTorch, TensorFlow"
    figures = " ".join(f["text"] for f in block(blocks, "section")["fields"])
    assert "101,967 stars" in figures and "196,576 stars" in figures


def test_help_is_answered_in_the_ack(
    fake: FakeSlack, sockets: FakeSocketMode, bot: SocketBot
) -> None:
    envelope_id = sockets.send_envelope(
        "slash_commands", slash_payload("help", fake.response_url("h"))
    )
    ack = sockets.wait_for_ack(envelope_id, timeout=3)
    assert ack.seconds < ACK_BUDGET
    # Bolt puts the ack's body in the envelope response's payload; Slack shows it to the user.
    assert ack.payload is not None and ack.payload["response_type"] == "ephemeral"
    text = all_text(ack.payload["blocks"])
    assert "/fwtrend pytorch hf-models" in text
    time.sleep(0.3)
    assert fake.hooks("h") == []  # the ack was the whole answer


def test_mention_is_answered_once_even_when_redelivered(
    fake: FakeSlack, sockets: FakeSocketMode, bot: SocketBot
) -> None:
    event = app_mention_event("pytorch github-stars since 2022", channel="C777", ts="1700.0001")
    payload = json.loads(event_body(event, event_id="Ev0SOCKET1"))
    first = sockets.send_envelope("events_api", payload)
    ack = sockets.wait_for_ack(first, timeout=3)
    assert ack.seconds < ACK_BUDGET and ack.payload is None
    [post] = fake.wait_for("chat.postMessage", timeout=15)
    assert post.params["channel"] == "C777" and post.params["thread_ts"] == "1700.0001"
    assert "PyTorch" in post.params["text"]
    # Slack redelivers an event whose ack it missed: same event_id, in a new envelope.
    again = sockets.send_envelope("events_api", payload, retry_attempt=1, retry_reason="timeout")
    assert sockets.wait_for_ack(again, timeout=3).seconds < ACK_BUDGET
    fake.wait_for("files.completeUploadExternal", timeout=15)  # the first answer is complete
    time.sleep(0.5)
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_a_dropped_redelivery_is_logged(sockets: FakeSocketMode, bot: SocketBot) -> None:
    payload = json.loads(event_body(app_mention_event("keras github-stars"), event_id="Ev0LOG"))
    sockets.wait_for_ack(sockets.send_envelope("events_api", payload), timeout=3)
    again = sockets.send_envelope("events_api", payload, retry_attempt=1, retry_reason="timeout")
    sockets.wait_for_ack(again, timeout=3)
    assert "dropped a redelivery of event Ev0LOG" in bot.log


def test_reconnects_when_slack_asks_it_to(
    fake: FakeSlack, sockets: FakeSocketMode, bot: SocketBot
) -> None:
    [first] = sockets.connections
    sockets.send_disconnect("refresh_requested")
    second = sockets.wait_for_connection(2, timeout=15)
    assert len(fake.calls_to("apps.connections.open")) == 2  # a fresh URL for the new one
    # slack_sdk closes the old socket, and only then reads the new one, once the old one's
    # 3 s receive timeout has let go of its lock: envelopes sent meanwhile wait up to 3 s.
    sockets.wait_for_close(first, timeout=10)
    envelope_id = sockets.send_envelope(
        "slash_commands", slash_payload("help", fake.response_url("r"))
    )
    ack = sockets.wait_for_ack(envelope_id, timeout=3)
    assert ack.connection == second.id and ack.payload is not None
    assert "/fwtrend pytorch hf-models" in all_text(ack.payload["blocks"])


# ---------------------------------------------------------------- the fakes themselves


def test_apps_connections_open_takes_only_the_app_token() -> None:
    with FakeSlack(app_token=APP_TOKEN, socket_mode_url="ws://127.0.0.1:9/link/") as fake:
        client = WebClient(base_url=fake.url, timeout=5)
        assert client.apps_connections_open(app_token=APP_TOKEN)["url"] == "ws://127.0.0.1:9/link/"
        refusals = {
            BOT_TOKEN: "not_allowed_token_type",
            "xapp-1-A123-999-other": "invalid_auth",
            "not-a-token": "invalid_auth",
        }
        for token, error in refusals.items():
            with pytest.raises(SlackApiError) as err:
                client.apps_connections_open(app_token=token)
            assert err.value.response["error"] == error
        # And the app-level token is no bot token.
        with pytest.raises(SlackApiError) as err:
            WebClient(token=APP_TOKEN, base_url=fake.url).auth_test()
        assert err.value.response["error"] == "invalid_auth"
        fake.socket_mode_url = None
        with pytest.raises(SlackApiError) as err:
            client.apps_connections_open(app_token=APP_TOKEN)
        assert err.value.response["error"] == "socket_mode_not_enabled"
        assert fake.errors == []


def _handshake(url: str, key: str = "dGhlIHNhbXBsZSBub25jZQ==") -> tuple[socket.socket, bytes]:
    parts = urlsplit(url)
    assert parts.port is not None
    sock = socket.create_connection(("127.0.0.1", parts.port), timeout=5)
    request = (
        f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    sock.sendall(request.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        assert chunk, f"closed during the handshake: {head!r}"
        head += chunk
    return sock, head


def _send(
    sock: socket.socket, opcode: int, data: bytes, *, fin: bool = True, mask: bool = True
) -> None:
    head = bytes([(0x80 if fin else 0) | opcode])
    key = secrets.token_bytes(4) if mask else b""
    length = len(data)
    flag = 0x80 if mask else 0
    if length <= 125:
        head += bytes([flag | length])
    else:
        head += bytes([flag | 126]) + struct.pack("!H", length)
    body = bytes(b ^ key[i % 4] for i, b in enumerate(data)) if mask else data
    sock.sendall(head + key + body)


def _receive(sock: socket.socket) -> tuple[int, bytes]:
    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            assert chunk, "connection closed"
            data += chunk
        return data

    b1, b2 = exactly(2)
    assert b1 & 0x80 and not b2 & 0x80, "server frames are final and unmasked"
    length = b2 & 0x7F
    if length == 126:
        length = struct.unpack("!H", exactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", exactly(8))[0]
    return b1 & 0x0F, exactly(length)


def test_fake_socket_server_speaks_rfc_6455() -> None:
    with FakeSocketMode() as server:
        sock, head = _handshake(server.url)
        with sock:
            # The RFC's own example key and answer.
            assert head.startswith(b"HTTP/1.1 101 ")
            assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" in head
            assert websocket_accept("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
            opcode, data = _receive(sock)
            hello = json.loads(data)
            assert opcode == 0x1 and hello["type"] == "hello"
            assert hello["connection_info"] == {"app_id": "A123"} and hello["num_connections"] == 1
            envelope_id = server.send_envelope("interactive", {"type": "block_actions"})
            opcode, data = _receive(sock)
            envelope = json.loads(data)
            assert envelope["envelope_id"] == envelope_id
            assert envelope["accepts_response_payload"] is False and "retry_attempt" not in envelope
            # A fragmented ack with a ping in the middle: the pong comes at once.
            ack = json.dumps({"envelope_id": envelope_id, "payload": {"text": "x" * 200}}).encode()
            _send(sock, 0x1, ack[:10], fin=False)
            _send(sock, 0x9, b"are you there")
            assert _receive(sock) == (0xA, b"are you there")
            _send(sock, 0x0, ack[10:150], fin=False)
            _send(sock, 0x0, ack[150:])
            assert server.wait_for_ack(envelope_id, timeout=5).payload == {"text": "x" * 200}
            # The server's ping is answered by the client.
            [conn] = server.connections
            conn.ping(b"server ping")
            assert _receive(sock) == (0x9, b"server ping")
            _send(sock, 0xA, b"server ping")
            conn.wait_for_pong(b"server ping")
            # Closing: the close frame is echoed, then the server hangs up.
            _send(sock, 0x8, struct.pack("!H", 1000) + b"bye")
            assert _receive(sock) == (0x8, struct.pack("!H", 1000))
            assert sock.recv(1) == b""
        server.wait_for_close(conn)
        assert (conn.close_code, conn.close_reason, conn.how) == (1000, "bye", "client close")
        assert server.errors == [] and server.rejected == []


def test_fake_socket_server_refuses_bad_clients() -> None:
    with FakeSocketMode() as server:
        sock, head = _handshake(server.url.replace(server.ticket, "stolen"))
        sock.close()
        assert head.startswith(b"HTTP/1.1 401 ")
        sock, head = _handshake(server.url, key=base64.b64encode(b"short").decode())
        sock.close()
        assert head.startswith(b"HTTP/1.1 400 ")
        assert len(server.rejected) == 2 and server.connections == []
        sock, _ = _handshake(server.url)
        with sock:
            _receive(sock)  # hello
            _send(sock, 0x1, b'{"envelope_id": "never-sent"}', mask=False)
            assert _receive(sock) == (0x8, struct.pack("!H", 1002) + b"unmasked client frame")
        [conn] = server.connections
        server.wait_for_close(conn)
        assert server.errors == ["connection 1: unmasked client frame"]
