"""Answer latency (p50/p95) for typical questions, chart cost, and the same on a 1M-point store.

With every shipped series loaded, also: the store's size, the time a fresh store takes to load
on first use, and p50/p95 over questions about the imported series (targets: load < 3 s,
answer p50 < 20 ms, p95 < 50 ms).

Run: python benchmarks/bench_answers.py [--backend sqlite|postgres|both]
(default: both when a PostgreSQL server answers on 127.0.0.1:5432, else sqlite)
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from bot.answers import Engine
from bot.knowledge import default_knowledge_dir
from bot.models import ChartSpec, Query
from bot.render.charts import render_chart
from bot.store import Store, open_store

QUESTIONS = [
    "pytorch hf-models",
    "pytorch tensorflow github-stars",
    "pytorch tensorflow github-stars since 2020",
    "github-stars",
    "github-forks last 2 years",
    "keras github-stars 2018-2021",
    "hf-exclusive-share",
    "tensorflow survey-usage",
    "survey-loved",
    "so-questions",
    "paper-share",
    "pytorch conference-share",
    "what share of papers used pytorch in 2019?",
    "job-listings",
    "compare pytorch tensorflow",
    "compare pytorch tensorflow github-stars",
    "claims hugging-face",
    "why did openai move to pytorch?",
    "sources",
    "pytroch hf-models",
]
# Questions about the series of the second data release, in the words people use.
SERIES_QUESTIONS = [
    "jax github-stars",
    "jax github-stars since 2019",
    "pytorch downloads",
    "tensorflow downloads since 2020",
    "how often is keras downloaded",
    "tensorflow so-questions",
    "tensorflow so-question-share",
    "keras stackoverflow questions",
    "hf-models",
    "how many models are on the hugging face hub",
    "survey-usage",
    "pytorch paper-share",
    "pytorch conference-share",
    "compare pytorch jax github-stars",
    "metrics",
]
ROUNDS = 15
TODAY = date(2026, 11, 23)


# Scoreboard questions as the parser hands them on: comparisons, verdicts, overviews.
SCOREBOARD_QUERIES = [
    Query(kind="scoreboard", text="pytorch vs tensorflow", frameworks=["pytorch", "tensorflow"]),
    Query(kind="scoreboard", text="which framework leads"),
    Query(kind="scoreboard", text="jax or keras?", frameworks=["jax", "keras"]),
    Query(kind="scoreboard", text="how popular is keras", frameworks=["keras"]),
    Query(kind="scoreboard", text="is keras dead?", frameworks=["keras"], view="momentum"),
    Query(
        kind="scoreboard", text="is tensorflow dying", frameworks=["tensorflow"], view="momentum"
    ),
    Query(kind="overview", text="how is jax doing", frameworks=["jax"]),
    Query(kind="overview", text="pytorch", frameworks=["pytorch"]),
]


def bench_scoreboard(engine: Engine, name: str = "scoreboard answer, shipped store") -> None:
    """Scoreboard answer latency (chart excluded), warm, as a running bot answers them."""
    for query in SCOREBOARD_QUERIES:
        engine.answer(query)
    timings = []
    for _ in range(ROUNDS):
        for query in SCOREBOARD_QUERIES:
            start = time.perf_counter()
            engine.answer(query)
            timings.append((time.perf_counter() - start) * 1000)
    report(name, timings)


def bench_scoreboard_chart(engine: Engine) -> None:
    """Render time and PNG size of the scoreboard charts (warm, uncached)."""
    specs = [s for s in (engine.answer(q).chart for q in SCOREBOARD_QUERIES) if s is not None]
    time_charts("scoreboard chart", specs)


def time_charts(name: str, specs: list[ChartSpec]) -> None:
    """Print render p50/p95 and PNG sizes of ``specs``, each rendered five times uncached."""
    render_chart(specs[0], cached=False)  # the first render pays matplotlib's font cache
    chart_ms, sizes = [], []
    for _ in range(5):
        for spec in specs:
            start = time.perf_counter()
            png = render_chart(spec, cached=False)
            chart_ms.append((time.perf_counter() - start) * 1000)
            sizes.append(len(png))
    print(
        f"{name + ' render':<34} p50 {statistics.median(chart_ms):6.2f} ms   "
        f"p95 {percentile(chart_ms, 95):6.2f} ms   ({len(specs)} charts)"
    )
    print(
        f"{name + ' PNG size':<34} median {statistics.median(sizes) / 1024:5.1f} KB   "
        f"max {max(sizes) / 1024:5.1f} KB"
    )


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def time_questions(engine: Engine, questions: list[str] = QUESTIONS) -> list[float]:
    for question in questions:  # warm caches, as a running bot would be
        engine.ask(question)
    timings = []
    for _ in range(ROUNDS):
        for question in questions:
            start = time.perf_counter()
            engine.ask(question)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def _insert(path: Path, rows: list[tuple[str, str, str, float, str]]) -> None:
    import sqlite_utils

    db = sqlite_utils.Database(path)
    with db.conn:
        db.conn.executemany(
            "insert into points (metric, framework, segment, date, value, unit, source_id, "
            "series, provenance, origin, qualifier) values (?, ?, '', ?, ?, 'units', "
            "'bench-live', ?, 'benchmark', 'live', 'exact')",
            rows,
        )
        db.conn.execute(
            "insert or replace into sources (id, origin, body) values ('bench-live', 'live', ?)",
            [
                '{"id":"bench-live","title":"Benchmark live data","publisher":"fwtrend benchmark",'
                '"published":"2026-11-23","kind":"api","summary":"Synthetic points for the '
                'benchmark only."}'
            ],
        )
    db.execute("analyze")
    db.close()


def unrelated_points(total: int) -> list[tuple[str, str, str, float, str]]:
    """`total` daily points in series of other metrics, as further sources would add."""
    rows = []
    frameworks = ["pytorch", "tensorflow", "keras", "jax"]
    series = 0
    while len(rows) < total:
        series += 1
        fw = frameworks[series % 4]
        for day in range(min(5000, total - len(rows))):
            rows.append(
                (
                    f"synthetic-{series % 200}",
                    fw,
                    (date(2012, 1, 1) + timedelta(days=day)).isoformat(),
                    float(day),
                    f"live:synthetic:{series}",
                )
            )
    return rows


def live_history(metrics: list[str], days: int) -> list[tuple[str, str, str, float, str]]:
    """Daily live points for every real metric and framework, as `days` of refreshes would add."""
    rng = random.Random(42)
    rows = []
    for metric in metrics:
        for fw in ("pytorch", "tensorflow", "keras", "jax"):
            value = rng.uniform(1_000, 100_000)
            for day in range(days):
                value *= 1 + rng.uniform(-0.001, 0.003)
                rows.append(
                    (
                        metric,
                        fw,
                        (TODAY - timedelta(days=days - day)).isoformat(),
                        value,
                        f"live:bench:{fw}:{metric}",
                    )
                )
    return rows


def report(name: str, timings: list[float]) -> float:
    p50, p95 = statistics.median(timings), percentile(timings, 95)
    print(f"{name:<34} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   ({len(timings)} answers)")
    return p50


def fresh_store_load(work: Path) -> float:
    """Seconds a fresh store takes on first use: create, migrate, load every series."""
    path = work / "fresh.db"
    start = time.perf_counter()
    store = open_store(path, default_knowledge_dir())
    Engine(store, today=TODAY, cache_answers=False).ask("pytorch downloads")
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed


def report_series(work: Path, engine: Engine) -> None:
    """The series release's figures: fresh load, store size, answers over the new series."""
    from bot.store.status import format_bytes

    load = fresh_store_load(work)
    counts = engine.store.counts()
    print(
        f"{'fresh store, first use':<34} {load:6.2f} s   ({counts['points']:,} points, "
        f"{len(engine.store.series_coverage())} series, "
        f"{format_bytes(engine.store.size_bytes())} on disk)"
    )
    timings = time_questions(engine, SERIES_QUESTIONS)
    report("answer, series questions", timings)
    print("targets: fresh load < 3 s, series answers p50 < 20 ms, p95 < 50 ms")


def backend_store(name: str, work: Path) -> tuple[Store, Callable[[], None]]:
    """A loaded store on one backend, and how to throw it away afterwards."""
    if name == "sqlite":
        store = open_store(work / f"{name}.db", default_knowledge_dir())
        return store, store.close
    from tests import pg

    server = pg.server_url()
    if server is None:
        raise SystemExit("no PostgreSQL server answers on 127.0.0.1:5432")
    database = pg.create_database(server)
    store = open_store(database, default_knowledge_dir())

    def drop() -> None:
        store.close()
        pg.drop_database(server, database)

    return store, drop


def compare_backends(names: list[str], work: Path) -> None:
    """The same questions on each backend, side by side: typical, series and scoreboard ones."""
    for name in names:
        start = time.perf_counter()
        store, drop = backend_store(name, work)
        loaded = time.perf_counter() - start
        try:
            engine = Engine(store, today=TODAY, cache_answers=False)
            print(f"{name} ({loaded:.1f} s to create and load)")
            report(f"  answer, {name}", time_questions(engine))
            report(f"  answer, series questions, {name}", time_questions(engine, SERIES_QUESTIONS))
            bench_scoreboard(engine, f"  scoreboard answer, {name}")
        finally:
            drop()
    print("target: PostgreSQL answer p50 < 30 ms on loopback")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default=None)
    args = parser.parse_args()
    if args.backend is None:
        from tests import pg

        args.backend = "both" if pg.server_url() else "sqlite"
    work = Path(tempfile.mkdtemp(prefix="fwtrend-bench-"))
    if args.backend == "postgres":
        try:
            compare_backends(["postgres"], work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    try:
        shipped = work / "shipped.db"
        store = open_store(shipped, default_knowledge_dir())
        engine = Engine(store, today=TODAY, cache_answers=False)
        base = report("answer, shipped store", time_questions(engine))
        report_series(work, engine)
        bench_scoreboard(engine)
        bench_scoreboard_chart(engine)

        specs = [engine.ask(q).chart for q in QUESTIONS]
        time_charts("chart", [s for s in specs if s is not None])
        store.close()

        metrics = sorted(engine.metrics)
        scenarios = [
            ("1M points, other series", unrelated_points(1_000_000)),
            ("1M points incl. 2y daily live", live_history(metrics, 730)),
        ]
        scenarios[1] = (
            scenarios[1][0],
            scenarios[1][1] + unrelated_points(1_000_000 - len(scenarios[1][1])),
        )
        for name, rows in scenarios:
            big = work / "million.db"
            shutil.copy(shipped, big)
            start = time.perf_counter()
            _insert(big, rows)
            big_store = open_store(big, default_knowledge_dir())
            count = big_store.counts()["points"]
            print(f"{'  load ' + name:<34} {count:,} points in {time.perf_counter() - start:.1f} s")
            large = report(
                f"answer, {name}",
                time_questions(Engine(big_store, today=TODAY, cache_answers=False)),
            )
            print(f"{'  slowdown (p50) vs shipped':<34} {large / base:.2f}x")
            big_store.close()
            big.unlink()
        print("targets: answer p50 < 20 ms, chart < 80 ms, PNG < 60 KB, 1M store <= 2x slower")
        print("targets: scoreboard p95 < 50 ms; scoreboard chart < 80 ms, PNG < 60 KB")
        if args.backend == "both":
            print()
            compare_backends(["sqlite", "postgres"], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
