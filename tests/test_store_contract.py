"""One store contract, two backends: every test here runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.models import DataPoint, Source
from bot.store import LockBusy, Store, StoreTarget, open_store
from bot.store.status import build_status, status_lines
from tests.conftest import KNOWLEDGE, ROOT
from tests.pg import query

LIVE = Source.model_validate(
    {
        "id": "live-test",
        "title": "A live test source",
        "publisher": "fwtrend tests",
        "published": "2026-11-23",
        "kind": "api",
        "summary": "Points written by the store tests.",
    }
)


def live_point(
    day: date, value: float, series: str = "live:test:pytorch:github-stars"
) -> DataPoint:
    return DataPoint(
        metric="github-stars",
        framework="pytorch",
        date=day,
        value=value,
        unit="stars",
        source_id=LIVE.id,
        series=series,
        provenance="GET /test",
        origin="live",
        fetched_at=datetime(2026, 11, 23, 10, tzinfo=UTC),
    )


def test_created_migrated_and_loaded(any_store: Store) -> None:
    assert any_store.pending_migrations() == []
    assert any_store.upgrade() == []  # the release step again: nothing to do
    counts = any_store.counts()
    assert counts["claims"] >= 30 and counts["sources"] >= 7 and counts["points"] > 1000
    assert any_store.meta("knowledge_digest")
    assert any_store.sync_knowledge(KNOWLEDGE) is False
    assert any_store.counts() == counts
    assert set(any_store.frameworks()) >= {"pytorch", "tensorflow", "keras", "jax"}


def test_knowledge_reload_keeps_live_rows(
    any_store: Store, backend: StoreTarget, knowledge_copy: Path
) -> None:
    any_store.write_live_source(LIVE, [live_point(date(2026, 11, 20), 123_456.0)])
    (knowledge_copy / "claims" / "zz-extra.yaml").write_text(
        "- id: release-added-claim\n"
        f"  source: {next(iter(any_store.sources()))}\n"
        "  statement: A claim that a later release of the knowledge base adds.\n"
        "  topics: [testing]\n"
    )
    again = open_store(backend, knowledge_copy)
    assert "release-added-claim" in again.claims()
    assert again.latest("github-stars", "pytorch", limit=1)[0].value == 123_456.0
    again.close()


def test_several_processes_opening_at_once_load_once(backend: StoreTarget) -> None:
    errors: list[BaseException] = []

    def opener() -> None:
        try:
            open_store(backend, KNOWLEDGE).close()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = open_store(backend, KNOWLEDGE)
    dupes = query(
        store,
        "select count(*) from "
        "(select series, date from points group by 1, 2 having count(*) > 1) d",
    )
    assert dupes == [(0,)]
    store.close()


def test_points_keep_the_newest_of_each_series_month(any_store: Store) -> None:
    days = [date(2026, 9, 3), date(2026, 9, 28), date(2026, 10, 1), date(2026, 10, 15)]
    any_store.write_live_source(LIVE, [live_point(d, 10.0 * i) for i, d in enumerate(days)])
    live = [p for p in any_store.points("github-stars", ["pytorch"]) if p.origin == "live"]
    assert [(p.date, p.value) for p in live] == [
        (date(2026, 9, 28), 10.0),
        (date(2026, 10, 15), 30.0),
    ]
    window = any_store.points("github-stars", ["pytorch"], start=date(2026, 10, 1))
    assert [p.date for p in window if p.origin == "live"] == [date(2026, 10, 15)]
    assert any_store.points("github-stars", []) == []
    newest = any_store.latest("github-stars", "pytorch", limit=2)
    assert [p.date for p in newest] == [date(2026, 10, 15), date(2026, 10, 1)]
    assert newest[0].fetched_at == datetime(2026, 11, 23, 10, tzinfo=UTC)
    per_series = any_store.latest_per_series(date(2026, 10, 10))
    assert per_series["live:test:pytorch:github-stars"].date == date(2026, 10, 1)


def test_both_backends_read_the_same_points(tmp_path: Path, pg_url: str) -> None:
    sqlite, postgres = open_store(tmp_path / "a.db", KNOWLEDGE), open_store(pg_url, KNOWLEDGE)
    fws = sorted(sqlite.frameworks())
    for metric in sorted(sqlite.metrics()):
        assert sqlite.points(metric, fws) == postgres.points(metric, fws), metric
        assert sqlite.frameworks_with(metric) == postgres.frameworks_with(metric)
        for fw in fws:
            assert sqlite.latest(metric, fw) == postgres.latest(metric, fw), (metric, fw)
    assert sqlite.metric_coverage() == postgres.metric_coverage()
    assert sqlite.latest_per_series(date(2024, 1, 1)) == postgres.latest_per_series(
        date(2024, 1, 1)
    )
    assert sqlite.source_stats() == postgres.source_stats()
    coverage = sqlite.series_coverage()
    assert coverage == postgres.series_coverage()
    # Every shipped series is covered, claims are not: a curator sees real history only.
    assert len(coverage) > 50 and not any(c.series.startswith("claim:") for c in coverage)
    # The provenance columns the series import added survive the round trip on both backends.
    [jax] = sqlite.latest("github-stars", "jax", limit=1)
    assert jax.repo and jax.commit and jax == postgres.latest("github-stars", "jax", limit=1)[0]
    sqlite.close()
    postgres.close()


# Each query's best claim is the same on both backends, and most of the top three.
RANKED_QUERIES = [
    ["openai"],
    ["hugging face"],
    ["research"],
    ["industry", "production"],
    ["google", "jax"],
    ["keras"],
    ["migration"],
    ["stars"],
    ["survey"],
    ["tpu"],
    ["deployment", "mobile"],
    ["pytorch", "tensorflow"],
    ["job", "listings"],
    ["meta"],
    ["eager", "graph"],
    ["academia"],
]


def test_claim_search_ranks_alike_on_both_backends(tmp_path: Path, pg_url: str) -> None:
    sqlite, postgres = open_store(tmp_path / "a.db", KNOWLEDGE), open_store(pg_url, KNOWLEDGE)
    for terms in RANKED_QUERIES:
        a, b = sqlite.search_claims(terms, 3), postgres.search_claims(terms, 3)
        assert a and a[0] == b[0], terms
        assert len(set(a) & set(b)) >= min(2, len(a)), (terms, a, b)
    sqlite.close()
    postgres.close()


@pytest.mark.parametrize(
    "terms",
    [
        ['"'],
        ["AND"],
        ["*"],
        ['pytorch" OR "x'],
        ["NEAR(a b)"],
        ["col:val"],
        ["-x"],
        ["(", ")"],
        ["'; drop table claims; --"],
        ["^tensorflow"],
        ["a & b | !c <-> d"],
        ["\\\\:*"],
    ],
)
def test_claim_search_survives_hostile_terms(any_store: Store, terms: list[str]) -> None:
    assert isinstance(any_store.search_claims(terms), list)
    assert any_store.counts()["claims"] > 0


def test_claim_search_scores_higher_for_better_matches(any_store: Store) -> None:
    scored = any_store.search_claims_scored(["openai", "pytorch"], limit=8)
    assert scored and all(isinstance(score, float) for _, score in scored)
    assert [s for _, s in scored] == sorted((s for _, s in scored), reverse=True)
    assert any_store.search_claims(["openai", "pytorch"]) == [c for c, _ in scored]
    assert "openai" in any_store.claims()[scored[0][0]].statement.lower()
    assert any_store.search_claims_scored([]) == []


def test_refresh_writes_are_one_transaction(any_store: Store) -> None:
    first = any_store.write_live_source(LIVE, [live_point(date(2026, 11, 1), 1.0)])
    assert first[0].same_day is None and first[0].previous is None
    bad = live_point(date(2026, 11, 2), 2.0).model_copy(update={"unit": None})
    with pytest.raises(Exception):  # noqa: B017 - each backend raises its own integrity error
        any_store.write_live_source(LIVE, [live_point(date(2026, 11, 3), 3.0), bad])
    assert [p.value for p in any_store.latest("github-stars", "pytorch", limit=1)] == [1.0]
    seen = any_store.write_live_source(LIVE, [live_point(date(2026, 11, 1), 5.0)])
    assert seen[0].same_day == 1.0  # re-running the same day updates it in place
    later = any_store.neighbours([live_point(date(2026, 11, 9), 9.0)])
    assert (later[0].previous_date, later[0].previous) == (date(2026, 11, 1), 5.0)


def test_lock_is_exclusive_and_names_its_holder(any_store: Store, backend: StoreTarget) -> None:
    lock = any_store.lock("refresh", timedelta(minutes=5), holder="cli, pid 1")
    other_store = open_store(backend, KNOWLEDGE)
    with lock:
        with pytest.raises(
            LockBusy, match=r"refresh already running since 20\d\d-.* \(cli, pid 1\)"
        ):
            other_store.lock("refresh", timedelta(minutes=5), holder="other").acquire()
    with other_store.lock("refresh", timedelta(minutes=5), holder="other"):
        pass
    other_store.close()


HOLDER = """
import sys, time
sys.path.insert(0, {root!r})
from datetime import timedelta
from bot.store import open_store
from pathlib import Path
store = open_store({target!r}, Path({knowledge!r}))
lock = store.lock("refresh", timedelta(minutes=5), holder="doomed")
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


def test_a_killed_holder_frees_the_lock(any_store: Store, backend: StoreTarget) -> None:
    script = HOLDER.format(root=str(ROOT), target=str(backend), knowledge=str(KNOWLEDGE))
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy, match="doomed"):
            any_store.lock("refresh", timedelta(minutes=5), holder="me").acquire()
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(10)
        if child.stdout is not None:
            child.stdout.close()
    deadline = time.monotonic() + 10
    while True:  # the server notices the closed session within moments
        try:
            with any_store.lock("refresh", timedelta(minutes=5), holder="me"):
                break
        except LockBusy:
            assert time.monotonic() < deadline, "the dead holder's lock was never freed"
            time.sleep(0.1)


def test_digest_claims_post_once(any_store: Store) -> None:
    ttl = timedelta(minutes=10)
    assert any_store.claim_digest("C1", "2026-W48", "a", force=False, ttl=ttl).outcome == "go"
    assert any_store.claim_digest("C1", "2026-W48", "b", force=False, ttl=ttl).outcome == "busy"
    any_store.finish_digest(
        "C1", "2026-W48", "posted", today=date(2026, 11, 23), ts="1.2", known_json="{}", reason=None
    )
    again = any_store.claim_digest("C1", "2026-W48", "b", force=False, ttl=ttl)
    assert (again.outcome, again.ts) == ("already", "1.2")
    assert any_store.previous_digest("C1", "2026-W49") == (date(2026, 11, 23), "{}")
    assert any_store.previous_digest(None, "2026-W48") == (None, None)
    assert any_store.claim_digest("C1", "2026-W48", "b", force=True, ttl=ttl).outcome == "go"
    claimed = any_store.digest_claimed_at("C1", "2026-W48")
    assert claimed is not None and abs(datetime.now(UTC) - claimed) < timedelta(minutes=1)
    assert any_store.note_digest_alert("G1", "channel_not_found") is True
    assert any_store.note_digest_alert("G1", "channel_not_found") is False
    any_store.clear_digest_alert("G1")
    assert any_store.note_digest_alert("G1", "channel_not_found") is True


def test_bot_state_round_trips_and_prunes(any_store: Store) -> None:
    any_store.save_answer("a1", "U1", "C1", '{"x": 1}')
    past = datetime.now(UTC) - timedelta(days=1)
    assert any_store.load_answer("a1", past) == '{"x": 1}'
    assert any_store.load_answer("a1", datetime.now(UTC) + timedelta(days=1)) is None
    assert any_store.first_delivery("ev1") is True and any_store.first_delivery("ev1") is False
    future = datetime.now(UTC) + timedelta(days=1)
    any_store.prune_bot_state(future, future)
    assert any_store.load_answer("a1", past) is None and any_store.first_delivery("ev1") is True


def test_status_names_the_backend(any_store: Store) -> None:
    report = build_status(any_store, date(2026, 11, 23), timedelta(days=14))
    line = status_lines(report)[1]
    expected = "Store: SQLite " if any_store.backend == "sqlite" else "Store: PostgreSQL "
    assert line.startswith(expected) and report.store_bytes > 0
    assert report.points == any_store.counts()["points"]


def test_postgres_reconnects_after_its_connections_are_killed(pg_url: str) -> None:
    import psycopg

    store = open_store(pg_url, KNOWLEDGE)
    before = store.counts()
    with psycopg.connect(pg_url, autocommit=True) as admin:
        killed = admin.execute(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity "
            "where application_name = 'fwtrend' and pid <> pg_backend_pid()"
        ).fetchone()
    assert killed is not None and killed[0] >= 1
    assert store.counts() == before  # a fresh connection, no restart of fwtrend
    assert store.points("github-stars", ["pytorch"])
    store.close()
