"""The bot's plain parts, without Slack: command routing, the admin gate, state, charts, web."""

from __future__ import annotations

import io
import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from wsgiref.util import setup_testing_defaults

import pytest

from bot.answers import Engine
from bot.models import Answer
from bot.server.admin import AdminGate
from bot.server.admin_messages import status_message
from bot.server.commands import clean_slack_text, parse_command
from bot.server.web import make_wsgi_app
from bot.slack import state as bot_state
from bot.slack.messages import help_message, notice
from bot.slack.state import BotState, SavedAnswer
from bot.store import Store, StoreTarget, open_store
from bot.store.chart_files import ChartFiles
from bot.store.status import build_status, format_bytes
from tests.conftest import KNOWLEDGE
from tests.fakes.slack_api import sign

SECRET = "8f742231b10e8888abcd99eeffaa85a5"

# ---------------------------------------------------------------- commands


@pytest.mark.parametrize(
    ("text", "action", "rest"),
    [
        ("", "help", ""),
        ("  help ", "help", ""),
        ("?", "help", ""),
        ("pytorch hf-models", "ask", "pytorch hf-models"),
        ("<@UBOT> pytorch   hf-models", "ask", "pytorch hf-models"),
        ("help me compare pytorch and jax", "ask", "help me compare pytorch and jax"),
        ("admin status", "admin", "admin status"),
        ("ADMIN Status now", "admin", "ADMIN Status now"),
        ("compare pytorch &amp; jax", "ask", "compare pytorch & jax"),
        ("claims <https://huggingface.co|hugging face>", "ask", "claims hugging face"),
        ("pytorch in <#C123|ml-team> <!here>", "ask", "pytorch in #ml-team"),
    ],
)
def test_parse_command_routes_text(text: str, action: str, rest: str) -> None:
    command = parse_command(text)
    assert command.action == action
    assert command.text == rest


def test_admin_subcommand_and_arguments() -> None:
    command = parse_command("admin Status github hf")
    assert command.admin_action == "status" and command.admin_args == ["github", "hf"]
    assert parse_command("admin").admin_action is None


def test_clean_slack_text_never_keeps_markup() -> None:
    cleaned = clean_slack_text("<@U1|bob> &lt;b&gt; <mailto:a@b.c> <!subteam^S1|@ml>")
    assert cleaned == "<b> mailto:a@b.c"


# ---------------------------------------------------------------- admin gate


def test_admin_gate_allows_admins_and_logs_refusals(caplog: pytest.LogCaptureFixture) -> None:
    gate = AdminGate(["UADMIN", " U2 ", ""])
    assert gate.refusal("UADMIN", "status") is None and gate.is_admin("U2")
    with caplog.at_level(logging.WARNING, logger="fwtrend.admin"):
        refusal = gate.refusal("U999", "status")
    assert refusal is not None and "only for fwtrend admins" in refusal
    assert "`/fwtrend admin status`" in refusal
    assert "refused admin status for non-admin user U999" in caplog.text


def test_admin_gate_without_admins_explains_the_setting() -> None:
    refusal = AdminGate([]).refusal("U1", "status")
    assert refusal is not None and "FWTREND_ADMINS" in refusal and "no admins" in refusal


# ---------------------------------------------------------------- bot state


@pytest.fixture
def state(any_store: Store) -> BotState:
    return BotState(any_store)


def test_saved_answers_round_trip_and_expire(
    state: BotState, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = engine.ask("pytorch github-stars")
    answer_id = state.save_answer(SavedAnswer(answer=answer, slack_file_id="F1", user_id="U1"))
    assert len(answer_id) >= 20  # unguessable: it is the whole key to the answer
    loaded = state.load_answer(answer_id)
    assert loaded is not None and loaded.answer == answer and loaded.slack_file_id == "F1"
    assert state.load_answer("other") is None
    later = datetime.now(UTC) + bot_state.ANSWER_TTL + timedelta(minutes=1)
    monkeypatch.setattr(bot_state, "_now", lambda: later)
    assert state.load_answer(answer_id) is None


def test_one_answer_shown_many_times_is_serialised_once_and_saved_exactly(
    state: BotState, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = engine.ask("pytorch tensorflow github-stars since 2020")
    dumps: list[int] = []
    real_dump = Answer.model_dump_json

    def counting_dump(self: Answer, **kwargs: Any) -> str:
        dumps.append(id(self))
        return real_dump(self, **kwargs)

    monkeypatch.setattr(Answer, "model_dump_json", counting_dump)
    shown = [
        SavedAnswer(answer=answer, image_url=None, user_id="U1", channel_id="C1"),
        SavedAnswer(answer=answer, slack_file_id="F9", user_id="U2", channel_id="C2"),
        SavedAnswer(answer=answer, image_url="https://x.example/c.png", user_id="U3"),
    ]
    ids = [state.save_answer(saved) for saved in shown]
    assert dumps == [id(answer)]  # once, however many replies show it
    for answer_id, saved in zip(ids, shown, strict=True):
        assert state.load_answer(answer_id) == saved  # each reply's own chart and people
    other = engine.ask("keras github-forks")  # another answer is serialised afresh
    state.save_answer(SavedAnswer(answer=other))
    assert dumps == [id(answer), id(other)]


def test_first_delivery_is_true_once_even_across_threads(
    state: BotState, backend: StoreTarget
) -> None:
    second = open_store(backend, KNOWLEDGE)  # a second process's view of the same store
    other = BotState(second)
    results: list[bool] = []
    lock = threading.Lock()

    def deliver(target: BotState) -> None:
        outcome = target.first_delivery("event:Ev1")
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=deliver, args=(s,)) for s in [state, other] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert state.first_delivery("event:Ev2") is True
    second.close()


# ---------------------------------------------------------------- chart files


def test_chart_files_are_content_addressed_and_keyed(
    any_store: Store, backend: StoreTarget
) -> None:
    charts = ChartFiles(any_store, b"key-one")
    name = charts.save(b"\x89PNG one")
    assert charts.save(b"\x89PNG one") == name
    assert charts.save(b"\x89PNG two") != name
    assert ChartFiles(any_store, b"key-two").name_for(b"\x89PNG one") != name
    assert charts.read(name) == b"\x89PNG one"
    for bad in ["../fwtrend.db", name.upper(), name[:-4] + ".txt", "0" * 40 + ".png"]:
        assert charts.read(bad) is None
    # Another web process (another connection to the same store) serves the same chart.
    other = open_store(backend, KNOWLEDGE)
    assert ChartFiles(other, b"key-one").read(name) == b"\x89PNG one"
    other.close()


def test_chart_files_prune_old_charts(any_store: Store) -> None:
    charts = ChartFiles(any_store, b"k")
    old = charts.save(b"old")
    assert charts.prune(max_age=3600) == 0  # just shown
    new = charts.save(b"new")
    # A cut-off later than every showing takes them all.
    assert charts.prune(max_age=-3600) == 2
    assert charts.read(old) is None and charts.read(new) is None
    kept = charts.save(b"kept")
    assert charts.prune() == 0 and charts.read(kept) == b"kept"


# ---------------------------------------------------------------- web routes


def call(app: Any, path: str, method: str = "GET", **headers: str) -> tuple[str, dict, bytes]:
    environ: dict[str, Any] = {"PATH_INFO": path, "REQUEST_METHOD": method, **headers}
    setup_testing_defaults(environ)
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(response_headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def test_web_routes(store: Store) -> None:
    charts = ChartFiles(store, b"k")
    name = charts.save(b"\x89PNG data")
    slack_calls: list[str] = []

    def slack(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        slack_calls.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"slack"]

    app = make_wsgi_app(
        slack,
        charts=charts,
        health=lambda: {"ok": True},
        slack_path="/slack/events",
        signing_secret=SECRET,
    )
    assert call(app, "/slack/events", "POST")[0].startswith("401") and not slack_calls
    body = b"payload=" + quote(json.dumps({"type": "block_actions"})).encode()
    signed = sign(body, SECRET)
    status, _, reply = call(
        app,
        "/slack/events",
        "POST",
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(len(body)),
        HTTP_X_SLACK_REQUEST_TIMESTAMP=signed["X-Slack-Request-Timestamp"],
        HTTP_X_SLACK_SIGNATURE=signed["X-Slack-Signature"],
        **{"wsgi.input": io.BytesIO(body)},
    )
    assert reply == b"slack" and slack_calls
    status, headers, body = call(app, "/charts/" + name)
    assert status == "200 OK" and body == b"\x89PNG data"
    assert headers["Content-Type"] == "image/png" and "immutable" in headers["Cache-Control"]
    assert call(app, "/charts/" + name, HTTP_IF_NONE_MATCH=headers["ETag"])[0].startswith("304")
    assert call(app, "/charts/" + name, "HEAD")[2] == b""
    assert call(app, "/charts/" + name, "POST")[0].startswith("405")
    assert call(app, "/charts/nope.png")[0].startswith("404")
    assert json.loads(call(app, "/healthz")[2]) == {"ok": True}

    def broken() -> dict[str, object]:
        raise OSError("disk gone")

    sick = make_wsgi_app(
        slack, charts=None, health=broken, slack_path="/slack/events", signing_secret=SECRET
    )
    status, _, body = call(sick, "/healthz")
    assert status.startswith("503") and json.loads(body)["ok"] is False
    assert call(sick, "/charts/" + name)[0].startswith("404")  # no public charts configured


# ---------------------------------------------------------------- messages


def test_help_message_lists_slash_commands_and_admin_rows(engine: Engine) -> None:
    from bot.models import Query

    engine_help = engine.answer(Query(kind="help", text="help"))
    for_user = json.dumps(help_message(engine_help, admin=False).blocks)
    for_admin = json.dumps(help_message(engine_help, admin=True).blocks)
    assert "/fwtrend pytorch hf-models" in for_user and "/fwtrend help" in for_user
    assert "@fwtrend" in for_user and "admin status" not in for_user
    assert "/fwtrend admin status" in for_admin


def test_status_message_shows_counts_freshness_and_size(shared_store: Store) -> None:
    report = build_status(shared_store, datetime(2026, 11, 23).date(), timedelta(days=14))
    assert report.points > 0 and report.claims > 0 and report.store_bytes > 0
    ids = {s.id for s in report.sources}
    assert "repostory-github-history" in ids and len(ids) == len(shared_store.sources())
    message = status_message(report)
    text = json.dumps(message.blocks)
    assert f"{report.points:,} points" in text and format_bytes(report.store_bytes) in text
    assert "repostory" in text and "newest evidence" in text
    assert message.text.startswith("fwtrend status:")


def test_notice_is_valid_block_kit() -> None:
    message = notice("x" * 5000, title="t" * 200)
    header, section = message.blocks[0], message.blocks[1]
    assert len(header["text"]["text"]) <= 150 and len(section["text"]["text"]) <= 3000
    assert len(message.text) <= 3000


def test_format_bytes() -> None:
    assert format_bytes(512) == "512 bytes"
    assert format_bytes(1536) == "1.5 KB"
    assert format_bytes(5 * 1024**3) == "5 GB"


def test_answer_is_json_round_trippable(engine: Engine) -> None:
    # The share button stores answers as JSON; a lossy round trip would change what is posted.
    answer = engine.ask("compare pytorch tensorflow")
    assert Answer.model_validate_json(answer.model_dump_json()) == answer


def test_digest_is_its_own_command() -> None:
    assert parse_command("digest").action == "digest"
    assert parse_command("digest pytorch").action == "ask"  # a question that mentions it


def test_every_slack_client_retries_rate_limits_and_dropped_connections() -> None:
    from slack_sdk.http_retry.builtin_handlers import (
        ConnectionErrorRetryHandler,
        RateLimitErrorRetryHandler,
    )

    from bot.slack.delivery import web_client

    client = web_client("xoxb-1", "http://127.0.0.1:9/api")
    kinds = {type(handler) for handler in client.retry_handlers}
    assert {ConnectionErrorRetryHandler, RateLimitErrorRetryHandler} <= kinds
    assert client.base_url == "http://127.0.0.1:9/api/"  # the method name is appended to it
