"""End to end: answers in worker processes survive a killed worker and a deploy's SIGTERM, and
the Data (CSV) and "Run …" buttons work; the bot runs as the Procfile starts it."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.bot_process import BOT_TOKEN, SIGNING_SECRET, BotProcess
from tests.fakes.slack_api import (
    FakeSlack,
    dm_event,
    event_body,
    interactivity_body,
    slash_command_body,
)

QUESTION = "pytorch tensorflow github-stars since 2020"
READY = re.compile(r"answer worker ready \(pid (\d+)\)")


@pytest.fixture
def bot(fake: FakeSlack, db: Path) -> Iterator[BotProcess]:
    with BotProcess(fake, db, FWTREND_ANSWER_PROCESSES="1") as process:
        yield process
    print(process.log)  # shown by pytest when the test failed
    assert BOT_TOKEN not in process.log and SIGNING_SECRET not in process.log


def slash(bot: BotProcess, text: str, hook: str) -> None:
    status, _, _ = bot.post(slash_command_body(text, response_url=bot.fake.response_url(hook)))
    assert status == 200


def worker_pids(bot: BotProcess, count: int, timeout: float = 30) -> list[int]:
    """The pids of the first ``count`` answer workers that said they were ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = [int(pid) for pid in READY.findall(bot.log)]
        if len(pids) >= count:
            return pids[:count]
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} answer workers started:\n{bot.log}")


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """action_id → value of every button in a message."""
    return {
        element["action_id"]: element["value"]
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


# ---------------------------------------------------------------- crashes


def test_a_killed_worker_s_answer_is_retried_on_a_fresh_one(
    fake: FakeSlack, bot: BotProcess
) -> None:
    [first] = worker_pids(bot, 1)
    fake.delay("files.getUploadURLExternal", 4.0)  # the answer is held inside the worker
    slash(bot, QUESTION, "crash")
    time.sleep(1.0)  # the worker has the job and waits on its chart upload
    os.kill(first, signal.SIGKILL)
    fake.delay("files.getUploadURLExternal", 0)
    [reply] = fake.wait_for_hook("crash", timeout=30)
    assert "101,967" in reply["text"]  # the real answer, not an apology
    [_, second] = worker_pids(bot, 2)
    assert second != first
    assert "retrying job" in bot.log
    time.sleep(4.5)  # the killed worker's upload request has come and gone: no second reply
    assert len(fake.hooks("crash")) == 1


def test_a_job_that_kills_two_workers_gets_an_apology(fake: FakeSlack, bot: BotProcess) -> None:
    [first] = worker_pids(bot, 1)
    fake.delay("files.getUploadURLExternal", 6.0)
    slash(bot, QUESTION, "twice")
    time.sleep(1.0)
    os.kill(first, signal.SIGKILL)
    [_, second] = worker_pids(bot, 2)
    time.sleep(1.5)  # the retry reached its upload too
    os.kill(second, signal.SIGKILL)
    fake.delay("files.getUploadURLExternal", 0)
    [reply] = fake.wait_for_hook("twice", timeout=30)
    assert reply["response_type"] == "ephemeral"
    assert "Sorry, something went wrong" in reply["text"] and "try again" in reply["text"]
    assert "answer lost: answer workers died twice" in bot.log
    # The bot goes on answering with a third worker.
    slash(bot, "pytorch github-stars", "after")
    [after] = fake.wait_for_hook("after", timeout=30)
    assert "PyTorch" in after["text"]


def _parent_of(pid: int) -> int:
    # /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after ")".
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_exit_when_their_web_process_is_killed(fake: FakeSlack, bot: BotProcess) -> None:
    [worker] = worker_pids(bot, 1)
    web = _parent_of(worker)  # the gunicorn worker that owns the pool, not the master
    assert web != bot.pid and _alive(web)
    os.kill(web, signal.SIGKILL)  # OOM killer, or a crash: nothing gets to shut the pool down
    deadline = time.monotonic() + 15
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker), "an orphaned answer worker kept running"
    assert "its web process" in bot.log and "is gone; exiting" in bot.log


# ---------------------------------------------------------------- what crosses the pipes


def test_a_question_too_long_for_one_pipe_write_is_still_answered(
    fake: FakeSlack, bot: BotProcess
) -> None:
    # Over PIPE_BUF (4 KB) a job cannot be written atomically from a request thread; it takes
    # the spill thread's pipe instead, and must arrive all the same.
    text = "pytorch github-stars " + "please " * 900
    assert len(text) > 6000
    bot.post(event_body(dm_event(text, channel="D51")), content_type="application/json")
    [post] = fake.wait_for("chat.postMessage", timeout=15)
    assert post.params["channel"] == "D51"
    assert "went wrong" not in post.params["text"]


def test_a_lone_surrogate_in_a_message_does_not_lose_the_question(
    fake: FakeSlack, bot: BotProcess
) -> None:
    # JSON may escape half a surrogate pair ("\ud800"); it has no UTF-8 form to cross in.
    body = event_body(dm_event("pytorch github-stars \ud800", channel="D52"))
    assert b"\\ud800" in body
    assert bot.post(body, content_type="application/json")[0] == 200
    [post] = fake.wait_for("chat.postMessage", timeout=15)
    assert post.params["channel"] == "D52" and "PyTorch" in post.params["text"]


# ---------------------------------------------------------------- deploys


def test_sigterm_lets_the_answer_in_flight_arrive_then_exits_0(
    fake: FakeSlack, bot: BotProcess
) -> None:
    worker_pids(bot, 1)
    fake.delay("hook", 4.0)  # the answer's delivery takes a while
    slash(bot, QUESTION, "deploy")
    time.sleep(0.5)
    assert bot.process is not None
    os.killpg(bot.pid, signal.SIGTERM)  # as a platform does: every process of the dyno
    assert bot.process.wait(timeout=25) == 0  # within gunicorn's 20 s graceful timeout
    [reply] = fake.hooks("deploy")
    assert "101,967" in reply["text"]
    assert "answer workers stopped" in bot.log and "unfinished" not in bot.log


# ---------------------------------------------------------------- buttons


def test_data_button_uploads_the_answer_s_figures_as_csv_to_the_user(
    fake: FakeSlack, bot: BotProcess
) -> None:
    slash(bot, QUESTION, "ask")
    [private] = fake.wait_for_hook("ask", timeout=15)
    value = buttons(private)["fwtrend_data"]
    assert value == buttons(private)["fwtrend_share"]  # one stored answer behind both
    click = interactivity_body(
        "fwtrend_data", value, response_url=fake.response_url("data"), ephemeral=True
    )
    assert bot.post(click)[0] == 200
    [notice] = fake.wait_for_hook("data", timeout=15)
    assert "direct messages" in notice["text"] and notice["response_type"] == "ephemeral"
    [opened] = fake.calls_to("conversations.open")
    assert opened.params["users"] == "U123"
    csv_shares = [s for s in fake.shares if fake.file(s.file_id).filename.endswith(".csv")]
    [share] = csv_shares
    assert share.channel == "DU123"  # the user's DM with the bot, nobody else's
    rows = list(csv.DictReader(io.StringIO(fake.uploaded(share.file_id).decode())))
    by_framework = {row["framework"]: row for row in rows}
    assert set(by_framework) == {"pytorch", "tensorflow"}
    assert by_framework["pytorch"]["value"] == "101967"
    assert by_framework["pytorch"]["metric"] == "github-stars"
    assert all(row["source"] and row["provenance"] and row["date"] for row in rows)
    # An unknown id is explained, not crashed on.
    bot.post(interactivity_body("fwtrend_data", "gone", response_url=fake.response_url("d2")))
    [gone] = fake.wait_for_hook("d2", timeout=15)
    assert "no longer available" in gone["text"]


def test_run_button_answers_the_corrected_question_like_a_slash_command(
    fake: FakeSlack, bot: BotProcess
) -> None:
    click = interactivity_body(
        "fwtrend_run",
        "pytorch github-stars",
        response_url=fake.response_url("run"),
        ephemeral=True,
    )
    status, body, _ = bot.post(click)
    assert status == 200 and body == b""
    [reply] = fake.wait_for_hook("run", timeout=15)
    assert reply["response_type"] == "ephemeral"
    assert "PyTorch" in reply["text"] and "stars" in reply["text"]
    assert set(buttons(reply)) == {"fwtrend_share", "fwtrend_data"}
    # Bad input behind the button is answered the same way, privately.
    bad = interactivity_body("fwtrend_run", "pytorhc starz", response_url=fake.response_url("b"))
    bot.post(bad)
    [error] = fake.wait_for_hook("b", timeout=15)
    assert "did you mean" in json.dumps(error["blocks"]).lower()
