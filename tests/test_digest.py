"""The weekly digest: its content for known moves, and exactly one post per channel and week."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.answers import Engine
from bot.digest.clock import digest_job, local_today, make_scheduler
from bot.digest.content import build_digest, week_key
from bot.digest.post import DigestPoster, preview_digest
from bot.digest.view import digest_lines, digest_message
from bot.live.refresh import run_refresh
from bot.settings import Settings
from bot.slack.delivery import SlackDelivery, web_client
from bot.store import Store, StoreTarget, open_store
from tests.bot_process import BOT_TOKEN, child_env, procfile_command
from tests.conftest import KNOWLEDGE
from tests.fakes.data_apis import FakeDataAPIs
from tests.fakes.slack_api import FakeSlack
from tests.pg import query, store_env

MONDAY = date(2026, 11, 23)  # the frozen "today": a Monday, ISO week 2026-W48
LAST_WEEK = MONDAY - timedelta(days=7)
FAST = {"min_interval": 0.0}


@pytest.fixture
def apis() -> Iterator[FakeDataAPIs]:
    with FakeDataAPIs() as server:
        yield server


@pytest.fixture
def store(backend: StoreTarget, apis: FakeDataAPIs) -> Iterator[Store]:
    """Two refreshes a week apart with known moves: PyTorch +1%, JAX +10%, Keras −5%."""
    opened = open_store(backend, KNOWLEDGE)
    settings = Settings(**apis.settings_fields())
    for repo, stars in [("pytorch/pytorch", 100_000), ("jax-ml/jax", 30_000)]:
        apis.set_github_repo(repo, stargazers_count=stars)
    apis.set_github_repo("keras-team/keras", stargazers_count=60_000)
    apis.set_github_repo("tensorflow/tensorflow", stargazers_count=180_000)
    run_refresh(opened, settings, names=["github"], today=LAST_WEEK, client_options=FAST)
    apis.set_github_repo("pytorch/pytorch", stargazers_count=101_000)
    apis.set_github_repo("jax-ml/jax", stargazers_count=33_000)
    apis.set_github_repo("keras-team/keras", stargazers_count=57_000)
    run_refresh(opened, settings, names=["github"], today=MONDAY, client_options=FAST)
    yield opened
    opened.close()


@pytest.fixture
def engine(store: Store) -> Engine:
    return Engine(store, today=MONDAY)


def poster(engine: Engine, fake: FakeSlack, **options: Any) -> DigestPoster:
    delivery = SlackDelivery(web_client(BOT_TOKEN, fake.api_url), processing_timeout=2)
    return DigestPoster(engine, delivery, ["UADMIN1", "UADMIN2"], **options)


def stars(digest_moves: list[Any]) -> dict[str, Any]:
    return {m.framework: m for m in digest_moves if m.metric == "github-stars"}


# ---------------------------------------------------------------- content


def test_moves_biggest_first_with_changes_and_shares(engine: Engine) -> None:
    digest = build_digest(engine, MONDAY, since=LAST_WEEK)
    moved = stars(digest.moves)
    assert list(moved) == ["jax", "keras", "pytorch"]  # 10%, 5%, 1%: biggest first
    jax = moved["jax"]
    assert (jax.previous, jax.value, jax.change) == (30_000, 33_000, 3_000)
    assert (
        round(jax.change_pct or 0, 1) == 10.0 and round(moved["keras"].change_pct or 0, 1) == -5.0
    )
    total = 101_000 + 33_000 + 57_000 + 180_000
    assert round(jax.share or 0, 2) == round(100 * 33_000 / total, 2)
    assert "tensorflow" not in moved  # unchanged figures are not moves
    assert digest.week == "2026-W48" and not digest.quiet


def test_digest_chart_and_text_cite_every_number(engine: Engine) -> None:
    digest = build_digest(engine, MONDAY, since=LAST_WEEK)
    assert digest.chart is not None and digest.chart.kind == "bar"
    assert [b.value for b in digest.chart.bars][:3] == [10.0, -5.0, 1.0]
    text = "\n".join(digest_lines(digest))
    assert "JAX · GitHub stars: 33,000 stars as of 23 Nov 2026 (+3,000, +10.0% since 16 Nov" in text
    assert "[1] GitHub REST API" in text
    message = digest_message(digest, slack_file_id="F123")
    image = next(b for b in message.blocks if b["type"] == "image")
    assert image["slack_file"] == {"id": "F123"} and "JAX" in image["alt_text"]
    assert len(message.blocks) <= 50 and "3 moves" in message.text


def test_then_and_now_sets_a_dated_claim_against_today(engine: Engine) -> None:
    item = build_digest(engine, MONDAY, since=LAST_WEEK).then_and_now
    assert item is not None
    # The only live series a claim can be checked against here is GitHub stars.
    assert item.unit == "stars" and item.claim.source.published_label
    expected = {"pytorch": 101_000, "tensorflow": 180_000, "keras": 57_000, "jax": 33_000}
    assert item.now_value in expected.values()
    ratio = item.now_value / item.figure_value
    assert item.verdict == ("holds" if abs(ratio - 1) <= 0.1 else "grew" if ratio > 1 else "fell")
    assert build_digest(engine, MONDAY).then_and_now == item  # the same claim all week


def test_new_claims_and_sources_since_the_last_digest(engine: Engine) -> None:
    claims, sources = set(engine.store.claims()), set(engine.store.sources())
    first = build_digest(engine, MONDAY)
    assert first.first and first.new_claims == [] and first.new_sources == []
    some_claim = sorted(claims)[0]
    digest = build_digest(
        engine,
        MONDAY,
        known_claims=claims - {some_claim},
        known_sources=sources - {"live-github"},
    )
    assert [c.id for c in digest.new_claims] == [some_claim]
    assert [s.id for s in digest.new_sources] == ["live-github"]
    assert "New since the last digest" in "\n".join(digest_lines(digest))


def test_failed_source_is_named(store: Store, apis: FakeDataAPIs) -> None:
    settings = Settings(**apis.settings_fields())
    apis.fail_next("dockerhub", 503, times=10)
    run_refresh(store, settings, names=["dockerhub"], today=MONDAY, client_options=FAST)
    digest = build_digest(Engine(store, today=MONDAY), MONDAY, since=LAST_WEEK)
    [line] = [s for s in digest.stale_sources if "dockerhub" in s]
    assert "503" in line


def test_an_empty_week_says_so(engine: Engine) -> None:
    digest = build_digest(engine, MONDAY, since=MONDAY)
    assert digest.quiet and digest.moves == [] and digest.chart is None
    message = digest_message(digest)
    assert "Nothing moved since 23 Nov 2026" in message.text
    assert [b["type"] for b in message.blocks][:2] == ["header", "section"]


# ---------------------------------------------------------------- posting


def test_posts_once_per_channel_and_week(engine: Engine, fake: FakeSlack) -> None:
    first = poster(engine, fake).post("C1", MONDAY)
    assert first.outcome == "posted" and first.ts
    [message] = fake.messages("C1")
    assert message["metadata"]["event_payload"]["key"] == "C1:2026-W48"
    assert any(b["type"] == "image" for b in message["blocks"])  # the chart is in the post
    again = poster(engine, fake).post("C1", MONDAY + timedelta(days=2))  # same ISO week
    assert again.outcome == "already" and len(fake.messages("C1")) == 1
    forced = poster(engine, fake).post("C1", MONDAY, force=True)
    assert forced.outcome == "posted" and len(fake.messages("C1")) == 2
    next_week = poster(engine, fake).post("C1", MONDAY + timedelta(days=7))
    assert next_week.outcome == "posted"


def test_next_digest_compares_with_the_previous_one(engine: Engine, fake: FakeSlack) -> None:
    poster(engine, fake).post("C1", LAST_WEEK)
    preview = preview_digest(engine, MONDAY, "C1")
    assert preview.since == LAST_WEEK and not preview.first


def test_two_runners_at_once_post_once(store: Store, fake: FakeSlack, tmp_path: Path) -> None:
    fake.delay("chat.postMessage", 0.5)
    env = child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=fake.api_url,
        **store_env(store),
        FWTREND_TODAY=MONDAY.isoformat(),
    )
    command = [
        str(Path(sys.executable).with_name("fwtrend")),
        "digest",
        "--post",
        "--channel",
        "C9",
    ]
    runners = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = sorted(r.communicate(timeout=60)[0].strip() for r in runners)
    assert outputs in (["C9: already", "C9: posted"], ["C9: busy", "C9: posted"]), outputs
    assert len(fake.messages("C9")) == 1


def test_restart_after_a_crash_mid_post_still_posts_once(engine: Engine, fake: FakeSlack) -> None:
    crashing = poster(engine, fake)

    def crash(*args: Any, **kwargs: Any) -> None:
        raise SystemExit("killed after posting, before writing it down")

    crashing._finish = crash  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        crashing.post("C1", MONDAY)
    assert len(fake.messages("C1")) == 1
    _abandon_claim(engine, "C1")
    restarted = poster(engine, fake).post("C1", MONDAY)
    assert restarted.outcome == "already" and restarted.ts == fake.messages("C1")[0]["ts"]
    assert len(fake.messages("C1")) == 1
    assert poster(engine, fake).post("C1", MONDAY).outcome == "already"


def test_restart_after_a_crash_before_posting_posts(engine: Engine, fake: FakeSlack) -> None:
    crashing = poster(engine, fake)
    crashing._send = lambda *a: (_ for _ in ()).throw(SystemExit("killed"))  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        crashing.post("C1", MONDAY)
    assert fake.messages("C1") == []
    live = poster(engine, fake).post("C1", MONDAY)
    assert live.outcome == "busy"  # the claim is fresh and its holder (this process) alive
    _abandon_claim(engine, "C1")
    assert poster(engine, fake).post("C1", MONDAY).outcome == "posted"
    assert len(fake.messages("C1")) == 1


def _abandon_claim(engine: Engine, channel: str) -> None:
    # As if the holder had been a process that no longer exists.
    query(
        engine.store,
        "update digest_log set pid = ?, host = ? where channel = ?",
        2**22 + 17,
        "gone",
        channel,
    )
    old = (datetime.now(ZoneInfo("UTC")) - timedelta(hours=1)).isoformat()
    query(engine.store, "update digest_log set claimed_at = ? where channel = ?", old, channel)
    if engine.store.backend == "sqlite":
        engine.store.db.conn.commit()  # type: ignore[attr-defined]


def test_rate_limited_post_is_retried(engine: Engine, fake: FakeSlack) -> None:
    fake.rate_limit_next("chat.postMessage", retry_after=1)
    result = poster(engine, fake).post("C1", MONDAY)
    assert result.outcome == "posted"
    calls = fake.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200] and calls[1].time - calls[0].time >= 0.9


def test_not_in_a_public_channel_joins_then_posts(engine: Engine, fake: FakeSlack) -> None:
    fake.not_in_channel("C2")
    assert poster(engine, fake).post("C2", MONDAY).outcome == "posted"
    assert [c.params["channel"] for c in fake.calls_to("conversations.join")] == ["C2"]
    assert len(fake.messages("C2")) == 1


def test_private_channel_failure_is_reported_to_admins_once(
    engine: Engine, fake: FakeSlack
) -> None:
    fake.private_channel("G1")
    first = poster(engine, fake).post("G1", MONDAY)
    assert first.outcome == "failed" and first.reason == "channel_not_found"
    alerts = [m for m in fake.messages() if m["channel"].startswith("UADMIN")]
    assert sorted(m["channel"] for m in alerts) == ["UADMIN1", "UADMIN2"]
    assert "<#G1>" in alerts[0]["text"] and "/invite @fwtrend" in alerts[0]["text"]
    retry = poster(engine, fake).post("G1", MONDAY + timedelta(days=7))
    assert retry.outcome == "failed"
    assert len([m for m in fake.messages() if m["channel"].startswith("UADMIN")]) == 2


def test_quiet_week_can_be_skipped(engine: Engine, fake: FakeSlack) -> None:
    poster(engine, fake).post("C1", MONDAY)  # this week's moves are now the baseline
    quiet = poster(engine, fake, when_quiet="skip").post("C1", MONDAY + timedelta(days=7))
    assert quiet.outcome == "skipped" and len(fake.messages("C1")) == 1
    posted = poster(engine, fake).post("C3", MONDAY + timedelta(days=7))
    assert posted.outcome == "posted"


# ---------------------------------------------------------------- schedule and commands


def test_scheduler_fires_on_the_configured_cron_and_zone() -> None:
    settings = Settings(FWTREND_DIGEST_CRON="30 8 * * tue", FWTREND_DIGEST_TZ="Europe/Berlin")
    job = make_scheduler(settings, lambda: None).get_jobs()[0]
    now = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    fire = job.trigger.get_next_fire_time(None, now)
    assert (fire.weekday(), fire.hour, fire.minute) == (1, 8, 30)
    assert fire.tzinfo is not None and fire.utcoffset() == timedelta(hours=1)
    assert job.coalesce and job.max_instances == 1
    default = make_scheduler(Settings(), lambda: None).get_jobs()[0]
    monday = default.trigger.get_next_fire_time(None, now)
    assert (monday.weekday(), monday.hour, str(monday.tzinfo)) == (0, 9, "UTC")


def test_clock_job_posts_to_every_channel(store: Store, fake: FakeSlack) -> None:
    settings = Settings(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=fake.api_url,
        **store_env(store),
        FWTREND_TODAY=MONDAY.isoformat(),
        FWTREND_DIGEST_CHANNELS="C1,C2",
        FWTREND_DIGEST_REFRESH="false",
    )
    engine = Engine(store, today=MONDAY)
    results = digest_job(settings, engine, poster(engine, fake))
    assert [(r.channel, r.outcome) for r in results] == [("C1", "posted"), ("C2", "posted")]
    assert local_today(settings) == MONDAY and week_key(MONDAY) == "2026-W48"


def test_cli_preview_and_errors(store: Store, tmp_path: Path) -> None:
    env = child_env(**store_env(store), FWTREND_TODAY=MONDAY.isoformat())
    fwtrend = str(Path(sys.executable).with_name("fwtrend"))
    preview = subprocess.run(
        [fwtrend, "digest", "--preview"], env=env, capture_output=True, text=True
    )
    assert preview.returncode == 0 and "fwtrend weekly digest, 2026-W48" in preview.stdout
    assert "JAX · GitHub stars: 33,000 stars" in preview.stdout
    no_token = subprocess.run(
        [fwtrend, "digest", "--post", "--channel", "C1"], env=env, capture_output=True, text=True
    )
    assert no_token.returncode == 2 and "SLACK_BOT_TOKEN" in no_token.stderr
    no_channel = subprocess.run(
        [fwtrend, "clock"],
        env={**env, "SLACK_BOT_TOKEN": BOT_TOKEN},
        capture_output=True,
        text=True,
    )
    assert no_channel.returncode == 2 and "FWTREND_DIGEST_CHANNELS" in no_channel.stderr
    by_name = subprocess.run(
        [fwtrend, "digest", "--post", "--channel", "#general"],
        env={**env, "SLACK_BOT_TOKEN": BOT_TOKEN},
        capture_output=True,
        text=True,
    )
    assert by_name.returncode == 2 and "not #names" in by_name.stderr
    bad_ids = subprocess.run(
        [fwtrend, "clock"],
        env={**env, "SLACK_BOT_TOKEN": BOT_TOKEN, "FWTREND_DIGEST_CHANNELS": "general"},
        capture_output=True,
        text=True,
    )
    assert bad_ids.returncode == 2 and "FWTREND_DIGEST_CHANNELS" in bad_ids.stderr
    bad_cron = subprocess.run(
        [fwtrend, "clock"],
        env={**env, "FWTREND_DIGEST_CRON": "weekly"},
        capture_output=True,
        text=True,
    )
    assert bad_cron.returncode == 2 and "FWTREND_DIGEST_CRON" in bad_cron.stderr
    assert json.dumps(preview.stdout)  # printable, no control characters


def test_clock_job_refreshes_first(store: Store, fake: FakeSlack, apis: FakeDataAPIs) -> None:
    settings = Settings(
        **apis.settings_fields(),
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=fake.api_url,
        **store_env(store),
        FWTREND_TODAY=(MONDAY + timedelta(days=7)).isoformat(),
        FWTREND_DIGEST_CHANNELS="C1",
    )
    apis.set_github_repo("jax-ml/jax", stargazers_count=36_300)
    calls = len(apis.calls)
    engine = Engine(store, today=MONDAY + timedelta(days=7))
    [result] = digest_job(settings, engine, poster(engine, fake))
    assert result.outcome == "posted" and len(apis.calls) > calls  # it refreshed
    runs = query(store, "select trigger from refresh_runs order by id desc")[0]
    assert runs == ("clock",)
    [message] = fake.messages("C1")
    assert "36,300 stars" in json.dumps(message["blocks"])


def test_clock_process_starts_and_stops_cleanly_on_sigterm(store: Store, fake: FakeSlack) -> None:
    import signal
    import time

    env = child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=fake.api_url,
        **store_env(store),
        FWTREND_DIGEST_CHANNELS="C1",
        FWTREND_DIGEST_TZ="Europe/Berlin",
    )
    clock = subprocess.Popen(
        procfile_command("clock"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert clock.stdout is not None
        seen = ""
        deadline = time.monotonic() + 30
        while "next digest" not in seen and time.monotonic() < deadline:
            seen += clock.stdout.readline()
        assert "next digest" in seen and "+01:00" in seen  # Monday 09:00 Berlin time
        assert "'0 9 * * mon' (Europe/Berlin)" in seen
        os.killpg(clock.pid, signal.SIGTERM)
        rest, _ = clock.communicate(timeout=20)
    finally:
        if clock.poll() is None:
            os.killpg(clock.pid, signal.SIGKILL)
            clock.wait()
    assert clock.returncode == 0
    assert "fwtrend clock: stopped" in rest and "Traceback" not in seen + rest
    assert BOT_TOKEN not in seen + rest
    assert fake.messages("C1") == []  # nothing is posted before the schedule says so
