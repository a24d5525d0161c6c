"""Refresh wall time against the loopback fakes with 200 ms latency per request.

Compares a full refresh with (a) the sequential cost, the sum of every request's latency, and
(b) the slowest single source run alone. Real pacing and retry settings, as in production.
Targets: within 1.3x of the slowest source, and at least 4x faster than sequential.

Run: python benchmarks/bench_refresh.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for name in list(os.environ):  # loopback only
    if name.lower().endswith("_proxy"):
        del os.environ[name]

from bot.knowledge import default_knowledge_dir  # noqa: E402
from bot.live.refresh import run_refresh  # noqa: E402
from bot.live.sources import SOURCES  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import open_store  # noqa: E402
from tests.fakes.data_apis import FakeDataAPIs  # noqa: E402

LATENCY = 0.2


def timed_refresh(fake: FakeDataAPIs, db: Path, names: list[str]) -> tuple[float, int]:
    store = open_store(db, default_knowledge_dir())
    settings = Settings(**fake.settings_fields(), FWTREND_DB=str(db))
    before = len(fake.calls)
    started = time.perf_counter()
    report = run_refresh(store, settings, names=names)
    seconds = time.perf_counter() - started
    store.close()
    if not report.ok:
        raise RuntimeError(f"refresh failed: {[(o.name, o.reason) for o in report.failed]}")
    return seconds, len(fake.calls) - before


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeDataAPIs() as fake:
        fake.latency(LATENCY)
        db = Path(tmp) / "fwtrend.db"
        timed_refresh(fake, db, list(SOURCES))  # warm-up: imports, store, first rows
        alone = {name: timed_refresh(fake, db, [name]) for name in SOURCES}
        full, requests = timed_refresh(fake, db, list(SOURCES))
    sequential = requests * LATENCY
    slowest_name, (slowest, _) = max(alone.items(), key=lambda item: item[1][0])
    print(f"{LATENCY * 1000:.0f} ms injected latency per request; production pacing and retries")
    print(f"{'source':<18}{'requests':>9}{'alone s':>9}")
    for name, (seconds, count) in alone.items():
        print(f"{name:<18}{count:>9}{seconds:>9.2f}")
    print(f"full refresh: {full:.2f} s for {requests} requests")
    print(
        f"sequential cost (sum of request latencies): {sequential:.2f} s -> "
        f"{sequential / full:.1f}x faster (target >= 4x)"
    )
    print(
        f"slowest single source ({slowest_name}): {slowest:.2f} s -> full refresh is "
        f"{full / slowest:.2f}x of it (target <= 1.3x)"
    )


if __name__ == "__main__":
    main()
