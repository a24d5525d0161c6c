"""`fwtrend refresh`: concurrent sources, one transaction each, history, locks, faults, CLI."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.answers import Engine
from bot.live.refresh import RefreshReport, run_refresh
from bot.live.sources import SOURCES
from bot.live.view import summary_lines
from bot.settings import Settings
from bot.store import LockBusy, Store, StoreTarget, open_store
from bot.store.status import build_status
from tests.bot_process import child_env
from tests.conftest import KNOWLEDGE, ROOT
from tests.fakes.data_apis import FakeDataAPIs
from tests.pg import query, store_env

FAST = {"min_interval": 0.0, "max_wait": 5.0}
DAY = date(2026, 11, 23)


@pytest.fixture
def fake() -> Iterator[FakeDataAPIs]:
    with FakeDataAPIs() as server:
        yield server
        assert server.errors == []


@pytest.fixture
def live_store(any_store: Store) -> Store:
    return any_store


def settings_for(fake: FakeDataAPIs, **changes: Any) -> Settings:
    return Settings(**fake.settings_fields(), **changes)


def refresh(store: Store, fake: FakeDataAPIs, **options: Any) -> RefreshReport:
    settings = options.pop("settings", None) or settings_for(fake)
    options.setdefault("client_options", FAST)
    options.setdefault("http_timeout", 1.0)
    options.setdefault("today", DAY)
    return run_refresh(store, settings, **options)


def rows(store: Store, where: str, *params: Any) -> list[tuple[Any, ...]]:
    return query(store, f"select * from points where {where} order by id", *params)


# ---------------------------------------------------------------- the happy path


def test_refresh_lands_every_source_with_provenance(live_store: Store, fake: FakeDataAPIs) -> None:
    fake.set_github_repo("pytorch/pytorch", stargazers_count=123_456)
    knowledge_before = rows(live_store, "origin = 'knowledge'")
    report = refresh(live_store, fake)
    assert report.ok and [o.name for o in report.outcomes] == list(SOURCES)
    assert all(o.points > 0 and o.added == o.points for o in report.outcomes)
    assert rows(live_store, "origin = 'knowledge'") == knowledge_before
    star = live_store.latest("github-stars", "pytorch", limit=1)[0]
    assert star.value == 123_456 and star.origin == "live" and star.source_id == "live-github"
    assert star.provenance.endswith("/repos/pytorch/pytorch") and star.fetched_at is not None
    assert "live-github" in live_store.sources()
    run = query(live_store, "select trigger, ok from refresh_runs")
    assert run == [("cli", 1)]
    outcomes = query(live_store, "select count(*) from refresh_outcomes")[0][0]
    assert outcomes == len(SOURCES)


def test_same_day_rerun_updates_instead_of_duplicating(
    live_store: Store, fake: FakeDataAPIs
) -> None:
    refresh(live_store, fake)
    count = query(live_store, "select count(*) from points")[0][0]
    fake.set_github_repo("pytorch/pytorch", stargazers_count=200_000)
    again = refresh(live_store, fake)
    assert query(live_store, "select count(*) from points")[0][0] == count
    github = next(o for o in again.outcomes if o.name == "github")
    assert github.added == 0 and github.changed == 1
    assert live_store.latest("github-stars", "pytorch", limit=1)[0].value == 200_000


def test_history_grows_and_moves_are_reported(live_store: Store, fake: FakeDataAPIs) -> None:
    fake.set_github_repo("jax-ml/jax", stargazers_count=30_000)
    refresh(live_store, fake, today=DAY - timedelta(days=7))
    fake.set_github_repo("jax-ml/jax", stargazers_count=33_000)
    report = refresh(live_store, fake)
    history = [p.value for p in live_store.latest("github-stars", "jax", limit=5)]
    assert history[:2] == [33_000, 30_000]
    [top] = [m for m in report.moves if m.metric == "github-stars" and m.framework == "jax"]
    assert top.change == 3_000 and round(top.change_pct or 0, 1) == 10.0
    assert report.moves[0].change_pct is not None
    assert abs(report.moves[0].change_pct) >= abs(top.change_pct or 0)
    text = "\n".join(summary_lines(report, {"jax": "JAX"}))
    assert "JAX github-stars: 30,000 → 33,000 stars (+3,000, +10.0%) since 16 Nov 2026" in text


def test_answers_show_fetch_time_and_staleness(live_store: Store, fake: FakeDataAPIs) -> None:
    refresh(live_store, fake, today=datetime.now(UTC).date())
    fresh = Engine(live_store).ask("pytorch docker-pulls")
    [figure] = fresh.figures
    assert figure.origin == "live" and "fetched" in figure.as_of_label and not figure.stale
    later = Engine(live_store, today=datetime.now(UTC).date() + timedelta(days=30))
    stale = later.ask("pytorch docker-pulls")
    assert stale.figures[0].stale
    assert any(n.kind == "stale" for n in stale.notes)


def test_site_wide_series_answer_without_a_framework(live_store: Store, fake: FakeDataAPIs) -> None:
    refresh(live_store, fake, names=["stackexchange"])
    answer = Engine(live_store, today=DAY).ask("so-site-questions")
    assert answer.ok and answer.figures[0].framework_name == "All (site-wide)"


def test_dry_run_writes_nothing(live_store: Store, fake: FakeDataAPIs) -> None:
    before = rows(live_store, "true")
    report = refresh(live_store, fake, dry_run=True)
    assert report.ok and report.dry_run and report.run_id is None
    assert sum(o.added for o in report.outcomes) > 0
    assert rows(live_store, "true") == before
    assert query(live_store, "select count(*) from refresh_runs")[0][0] == 0


# ---------------------------------------------------------------- faults


FAULTS = {
    "timeout": lambda fake: fake.timeout_next("github", 3.0, times=10),
    "429 beyond the cap": lambda fake: fake.rate_limit_next("github", 600, times=10),
    "5xx": lambda fake: fake.fail_next("github", 503, times=10),
    "malformed JSON": lambda fake: fake.malformed_next("github", times=10),
    "changed shape": lambda fake: fake.change_shape(
        "github", {"stargazers_count": "stars"}, times=10
    ),
}
REASONS = {
    "timeout": "timed out",
    "429 beyond the cap": "rate limited",
    "5xx": "503",
    "malformed JSON": "JSON",
    "changed shape": "stargazers_count",
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failing_source_keeps_its_old_data_and_the_rest_land(
    live_store: Store, fake: FakeDataAPIs, fault: str
) -> None:
    refresh(live_store, fake, today=DAY - timedelta(days=1))
    github_before = rows(live_store, "source_id = 'live-github'")
    knowledge_before = rows(live_store, "origin = 'knowledge'")
    FAULTS[fault](fake)
    report = refresh(live_store, fake, names=["github", "pypistats", "dockerhub"])
    failed = {o.name: o for o in report.failed}
    assert list(failed) == ["github"]
    assert REASONS[fault].lower() in (failed["github"].reason or "").lower()
    assert rows(live_store, "source_id = 'live-github'") == github_before
    assert rows(live_store, "origin = 'knowledge'") == knowledge_before
    landed = query(
        live_store,
        "select count(*) from points where source_id = 'live-pypistats' and date = ?",
        DAY,
    )[0][0]
    assert landed > 0
    outcome = query(
        live_store,
        "select ok, reason from refresh_outcomes where source = 'github' order by run_id desc",
    )[0]
    assert outcome[0] == 0 and outcome[1] == failed["github"].reason


def test_connection_refused_fails_only_that_source(live_store: Store, fake: FakeDataAPIs) -> None:
    with FakeDataAPIs() as gone:
        closed = gone.service_url("dockerhub")
    settings = settings_for(fake, FWTREND_DOCKERHUB_URL=closed)
    report = refresh(live_store, fake, settings=settings, names=["dockerhub", "github"])
    assert [o.name for o in report.failed] == ["dockerhub"]
    assert "connect" in (report.failed[0].reason or "").lower()
    assert next(o for o in report.outcomes if o.name == "github").ok


def test_admin_status_names_a_failed_source(live_store: Store, fake: FakeDataAPIs) -> None:
    fake.fail_next("dockerhub", 500, times=10)
    refresh(live_store, fake, names=["dockerhub"])
    status = build_status(live_store, DAY, timedelta(days=14))
    docker = next(s for s in status.sources if s.id == "live-dockerhub")
    assert docker.stale and "500" in (docker.last_error or "")
    assert status.last_refresh is not None


def test_tokens_never_reach_the_report(live_store: Store, fake: FakeDataAPIs) -> None:
    settings = settings_for(fake, GITHUB_TOKEN="ghp_secret123456")
    fake.fail_next("github", 503, times=10)
    report = refresh(live_store, fake, settings=settings, names=["github"])
    assert "ghp_secret123456" not in report.model_dump_json()


# ---------------------------------------------------------------- one at a time


def test_lock_is_exclusive_and_freed_when_its_holder_died(
    live_store: Store, backend: StoreTarget
) -> None:
    first = live_store.lock("refresh", timedelta(minutes=5), holder="first")
    first.acquire()
    second = open_store(backend, KNOWLEDGE)  # as another process would
    other = second.lock("refresh", timedelta(minutes=5), holder="other")
    with pytest.raises(LockBusy, match=r"already running since .* \(first\)"):
        other.acquire()
    first.release()
    other.acquire()
    other.release()
    second.close()
    if live_store.backend == "postgres":
        return  # a dead holder's session frees it: see test_store_contract.py
    # A holder on this machine whose process is gone: the lock is free at once.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], text=True, capture_output=True
    ).stdout.strip()
    far = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    query(
        live_store,
        "insert or replace into locks values ('refresh', 'ghost', ?, ?, ?, ?)",
        first.host,
        int(dead),
        datetime.now(UTC).isoformat(),
        far,
    )
    live_store.db.conn.commit()  # type: ignore[attr-defined]
    first.acquire()
    first.release()
    # Held on another machine: only its expiry frees it.
    query(
        live_store,
        "insert or replace into locks values ('refresh', 'remote', 'elsewhere', 1, ?, ?)",
        datetime.now(UTC).isoformat(),
        far,
    )
    live_store.db.conn.commit()  # type: ignore[attr-defined]
    with pytest.raises(LockBusy):
        first.acquire()


def cli_env(fake: FakeDataAPIs, target: StoreTarget, **extra: str) -> dict[str, str]:
    return child_env(**fake.env(), **store_env(target), **extra)


def fwtrend(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("fwtrend")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_two_refreshes_started_together_run_once(
    live_store: Store, backend: StoreTarget, fake: FakeDataAPIs
) -> None:
    fake.latency(0.3)
    env = cli_env(fake, backend)
    command = [str(Path(sys.executable).with_name("fwtrend")), "refresh", "--source", "github"]
    procs = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [(p.wait(60), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 3], results
    busy = next(err for code, _, err in results if code == 3)
    assert "already running since" in busy and "Traceback" not in busy
    assert query(live_store, "select count(*) from refresh_runs") == [(1,)]


KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    import bot.live.refresh as r
    import bot.store.{backend} as backend
    from bot.settings import Settings
    from bot.store import open_store

    values, written = backend.point_values, []

    def slow_values(point):
        # Ten points into the source's transaction: say so, then wait to be killed.
        written.append(point)
        if len(written) == 10:
            Path({flag!r}).write_text("writing")
            time.sleep(60)
        return values(point)

    backend.point_values = slow_values
    store = open_store({target!r}, Path({knowledge!r}))
    r.run_refresh(store, Settings(), names=["stackexchange"], client_options={{"min_interval": 0}})
    """
)


def test_sigkill_while_writing_leaves_no_half_written_source(
    live_store: Store, backend: StoreTarget, tmp_path: Path, fake: FakeDataAPIs
) -> None:
    refresh(live_store, fake, names=["stackexchange"], today=DAY - timedelta(days=40))
    before = rows(live_store, "source_id = 'live-stackexchange'")
    sources_before = query(live_store, "select * from sources order by id")
    flag = tmp_path / "writing"
    script = KILLED_WRITER.format(
        root=str(ROOT),
        flag=str(flag),
        backend=live_store.backend,
        target=str(backend),
        knowledge=str(KNOWLEDGE),
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], env=cli_env(fake, backend), start_new_session=True
    )
    try:
        deadline = time.monotonic() + 30
        while not flag.exists():
            assert child.poll() is None, "the writer exited early"
            assert time.monotonic() < deadline, "the writer never started writing"
            time.sleep(0.05)
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(10)
    if live_store.backend == "sqlite":
        check = sqlite3.connect(str(backend))
        assert check.execute("pragma integrity_check").fetchone() == ("ok",)
        check.close()
    # The half-written transaction is gone, the old data intact.
    assert rows(live_store, "source_id = 'live-stackexchange'") == before
    assert query(live_store, "select * from sources order by id") == sources_before
    # The dead holder's lock does not block the next refresh.
    assert refresh(live_store, fake, names=["stackexchange"]).ok


# ---------------------------------------------------------------- the command line


def test_cli_refresh_summary_and_exit_codes(tmp_path: Path, fake: FakeDataAPIs) -> None:
    env = cli_env(fake, tmp_path / "fwtrend.db")
    ok = fwtrend("refresh", "--source", "github", "--source", "dockerhub", env=env)
    assert ok.returncode == 0, ok.stderr
    assert "github" in ok.stdout and "dockerhub" in ok.stdout and "2 of 2 sources ok" in ok.stdout
    assert "Traceback" not in ok.stderr
    fake.fail_next("dockerhub", 502, times=10)
    failed = fwtrend("refresh", "--source", "dockerhub", env=env)
    assert failed.returncode == 1 and "502" in failed.stdout
    bad = fwtrend("refresh", "--source", "myspace", env=env)
    assert bad.returncode == 2 and "unknown source myspace" in bad.stderr
    assert "huggingface" in bad.stderr
    dry = fwtrend("refresh", "--dry-run", "--source", "github", env=env)
    assert dry.returncode == 0 and "dry run" in dry.stdout


def test_pacing_allows_a_burst_then_keeps_the_rate(fake: FakeDataAPIs) -> None:
    import asyncio

    from bot.live.sources.http import ServiceClient, make_http_client

    now = [0.0]
    starts: list[float] = []

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    async def go() -> None:
        async with make_http_client(timeout=2) as http:
            client = ServiceClient(
                http,
                "pypistats",
                fake.service_url("pypistats"),
                min_interval=2.0,
                burst=3,
                sleep=sleep,
                monotonic=lambda: now[0],
            )
            for _ in range(7):
                await client.get_json("packages/torch/recent")
                starts.append(now[0])

    asyncio.run(go())
    # Three at once, then never more than three in any six seconds.
    assert starts == [0, 0, 0, 6, 6, 6, 12]


def test_a_refresh_clears_the_engine_s_answer_cache(live_store: Store, fake: FakeDataAPIs) -> None:
    engine = Engine(live_store, today=DAY)
    before = engine.ask("pytorch github-watchers")  # no watchers figure yet: the overview
    assert not any(f.metric == "github-watchers" for f in before.figures)
    assert engine.ask("pytorch github-watchers") == before  # asked again: the kept answer
    refresh(live_store, fake, names=["github"])
    after = engine.ask("pytorch github-watchers")
    assert after.figures and after.figures[0].source.id == "live-github"


def test_an_engine_opened_before_a_refresh_cites_its_new_sources(
    live_store: Store, fake: FakeDataAPIs
) -> None:
    engine = Engine(live_store, today=DAY)
    assert "live-github" not in engine.sources
    refresh(live_store, fake, names=["github"])
    assert engine.source_ref("live-github").publisher == "GitHub"
    answer = engine.ask("pytorch github-watchers")
    assert answer.figures[0].source.id == "live-github"
