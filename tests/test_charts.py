"""Tests for bot.render.charts: real PNG renders, sparklines, alt text and number formatting."""

from __future__ import annotations

import io
import math
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from bot.models import ChartBar, ChartSeries, ChartSpec
from bot.render.charts import (
    FRAMEWORK_COLOURS,
    chart_alt_text,
    chart_sparkline,
    format_compact,
    render_chart,
    series_colours,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 60_000


def monthly(start_year: int, count: int) -> list[date]:
    return [date(start_year + i // 12, i % 12 + 1, 1) for i in range(count)]


def growth(start: float, end: float, count: int, steepness: float) -> list[float]:
    """An S-curve with a little wobble, like cumulative GitHub stars."""
    return [
        start
        + (end - start) / (1 + math.exp(-steepness * (10 * i / count - 5)))
        + 250 * math.sin(i / 3)
        for i in range(count)
    ]


@pytest.fixture
def line_spec() -> ChartSpec:
    dates = monthly(2017, 100)
    return ChartSpec(
        kind="line",
        title="Synthetic series: PyTorch vs TensorFlow vs JAX",
        unit="stars",
        as_of="2025-04-30",
        footnote="Synthetic test values, not real data.",
        series=[
            ChartSeries(label="PyTorch", dates=dates, values=growth(8_000, 86_000, 100, 0.9)),
            ChartSeries(label="TensorFlow", dates=dates, values=growth(90_000, 187_000, 100, 0.6)),
            ChartSeries(label="JAX", dates=dates, values=growth(0, 31_000, 100, 1.1)),
        ],
    )


@pytest.fixture
def bar_spec() -> ChartSpec:
    return ChartSpec(
        kind="bar",
        title="Synthetic share by framework",
        unit="%",
        as_of="Dec 2024",
        footnote="Synthetic test values, not real data.",
        bars=[
            ChartBar(label="PyTorch", value=79.4),
            ChartBar(label="TensorFlow", value=9.2),
            ChartBar(label="JAX", value=6.1, note="incl. Flax"),
            ChartBar(label="Other", value=5.3),
        ],
    )


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of every chunk, checking the signature and the chunk framing."""
    assert data[:8] == PNG_SIGNATURE
    chunks = []
    offset = 8
    while offset < len(data):
        length = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8]
        chunks.append((kind, data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    assert offset == len(data)
    return chunks


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first."""
    kind, payload = png_chunks(data)[0]
    assert kind == b"IHDR"
    return int.from_bytes(payload[0:4], "big"), int.from_bytes(payload[4:8], "big")


# ---------------------------------------------------------------- render_chart


@pytest.mark.parametrize("fixture", ["line_spec", "bar_spec"])
def test_render_is_a_small_chat_sized_png(fixture: str, request: pytest.FixtureRequest) -> None:
    spec: ChartSpec = request.getfixturevalue(fixture)
    png = render_chart(spec)

    assert png.startswith(PNG_SIGNATURE)
    width, height = png_size(png)
    assert 560 <= width <= 640
    assert 300 <= height <= 380
    assert len(png) < MAX_PNG_BYTES
    kinds = {kind for kind, _ in png_chunks(png)}
    assert kinds.isdisjoint({b"tIME", b"tEXt", b"iTXt", b"zTXt"}), "no timestamp or software"
    assert png_chunks(png)[-1][0] == b"IEND"


@pytest.mark.parametrize("fixture", ["line_spec", "bar_spec"])
def test_render_is_deterministic(fixture: str, request: pytest.FixtureRequest) -> None:
    spec: ChartSpec = request.getfixturevalue(fixture)
    assert render_chart(spec, cached=False) == render_chart(spec, cached=False)
    assert render_chart(spec.model_copy(deep=True)) == render_chart(spec, cached=False)


def test_render_cache_returns_the_same_png(line_spec: ChartSpec) -> None:
    first = render_chart(line_spec)
    assert render_chart(line_spec.model_copy(deep=True)) is first  # a hit, not a re-render
    changed = line_spec.model_copy(update={"title": line_spec.title + " (changed)"})
    assert render_chart(changed) != first


def test_render_has_a_pure_white_background(line_spec: ChartSpec) -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(render_chart(line_spec))).convert("RGB")
    assert image.getpixel((2, 2)) == (255, 255, 255)
    assert image.getpixel((image.width - 2, image.height - 2)) == (255, 255, 255)


def test_render_is_thread_safe(line_spec: ChartSpec, bar_spec: ChartSpec) -> None:
    expected = {"line": render_chart(line_spec), "bar": render_chart(bar_spec)}
    specs = [line_spec, bar_spec] * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda spec: render_chart(spec, cached=False), specs))
    assert results == [expected[spec.kind] for spec in specs]


def test_render_handles_awkward_input_without_warnings() -> None:
    # pyproject turns warnings into errors, so singular limits or mathtext would fail here.
    spec = ChartSpec(
        kind="line",
        title="Cost in $ per 1k runs: $5 vs $10 " + "and a very long title " * 10,
        unit="$",
        as_of="2025",
        footnote="A long note. " * 60,
        series=[
            ChartSeries(label="jax", dates=[date(2025, 1, 1)], values=[31_000]),
            ChartSeries(label="zeros", dates=monthly(2024, 3), values=[0, 0, 0]),
            ChartSeries(label="negative", dates=monthly(2024, 3), values=[-5, float("nan"), 3]),
            ChartSeries(label="empty", dates=[], values=[]),
        ],
    )
    assert png_size(render_chart(spec))[0] == 600
    bars = ChartSpec(
        kind="bar",
        title="Change",
        unit="%",
        as_of="",
        footnote="",
        bars=[ChartBar(label=f"Framework number {i}", value=(-1) ** i * i) for i in range(12)],
    )
    assert png_size(render_chart(bars))[0] == 600


def test_empty_line_chart_is_rejected(line_spec: ChartSpec) -> None:
    with pytest.raises(ValueError, match="no series with data points"):
        render_chart(line_spec.model_copy(update={"series": []}))
    empty_series = [ChartSeries(label="PyTorch", dates=[], values=[])]
    with pytest.raises(ValueError, match="no series with data points"):
        render_chart(line_spec.model_copy(update={"series": empty_series}))


def test_empty_bar_chart_is_rejected(bar_spec: ChartSpec) -> None:
    with pytest.raises(ValueError, match="no bars"):
        render_chart(bar_spec.model_copy(update={"bars": []}))


def test_mismatched_series_is_rejected(line_spec: ChartSpec) -> None:
    broken = [ChartSeries(label="PyTorch", dates=monthly(2020, 3), values=[1.0, 2.0])]
    with pytest.raises(ValueError, match="3 dates but 2 values"):
        render_chart(line_spec.model_copy(update={"series": broken}))


def test_importing_the_module_does_not_import_matplotlib() -> None:
    code = "import sys, bot.render.charts; print(sorted({'matplotlib', 'PIL'} & set(sys.modules)))"
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------- colours and numbers


def test_known_frameworks_keep_their_colours_in_any_order() -> None:
    colours = series_colours(["MXNet", "TensorFlow 2 (tf.keras)", "PyTorch (pip)", "JAX", "torch"])
    assert colours[1] == FRAMEWORK_COLOURS["tensorflow"]  # named first in the label
    assert colours[2] == FRAMEWORK_COLOURS["pytorch"]
    assert colours[3] == FRAMEWORK_COLOURS["jax"]
    assert colours[0] not in FRAMEWORK_COLOURS.values()
    assert len(set(colours)) == len(colours), "a second PyTorch line gets another colour"
    assert series_colours(["Keras"]) == [FRAMEWORK_COLOURS["keras"]]


@pytest.mark.parametrize(
    ("value", "percent", "expected"),
    [
        (0, False, "0"),
        (850, False, "850"),
        (12_000, False, "12k"),
        (12_345, False, "12.3k"),
        (1_200_000, False, "1.2M"),
        (999_999, False, "1M"),
        (2.5e9, False, "2.5B"),
        (-1_500, False, "\u22121.5k"),
        (0.125, False, "0.125"),
        (45.55, True, "45.5%"),
        (100, True, "100%"),
    ],
)
def test_format_compact(value: float, percent: bool, expected: str) -> None:
    assert format_compact(value, percent) == expected


# ---------------------------------------------------------------- sparklines


def test_sparkline_rising() -> None:
    assert chart_sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"


def test_sparkline_constant_is_flat() -> None:
    line = chart_sparkline([42.0] * 10)
    assert len(line) == 10
    assert len(set(line)) == 1


def test_sparkline_empty() -> None:
    assert chart_sparkline([]) == ""


def test_sparkline_resamples_to_width() -> None:
    rising = chart_sparkline([float(i) for i in range(100)], width=16)
    assert len(rising) == 16
    assert rising[0] == "▁" and rising[-1] == "█"
    assert list(rising) == sorted(rising), "averaging keeps a rising series rising"
    assert chart_sparkline([1.0, 5.0, 2.0], width=16) == "▁█▃"
    assert len(chart_sparkline([float(i % 7) for i in range(1000)], width=5)) == 5


def test_sparkline_gaps_and_bad_width() -> None:
    assert chart_sparkline([1.0, float("nan"), 3.0]) == "▁ █"
    with pytest.raises(ValueError):
        chart_sparkline([1.0], width=0)


# ---------------------------------------------------------------- alt text


def test_line_alt_text(line_spec: ChartSpec) -> None:
    text = chart_alt_text(line_spec)
    assert len(text) < 1000
    assert "\n" not in text
    for series in line_spec.series:
        assert series.label in text
    assert "Jan 2017" in text and "Apr 2025" in text
    assert format_compact(line_spec.series[0].values[-1], minus="-") in text
    assert "2025-04-30" in text


def test_bar_alt_text(bar_spec: ChartSpec) -> None:
    text = chart_alt_text(bar_spec)
    assert len(text) < 1000
    for bar in bar_spec.bars:
        assert bar.label in text
    assert "79.4%" in text and "incl. Flax" in text


def test_alt_text_stays_short_with_many_series() -> None:
    series = [
        ChartSeries(
            label=f"A framework with a rather long name, number {i}",
            dates=monthly(2015, 120),
            values=[float(v) for v in range(120)],
        )
        for i in range(40)
    ]
    spec = ChartSpec(
        kind="line",
        title="T" * 500,
        unit="stars",
        as_of="2025",
        footnote="N" * 2000,
        series=series,
    )
    text = chart_alt_text(spec)
    assert len(text) < 1000
    assert "more" in text
