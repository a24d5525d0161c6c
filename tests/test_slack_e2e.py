"""End to end: the bot started as the Procfile starts it, signed Slack requests, a fake Slack."""

from __future__ import annotations

import json
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.bot_process import ADMIN, BOT_TOKEN, SIGNING_SECRET, BotProcess
from tests.fakes.slack_api import (
    JSON_CONTENT_TYPE,
    FakeSlack,
    app_mention_event,
    dm_event,
    event_body,
    interactivity_body,
    slash_command_body,
)

QUESTION = "pytorch tensorflow github-stars since 2020"
ACK_BUDGET = 1.0  # Slack allows 3 s; on loopback an ack that takes a second is already wrong


@pytest.fixture
def bot(fake: FakeSlack, db: Path) -> Iterator[BotProcess]:
    with BotProcess(fake, db) as process:
        yield process
    print(process.log)  # shown by pytest when the test failed
    assert BOT_TOKEN not in process.log and SIGNING_SECRET not in process.log


def slash(bot: BotProcess, text: str, hook: str, user: str = "U123") -> tuple[int, bytes, float]:
    body = slash_command_body(text, response_url=bot.fake.response_url(hook), user_id=user)
    return bot.post(body)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def all_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def block(blocks: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(b for b in blocks if b["type"] == kind)


# ---------------------------------------------------------------- slash commands


def test_slash_command_acks_at_once_then_answers_with_figures_and_chart(bot: BotProcess) -> None:
    status, body, seconds = slash(bot, QUESTION, "q1")
    assert status == 200 and body == b""
    assert seconds < ACK_BUDGET
    [reply] = bot.fake.wait_for_hook("q1", timeout=15)
    blocks = reply["blocks"]
    assert reply["response_type"] == "ephemeral"
    assert block(blocks, "header")["text"]["text"] == "GitHub stars: PyTorch, TensorFlow"
    figures = " ".join(f["text"] for f in block(blocks, "section")["fields"])
    assert "101,967 stars" in figures and "196,576 stars" in figures
    assert "*Sources*" in all_text(blocks) and "repostory" in all_text(blocks)
    assert "101,967" in reply["text"]  # the notification text carries the numbers too
    image = block(blocks, "image")
    assert "PyTorch rose from" in image["alt_text"]
    file_id = image["slack_file"]["id"]
    width, height = png_size(bot.fake.uploaded(file_id))
    assert width >= 600 and height >= 300
    # Referenced only once Slack said the file was processed.
    methods = bot.fake.methods()
    assert methods.index("files.info") < methods.index("hook")
    share = block(blocks, "actions")["elements"][0]
    assert share["action_id"] == "fwtrend_share" and share["text"]["text"] == "Post to channel"


def test_chart_waits_for_slack_to_process_the_upload(fake: FakeSlack, bot: BotProcess) -> None:
    fake.set_file_processing(2)
    slash(bot, QUESTION, "slow-file")
    [reply] = fake.wait_for_hook("slow-file", timeout=15)
    assert len(fake.calls_to("files.info")) == 3
    assert block(reply["blocks"], "image")["slack_file"]["id"].startswith("F")


def test_failed_upload_still_answers_with_sparklines(fake: FakeSlack, bot: BotProcess) -> None:
    fake.fail_next("files.getUploadURLExternal", error="not_allowed_token_type")
    slash(bot, QUESTION, "noupload")
    [reply] = fake.wait_for_hook("noupload", timeout=15)
    text = all_text(reply["blocks"])
    assert not any(b["type"] == "image" for b in reply["blocks"])
    assert "chart could not be attached" in text and "▁" in text


def test_public_url_serves_content_addressed_png(fake: FakeSlack, db: Path) -> None:
    fake.fetch_image_urls = True  # like Slack: the image must be fetchable when posted
    bot = BotProcess(fake, db)
    bot.env["FWTREND_PUBLIC_URL"] = bot.url  # the bot serves its own charts
    with bot:
        slash(bot, QUESTION, "pub")
        [reply] = fake.wait_for_hook("pub", timeout=15)
        url = block(reply["blocks"], "image")["image_url"]
        assert url.startswith(bot.url + "/charts/") and url.endswith(".png")
        assert fake.calls_to("files.getUploadURLExternal") == []
        path = url[len(bot.url) :]
        status, headers, data = bot.get(path)
        assert status == 200 and headers["Content-Type"] == "image/png"
        assert "immutable" in headers["Cache-Control"]
        png_size(data)
        assert len(path.rsplit("/", 1)[1]) == 44  # 160 bits of keyed hash: not guessable
        assert bot.get(path, {"If-None-Match": headers["ETag"]})[0] == 304
        assert bot.get("/charts/" + "0" * 40 + ".png")[0] == 404
        assert bot.get("/charts/..%2Ffwtrend.db")[0] == 404
        # The same chart again is the same file.
        slash(bot, QUESTION, "pub2")
        [again] = fake.wait_for_hook("pub2", timeout=15)
        assert block(again["blocks"], "image")["image_url"] == url


def test_help_is_answered_in_the_ack_and_a_bad_question_right_after(bot: BotProcess) -> None:
    status, body, _ = slash(bot, "help", "h")
    ack = json.loads(body)
    assert status == 200 and ack["response_type"] == "ephemeral"
    text = all_text(ack["blocks"])
    assert "/fwtrend pytorch hf-models" in text and "@fwtrend" in text
    assert "admin status" not in text  # only admins are told about admin commands

    # A question is parsed by a worker, not in the ack: a bad one is acked empty at once and
    # its "did you mean" reply follows privately, once, with no answer after it.
    status, body, seconds = slash(bot, "pytorhc hf-mdls", "bad")
    assert status == 200 and body == b"" and seconds < ACK_BUDGET
    [reply] = bot.fake.wait_for_hook("bad", timeout=15)
    assert reply["response_type"] == "ephemeral"
    assert "pytorch" in all_text(reply["blocks"]).lower()
    assert "did you mean" in all_text(reply["blocks"]).lower()
    time.sleep(0.3)
    assert len(bot.fake.hooks("bad")) == 1  # nothing else follows a rejected question


def test_admin_status_is_for_admins_only(bot: BotProcess) -> None:
    status, body, _ = slash(bot, "admin status", "nope", user="U999")
    ack = json.loads(body)
    assert status == 200 and ack["response_type"] == "ephemeral"
    assert "only for fwtrend admins" in all_text(ack["blocks"])
    assert "refused admin status for non-admin user U999" in bot.log

    status, body, _ = slash(bot, "admin status", "yes", user=ADMIN)
    assert status == 200 and body == b""
    [reply] = bot.fake.wait_for_hook("yes", timeout=15)
    text = all_text(reply["blocks"])
    assert "fwtrend 0.1.0" in text and "claims" in text and "repostory" in text
    assert reply["response_type"] == "ephemeral"


def test_share_posts_the_same_answer_in_channel_once(fake: FakeSlack, bot: BotProcess) -> None:
    slash(bot, QUESTION, "ask")
    [private] = fake.wait_for_hook("ask", timeout=15)
    value = block(private["blocks"], "actions")["elements"][0]["value"]
    click = interactivity_body(
        "fwtrend_share", value, response_url=fake.response_url("click"), ephemeral=True
    )
    status, _, seconds = bot.post(click)
    assert status == 200 and seconds < ACK_BUDGET
    shared, deleted = fake.wait_for_hook("click", count=2, timeout=15)
    assert shared["response_type"] == "in_channel"
    assert deleted == {"delete_original": True}
    assert "Shared by <@U123>" in all_text(shared["blocks"])
    figures = [b for b in shared["blocks"] if b.get("block_id") == "fwtrend-figures-0"]
    assert figures == [b for b in private["blocks"] if b.get("block_id") == "fwtrend-figures-0"]
    assert block(shared["blocks"], "image") == block(private["blocks"], "image")
    # The channel's copy has no share button, but exports the very same stored figures.
    [buttons] = [b for b in shared["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in buttons["elements"]] == ["fwtrend_data"]
    assert buttons["elements"][0]["value"] == value
    # A second click does not post twice.
    bot.post(interactivity_body("fwtrend_share", value, response_url=fake.response_url("c2")))
    [again] = fake.wait_for_hook("c2", timeout=15)
    assert "already posted" in again["text"]
    # An unknown id is explained, not crashed on.
    bot.post(interactivity_body("fwtrend_share", "nope", response_url=fake.response_url("c3")))
    [gone] = fake.wait_for_hook("c3", timeout=15)
    assert "no longer available" in gone["text"]


# ---------------------------------------------------------------- signatures


def test_forged_or_stale_requests_are_rejected(bot: BotProcess) -> None:
    body = slash_command_body(QUESTION, response_url=bot.fake.response_url("forged"))
    status, reply, _ = bot.post(body, secret="0" * 32)
    assert status == 401 and json.loads(reply) == {"error": "invalid request"}
    stale = int(time.time()) - 301
    status, _, _ = bot.post(body, timestamp=stale)
    assert status == 401
    time.sleep(0.3)
    assert bot.fake.hooks("forged") == []
    status, _, _ = bot.post(body)  # control: the same body, correctly signed, is answered
    assert status == 200
    assert bot.fake.wait_for_hook("forged", timeout=15)


def test_unsigned_request_is_rejected(bot: BotProcess) -> None:
    import urllib.error
    import urllib.request

    body = slash_command_body(QUESTION, response_url=bot.fake.response_url("unsigned"))
    request = urllib.request.Request(bot.url + "/slack/events", data=body)
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=5)
    assert err.value.code == 401
    err.value.close()
    time.sleep(0.3)
    assert bot.fake.hooks("unsigned") == []


# ---------------------------------------------------------------- mentions and DMs


def test_mention_answers_in_a_thread_with_the_chart(fake: FakeSlack, bot: BotProcess) -> None:
    event = app_mention_event("pytorch github-stars since 2022", channel="C777", ts="1700.0001")
    status, _, seconds = bot.post(event_body(event), content_type=JSON_CONTENT_TYPE)
    assert status == 200 and seconds < ACK_BUDGET
    [post] = fake.wait_for("chat.postMessage", timeout=15)
    assert post.params["channel"] == "C777" and post.params["thread_ts"] == "1700.0001"
    assert "PyTorch" in post.params["text"]
    [complete] = fake.wait_for("files.completeUploadExternal", timeout=15)
    [share] = fake.shares
    assert share.channel == "C777" and share.thread_ts == "1700.0001"
    png_size(fake.uploaded(share.file_id))
    assert complete.ok


def test_mention_with_bad_input_replies_ephemerally(fake: FakeSlack, bot: BotProcess) -> None:
    event = app_mention_event("pytorhc starz", channel="C777", ts="1700.0002")
    bot.post(event_body(event), content_type=JSON_CONTENT_TYPE)
    [call] = fake.wait_for("chat.postEphemeral", timeout=15)
    assert call.params["user"] == "U123" and call.params["thread_ts"] == "1700.0002"
    assert "did you mean" in call.params["text"].lower()
    assert fake.calls_to("chat.postMessage") == []


def test_direct_message_answers_in_the_dm(fake: FakeSlack, bot: BotProcess) -> None:
    dm = event_body(dm_event("pytorch github-stars", channel="D42"))
    bot.post(dm, content_type=JSON_CONTENT_TYPE)
    [post] = fake.wait_for("chat.postMessage", timeout=15)
    assert post.params["channel"] == "D42" and not post.params.get("thread_ts")
    assert "PyTorch" in post.params["text"]
    fake.wait_for("files.completeUploadExternal", timeout=15)
    assert fake.shares[0].channel == "D42"


def test_dm_without_data_gets_the_reason_not_an_error(fake: FakeSlack, bot: BotProcess) -> None:
    # No source counts Stack Overflow questions tagged jax: the answer says so and gives
    # JAX's overview instead (issue 10).
    dm = event_body(dm_event("jax so-questions", channel="D43"))
    bot.post(dm, content_type=JSON_CONTENT_TYPE)
    [post] = fake.wait_for("chat.postMessage", timeout=15)
    assert "JAX" in post.params["text"]
    assert "went wrong" not in post.params["text"]


def test_retried_event_is_answered_once(fake: FakeSlack, bot: BotProcess) -> None:
    body = event_body(app_mention_event("keras github-stars", ts="1700.0003"), event_id="Ev0RETRY")
    assert bot.post(body, content_type=JSON_CONTENT_TYPE)[0] == 200
    assert bot.post(body, content_type=JSON_CONTENT_TYPE, retry_num=1)[0] == 200
    assert bot.post(body, content_type=JSON_CONTENT_TYPE, retry_num=2)[0] == 200
    fake.wait_for("chat.postMessage", timeout=15)
    time.sleep(0.5)
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_rate_limited_calls_are_retried(fake: FakeSlack, bot: BotProcess) -> None:
    fake.rate_limit_next("chat.postMessage", retry_after=1)
    fake.rate_limit_next("hook", retry_after=1)
    bot.post(event_body(app_mention_event("pytorch github-stars")), content_type=JSON_CONTENT_TYPE)
    slash(bot, QUESTION, "limited")
    calls = fake.wait_for("chat.postMessage", count=2, timeout=15)
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].time - calls[0].time >= 0.9  # it waited for Retry-After
    [reply] = fake.wait_for_hook("limited", timeout=15)
    assert "GitHub stars" in reply["text"]
    hooks = fake.calls_to("hook")
    assert [c.status for c in hooks] == [429, 200]


def test_url_verification_and_unknown_paths(bot: BotProcess) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}).encode()
    status, reply, _ = bot.post(body, content_type=JSON_CONTENT_TYPE)
    assert status == 200 and b"abc123" in reply
    assert bot.get("/nowhere")[0] == 404
    status, _, health = bot.get("/healthz")
    assert status == 200 and json.loads(health)["ok"] is True


def test_form_encoded_command_fields_reach_the_parser(bot: BotProcess) -> None:
    # Slack sends `+` and %-escapes; the question must arrive intact.
    body = slash_command_body("compare pytorch & jax", response_url=bot.fake.response_url("amp"))
    assert parse_qs(body.decode())["text"] == ["compare pytorch & jax"]
    bot.post(body)
    [reply] = bot.fake.wait_for_hook("amp", timeout=15)
    assert "JAX" in reply["text"] and "PyTorch" in reply["text"]


def test_refused_chart_reply_is_resent_without_the_image(fake: FakeSlack, bot: BotProcess) -> None:
    fake.fail_next("hook", error="invalid_blocks")  # e.g. Slack could not show the image
    slash(bot, QUESTION, "refused")
    [reply] = fake.wait_for_hook("refused", timeout=15)
    assert [c.status for c in fake.calls_to("hook")] == [400, 200]
    assert not any(b["type"] == "image" for b in reply["blocks"])
    assert "chart could not be attached (invalid_blocks)" in all_text(reply["blocks"])
    assert "101,967" in reply["text"]


def test_slow_answers_do_not_delay_acknowledgements(fake: FakeSlack, db: Path) -> None:
    fake.delay("files.getUploadURLExternal", 3.0)  # every answer is stuck in its chart upload
    with BotProcess(fake, db, FWTREND_ANSWER_PROCESSES="1") as bot:
        acks = [slash(bot, QUESTION, f"busy{i}") for i in range(12)]
        assert all(status == 200 for status, _, _ in acks)
        assert max(seconds for _, _, seconds in acks) < ACK_BUDGET
        fake.wait_for_hook("busy0", timeout=20)
        fake.delay("files.getUploadURLExternal", 0)  # let the queue drain before stopping


def test_admin_refresh_acks_then_replies_with_the_summary(fake: FakeSlack, db: Path) -> None:
    from tests.fakes.data_apis import FakeDataAPIs

    with FakeDataAPIs() as apis, BotProcess(fake, db, **apis.env()) as bot:
        apis.fail_next("dockerhub", 503, times=10)
        status, body, seconds = slash(bot, "admin refresh github dockerhub", "refresh", user=ADMIN)
        assert status == 200 and seconds < ACK_BUDGET
        assert "Refreshing github, dockerhub" in json.loads(body)["text"]
        [reply] = fake.wait_for_hook("refresh", timeout=30)
        text = all_text(reply["blocks"])
        assert "1 of 2 sources ok" in reply["text"] and "failed: dockerhub" in reply["text"]
        assert "*github*: 16 points" in text and "503" in text
        # The refreshed figures are answered at once, from the same process.
        slash(bot, "pytorch github-watchers", "after")
        [answer] = fake.wait_for_hook("after", timeout=15)
        assert "fetched" in answer["text"]
        # Not for everyone, and a bad source name is caught before anything runs.
        _, refused, _ = slash(bot, "admin refresh", "nope", user="U999")
        assert "only for fwtrend admins" in json.loads(refused)["text"]
        _, unknown, _ = slash(bot, "admin refresh myspace", "bad", user=ADMIN)
        assert "Unknown source myspace" in json.loads(unknown)["text"]
        assert len(apis.calls_to("github")) == 4  # one refresh ran: a call per repository


def test_digest_preview_is_shown_to_the_caller_only(fake: FakeSlack, bot: BotProcess) -> None:
    status, body, seconds = slash(bot, "digest", "digest")
    assert status == 200 and body == b"" and seconds < ACK_BUDGET
    [reply] = fake.wait_for_hook("digest", timeout=15)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("fwtrend weekly: 2026-W48")
    assert fake.calls_to("chat.postMessage") == []  # nothing posted in the channel
