"""Hostile HTTP against the real web process: every refusal is a 4xx with one short log line."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.bot_process import BOT_TOKEN, SIGNING_SECRET, BotProcess
from tests.fakes.slack_api import FakeSlack, sign, slash_command_body

HEX = "0123456789abcdef" * 3
CHART = HEX[:40] + ".png"  # well-formed, but no such chart
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass
class Hostile:
    """One request, sent byte for byte as given (no client tidies it up)."""

    method: str
    path: str
    status: int
    body: bytes = b""
    content_type: str | None = FORM
    signed: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    content_length: str | None = None  # None: the real length
    chunked: bool = False
    raw: bytes | None = None  # the whole request, for HTTP gunicorn itself refuses


def raw_request(first_line: bytes, *headers: bytes) -> bytes:
    return (
        first_line
        + b"\r\nHost: x\r\nConnection: close\r\n"
        + b"".join(h + b"\r\n" for h in headers)
        + b"\r\n"
    )


def command() -> bytes:
    return slash_command_body("pytorch github-stars", response_url="http://127.0.0.1:9/hooks/x")


def nested_json() -> bytes:
    return b"[" * 50_000 + b"]" * 50_000


def stale() -> dict[str, str]:
    return sign(command(), SIGNING_SECRET, timestamp=int(time.time()) - 600)


def future() -> dict[str, str]:
    return sign(command(), SIGNING_SECRET, timestamp=int(time.time()) + 3600)


ROWS: dict[str, Hostile] = {
    # 401: who sent it is unknown
    "unsigned form": Hostile("POST", "/slack/events", 401, command()),
    "unsigned non-UTF-8": Hostile("POST", "/slack/events", 401, b"\xff\xfe\x80 garbage"),
    "non-numeric timestamp": Hostile(
        "POST",
        "/slack/events",
        401,
        command(),
        headers={"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "0" * 64},
    ),
    "unicode-digit timestamp": Hostile(
        "POST",
        "/slack/events",
        401,
        command(),
        headers={"X-Slack-Request-Timestamp": "١٢٣", "X-Slack-Signature": "v0=" + "0" * 64},
    ),
    "stale timestamp": Hostile("POST", "/slack/events", 401, command(), headers=stale()),
    "future timestamp": Hostile("POST", "/slack/events", 401, command(), headers=future()),
    "wrong signature": Hostile(
        "POST",
        "/slack/events",
        401,
        command(),
        headers={**sign(command(), SIGNING_SECRET), "X-Slack-Signature": "v0=" + "a" * 64},
    ),
    "signature not v0": Hostile(
        "POST",
        "/slack/events",
        401,
        command(),
        headers={**sign(command(), SIGNING_SECRET), "X-Slack-Signature": "v1=abc"},
    ),
    "non-ASCII signature": Hostile(
        "POST",
        "/slack/events",
        401,
        command(),
        headers={**sign(command(), SIGNING_SECRET), "X-Slack-Signature": "v0=é" + "0" * 63},
    ),
    # 400: signed, but not something Slack sends
    "signed random bytes": Hostile("POST", "/slack/events", 400, bytes(range(256)), signed=True),
    "signed JSON that isn't": Hostile(
        "POST", "/slack/events", 400, b"{not json", content_type=JSON, signed=True
    ),
    "signed JSON array": Hostile("POST", "/slack/events", 400, b"[1, 2]", JSON, signed=True),
    "signed deeply nested JSON": Hostile(
        "POST", "/slack/events", 400, nested_json(), JSON, signed=True
    ),
    "signed form without command fields": Hostile(
        "POST", "/slack/events", 400, b"foo=bar&text=hi", signed=True
    ),
    "signed form with a non-JSON payload": Hostile(
        "POST", "/slack/events", 400, b"payload=%7Bnope", signed=True
    ),
    "signed malformed form": Hostile("POST", "/slack/events", 400, b"a=1&&=&b", signed=True),
    "signed text/plain": Hostile(
        "POST", "/slack/events", 415, b"hello", content_type="text/plain", signed=True
    ),
    "no content type": Hostile("POST", "/slack/events", 415, command(), None, signed=True),
    # 413: too big, refused before it is read
    "declared 2 MB": Hostile("POST", "/slack/events", 413, b"", content_length=str(2 * 2**20)),
    "chunked 1.1 MB": Hostile("POST", "/slack/events", 413, b"x" * 1_150_000, chunked=True),
    # wrong methods, unknown routes
    "GET the Slack endpoint": Hostile("GET", "/slack/events", 405, content_type=None),
    "POST healthz": Hostile("POST", "/healthz", 405),
    "DELETE a chart": Hostile("DELETE", "/charts/" + CHART, 405, content_type=None),
    "unknown route": Hostile("GET", "/.env", 404, content_type=None),
    "under the Slack path": Hostile("GET", "/slack/events/../healthz", 404, content_type=None),
    # path tricks on the chart route
    "dot-dot": Hostile("GET", "/charts/../fwtrend.db", 404, content_type=None),
    "encoded slash": Hostile("GET", "/charts/..%2Ffwtrend.db", 404, content_type=None),
    "encoded dot-dot": Hostile("GET", "/charts/%2e%2e%2ffwtrend.db", 404, content_type=None),
    "encoded name": Hostile("GET", "/charts/" + CHART.replace(".", "%2E"), 404, content_type=None),
    "encoded NUL": Hostile("GET", "/charts/" + CHART + "%00", 404, content_type=None),
    "over-long name": Hostile("GET", "/charts/" + "a" * 1000 + ".png", 404, content_type=None),
    "wrong suffix": Hostile("GET", "/charts/" + HEX[:40] + ".gif", 404, content_type=None),
    "unknown chart": Hostile("GET", "/charts/" + CHART, 404, content_type=None),
    # malformed HTTP, which gunicorn answers before the app sees it
    "NUL in the request line": Hostile(
        "GET", "/charts/", 400, raw=raw_request(b"GET /charts/a\x00b.png HTTP/1.1")
    ),
    "non-numeric Content-Length": Hostile(
        "POST",
        "/slack/events",
        400,
        raw=raw_request(b"POST /slack/events HTTP/1.1", b"Content-Length: abc"),
    ),
    "negative Content-Length": Hostile(
        "POST",
        "/slack/events",
        400,
        raw=raw_request(b"POST /slack/events HTTP/1.1", b"Content-Length: -5"),
    ),
    "request line over 4 KB": Hostile(
        "GET", "/", 414, raw=raw_request(b"GET /" + b"a" * 5000 + b" HTTP/1.1")
    ),
}


def send(bot: BotProcess, row: Hostile) -> int:
    """The request as raw bytes on a socket; the response's status code."""
    if row.raw is not None:
        return exchange(bot, row.raw)
    body = row.body
    if row.signed:
        headers = {**sign(body, SIGNING_SECRET), **row.headers}
    else:
        headers = dict(row.headers)
    if row.content_type:
        headers["Content-Type"] = row.content_type
    if row.chunked:
        headers["Transfer-Encoding"] = "chunked"
        step = 64 * 1024
        parts = [body[i : i + step] for i in range(0, len(body), step)]
        body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
    elif row.content_length is not None:
        headers["Content-Length"] = row.content_length
    elif row.method == "POST" or body:
        headers["Content-Length"] = str(len(body))
    head = f"{row.method} {row.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return exchange(bot, head.encode("utf-8") + body)


def exchange(bot: BotProcess, request: bytes) -> int:
    with socket.create_connection(("127.0.0.1", bot.port), timeout=10) as sock:
        sock.sendall(request)
        reply = b""
        while b"\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    return int(reply.split(b" ", 2)[1])


def refusal_lines(log: str) -> list[str]:
    marks = ("refused ", "suppressed ", "Invalid request from")
    return [line for line in log.splitlines() if any(mark in line for mark in marks)]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture(scope="module")
def bot(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    from bot.knowledge import default_knowledge_dir
    from bot.store import open_store

    db = tmp_path_factory.mktemp("hostile") / "fwtrend.db"
    open_store(db, default_knowledge_dir()).db.close()
    process = BotProcess(fake, db, FWTREND_ANSWER_PROCESSES="1")
    process.env["FWTREND_PUBLIC_URL"] = process.url  # so the chart route exists
    with process:
        yield process


@pytest.mark.parametrize("name", list(ROWS))
def test_hostile_request_is_refused_with_a_4xx_and_one_log_line(bot: BotProcess, name: str) -> None:
    row = ROWS[name]
    before = len(refusal_lines(bot.log))
    assert send(bot, row) == row.status
    lines = refusal_lines(bot.log)[before:]
    assert len(lines) == 1, lines
    [line] = lines
    if row.raw is None:
        assert f"→ {row.status}:" in line and row.method in line
    else:
        assert "Invalid request from" in line
    log = bot.log
    assert "Traceback" not in log and " 500 " not in log
    assert SIGNING_SECRET not in log and BOT_TOKEN not in log and "v0=" not in log
    assert len(line) < 300
    status, _, health = bot.get("/healthz")
    assert status == 200 and json.loads(health)["ok"] is True


def test_a_well_formed_request_still_gets_through(bot: BotProcess, fake: FakeSlack) -> None:
    body = slash_command_body("pytorch github-stars", response_url=fake.response_url("ok"))
    assert bot.post(body)[0] == 200
    [reply] = fake.wait_for_hook("ok", timeout=15)
    assert "PyTorch" in reply["text"]


def test_a_flood_of_refusals_is_capped_in_the_log(fake: FakeSlack, db: Path) -> None:
    from bot.server.refusal_log import PER_WINDOW

    with BotProcess(fake, db, FWTREND_ANSWER_PROCESSES="1") as bot:
        for _ in range(3 * PER_WINDOW):
            assert send(bot, ROWS["unsigned form"]) == 401
        assert send(bot, ROWS["unknown route"]) == 404  # another reason has its own budget
        for _ in range(2 * PER_WINDOW):  # HTTP so broken that gunicorn refuses it
            assert send(bot, ROWS["NUL in the request line"]) == 400
        lines = refusal_lines(bot.log)
    unsigned = [line for line in lines if "unsigned" in line]
    assert len(unsigned) == PER_WINDOW
    assert len([line for line in lines if "unknown route" in line]) == 1
    assert len([line for line in lines if "Invalid request from" in line]) == PER_WINDOW
