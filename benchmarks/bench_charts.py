"""Chart render time (p50/p95) and PNG size for a realistic line chart and bar chart.

Run: python benchmarks/bench_charts.py
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from bot.models import ChartBar, ChartSeries, ChartSpec  # noqa: E402
from bot.render.charts import render_chart  # noqa: E402

ROUNDS = 30


def line_spec() -> ChartSpec:
    """GitHub stars of three frameworks, 120 monthly points each (2015–2024)."""
    dates = [date(2015 + i // 12, i % 12 + 1, 1) for i in range(120)]

    def stars(start: float, end: float, steepness: float, wobble: float) -> list[float]:
        return [
            start
            + (end - start) / (1 + math.exp(-steepness * (10 * i / 120 - 5)))
            + wobble * math.sin(i / 2.7)
            for i in range(120)
        ]

    return ChartSpec(
        kind="line",
        title="Synthetic series: PyTorch vs TensorFlow vs JAX",
        unit="stars",
        as_of="2024-12-31",
        footnote="Synthetic benchmark values shaped like star histories, not real data.",
        series=[
            ChartSeries(label="PyTorch", dates=dates, values=stars(0, 84_000, 0.9, 400)),
            ChartSeries(label="TensorFlow", dates=dates, values=stars(20_000, 186_000, 0.7, 600)),
            ChartSeries(label="JAX", dates=dates, values=stars(0, 30_500, 1.2, 150)),
        ],
    )


def bar_spec() -> ChartSpec:
    """Share of conference papers naming each framework."""
    return ChartSpec(
        kind="bar",
        title="Synthetic share by framework",
        unit="%",
        as_of="Dec 2024",
        footnote="Synthetic benchmark values, not real data.",
        bars=[
            ChartBar(label="PyTorch", value=78.6),
            ChartBar(label="TensorFlow", value=8.9),
            ChartBar(label="JAX", value=7.4, note="incl. Flax"),
            ChartBar(label="Keras", value=2.1),
            ChartBar(label="Other", value=3.0),
        ],
    )


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def measure(spec: ChartSpec) -> tuple[list[float], list[float], int]:
    """Wall and CPU milliseconds of ROUNDS renders after one warm-up, and the PNG size."""
    png = render_chart(spec, cached=False)
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(ROUNDS):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        again = render_chart(spec, cached=False)
        cpu.append((time.process_time() - cpu_start) * 1000)
        wall.append((time.perf_counter() - wall_start) * 1000)
        assert again == png, "renders must be byte-identical"
    return wall, cpu, len(png)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    line, bar = line_spec(), bar_spec()
    cold = timed(lambda: render_chart(line, cached=False))
    print(f"cold start (import matplotlib, load fonts, first render): {cold:.0f} ms")
    print(f"{'chart':<26}{'p50 ms':>8}{'p95 ms':>8}{'cpu p50':>9}{'PNG bytes':>11}")
    for name, spec in (("line (3 × 120 monthly)", line), (f"bar ({len(bar.bars)} bars)", bar)):
        wall, cpu, size = measure(spec)
        print(
            f"{name:<26}{percentile(wall, 50):>8.1f}{percentile(wall, 95):>8.1f}"
            f"{percentile(cpu, 50):>9.1f}{size:>11,}"
        )


if __name__ == "__main__":
    main()
