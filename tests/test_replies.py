"""Replier in-process against the fake Slack: the paths that need Slack to be slow or odd."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers import Engine
from bot.server.admin import AdminGate
from bot.server.replies import Origin, Replier
from bot.slack.delivery import SlackDelivery, web_client
from bot.slack.messages import CHART_LATE
from bot.slack.state import BotState
from tests.bot_process import BOT_TOKEN
from tests.conftest import TODAY
from tests.fakes.slack_api import FakeSlack


def replier(fake: FakeSlack, store_path: Path, engine: Engine) -> Replier:
    delivery = SlackDelivery(web_client(BOT_TOKEN, fake.api_url), processing_timeout=0.3)
    return Replier(engine, BotState(engine.store), delivery, AdminGate(["UADMIN1"]))


def test_a_slow_upload_sends_the_answer_first_and_the_chart_after(
    fake: FakeSlack, db: Path, engine: Engine
) -> None:
    fake.set_file_processing(3)  # longer than the 0.3 s the answer waits for
    bot = replier(fake, db, engine)
    origin = Origin(user_id="U1", channel_id="C1", response_url=fake.response_url("slow"))
    bot.run(bot.triage("pytorch tensorflow github-stars since 2020", "U1"), origin)
    answer, chart = fake.wait_for_hook("slow", count=2, timeout=15)
    assert not any(b["type"] == "image" for b in answer["blocks"])
    assert CHART_LATE in str(answer["blocks"]) and "101,967" in answer["text"]
    [image] = [b for b in chart["blocks"] if b["type"] == "image"]
    file_id = image["slack_file"]["id"]
    assert fake.file(file_id).ready and fake.uploaded(file_id)[:4] == b"\x89PNG"
    assert chart["text"] == "Chart: GitHub stars"


def test_an_unpinned_engine_follows_the_calendar(engine: Engine) -> None:
    # A long-running server must not keep the date it started on.
    from datetime import date

    assert engine.today == TODAY
    assert Engine(engine.store).today == date.today()


def _image_file(payload: dict[str, object]) -> str:
    [image] = [b for b in payload["blocks"] if b["type"] == "image"]  # type: ignore[attr-defined,index]
    return str(image["slack_file"]["id"])


def test_a_repeated_chart_reuses_its_upload_and_a_deleted_one_is_uploaded_again(
    fake: FakeSlack, db: Path, engine: Engine
) -> None:
    bot = replier(fake, db, engine)
    question = bot.triage("pytorch tensorflow github-stars since 2020", "U1")

    def ask(hook: str) -> dict[str, object]:
        bot.run(
            question, Origin(user_id="U1", channel_id="C1", response_url=fake.response_url(hook))
        )
        [reply] = fake.wait_for_hook(hook, timeout=15)
        return reply

    first = _image_file(ask("one"))
    assert _image_file(ask("two")) == first  # the same bytes: no second upload
    assert len(fake.calls_to("files.completeUploadExternal")) == 1
    fake.delete_file(first)  # e.g. removed in Slack, or past the workspace's retention
    third = ask("three")
    fresh = _image_file(third)  # the answer still carries its chart, from a new upload
    assert fresh != first and fake.uploaded(fresh)[:4] == b"\x89PNG"
    assert len(fake.calls_to("files.completeUploadExternal")) == 2
    assert "could not be attached" not in str(third["blocks"])
    assert _image_file(ask("four")) == fresh  # and that one is remembered in turn


class _Acking:
    """The Bolt app as the acknowledging process builds it, with the jobs it hands on kept."""

    def __init__(self, fake: FakeSlack, db: Path, engine: Engine) -> None:
        from bot.server.app import create_app
        from bot.workers.jobs import Job

        self.fake = fake
        self.bot = replier(fake, db, engine)
        self.jobs: list[Job] = []
        self.app = create_app(
            self.bot.delivery.client, self.bot, self.jobs.append, signing_secret=None
        )

    def command(self, text: str, hook: str | None = None) -> tuple[int, str, dict[str, str]]:
        """(status, ack body, the form sent) for `/fwtrend text`, answered to ``hook``."""
        from urllib.parse import urlencode

        from slack_bolt.request import BoltRequest

        form = {"command": "/fwtrend", "text": text, "user_id": "U1", "channel_id": "C1"}
        if hook:
            form["response_url"] = self.fake.response_url(hook)
        response = self.app.dispatch(BoltRequest(body=urlencode(form), headers={}))
        return response.status, response.body, form


def test_a_triage_that_breaks_still_acks_at_once_and_a_worker_takes_the_question(
    fake: FakeSlack, db: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    acking = _Acking(fake, db, engine)

    def broken(text: str, user_id: str) -> None:
        raise RuntimeError("a bug in triage")

    monkeypatch.setattr(acking.bot, "first_look", broken)
    status, _, form = acking.command("pytorch hf-models", "broken")
    assert status == 200  # acknowledged; no Slack call made before it
    assert fake.calls_to("hook") == []
    [job] = acking.jobs
    assert job.kind == "converse" and job.text == "pytorch hf-models"
    assert job.origin is not None and job.origin.response_url == form["response_url"]


def test_the_ack_does_not_parse_the_question_and_the_worker_does(
    fake: FakeSlack, db: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.workers.jobs import Job

    acking = _Acking(fake, db, engine)
    parse = engine.parse
    parsed: list[str] = []

    def counting_parse(text: str) -> object:
        parsed.append(text)
        return parse(text)

    monkeypatch.setattr(engine, "parse", counting_parse)

    def command(text: str, hook: str) -> Job:
        status, body, _ = acking.command(text, hook)
        assert status == 200 and body == ""  # an empty ack, at once
        job = acking.jobs.pop()
        assert job.kind == "command" and job.triage is not None and job.triage.query is None
        return job

    good, bad = command("pytorch hf-models", "good"), command("pytorhc hf-mdls", "bad")
    assert parsed == []  # neither question was parsed while acknowledging
    for job in (good, bad):
        assert job.triage is not None and job.origin is not None
        crossed = Job.model_validate_json(job.model_dump_json())  # as it crosses the pipe
        assert crossed.triage is not None
        acking.bot.run(crossed.triage, job.origin)
    assert parsed == ["pytorch hf-models", "pytorhc hf-mdls"]
    [answer] = fake.wait_for_hook("good", timeout=15)
    [error] = fake.wait_for_hook("bad", timeout=15)
    assert "Hugging Face" in answer["text"] and "did you mean" not in str(answer["blocks"]).lower()
    assert error["response_type"] == "ephemeral" and "did you mean" in str(error["blocks"]).lower()

    # Help and admin refusals need no parsing, and are still said in the ack itself.
    for text, expected in (("help", "/fwtrend pytorch hf-models"), ("admin status", "admins")):
        status, body, _ = acking.command(text)
        assert status == 200 and expected in body
    assert acking.jobs == [] and parsed == ["pytorch hf-models", "pytorhc hf-mdls"]
