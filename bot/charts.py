"""Chart rendering for answers: small deterministic PNGs, unicode sparklines and alt text."""

from __future__ import annotations

import functools
import io
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from bot.models import ChartBar, ChartSeries, ChartSpec

if TYPE_CHECKING:  # matplotlib and Pillow are imported lazily: importing this module stays cheap.
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import Formatter
    from PIL.Image import Image
    from PIL.ImageFont import FreeTypeFont

__all__ = [
    "FRAMEWORK_COLOURS",
    "OTHER_COLOURS",
    "chart_alt_text",
    "chart_sparkline",
    "format_compact",
    "render_chart",
    "series_colours",
]

Points = list[tuple[date, float]]

# ---------------------------------------------------------------- look

WIDTH_PX, HEIGHT_PX, DPI = 600, 340, 100
PNG_COLOURS = 64  # adaptive palette; flat colours on white need no more, and it halves the size
ALT_TEXT_LIMIT = 1000

# Brand-like hues kept apart in lightness as well as hue, so that PyTorch's dark red-orange and
# TensorFlow's amber stay distinct with colour-vision deficiencies (after Okabe & Ito).
FRAMEWORK_COLOURS: dict[str, str] = {
    "pytorch": "#D2411E",
    "tensorflow": "#E69F00",
    "keras": "#CC79A7",
    "jax": "#0072B2",
}
# Other spellings that name a known framework: the PyPI package of PyTorch is "torch".
_ALIASES: dict[str, str] = {"torch": "pytorch"}
OTHER_COLOURS: tuple[str, ...] = (
    "#009E73",
    "#56B4E9",
    "#7E57C2",
    "#5D6D7E",
    "#117733",
    "#882255",
    "#A6761D",
    "#332288",
)

_INK = "#222222"
_MUTED = "#5F6368"
_FAINT = "#8A8F94"
_GRID = "#E7E9EC"
_AXIS = "#B8BCC2"

_TITLE_PT = 11.5
_TEXT_PT = 8.5
_TICK_PT = 8.0
_FOOT_PT = 7.0

_MARGIN_PX = 12  # left and right edge of the title, legend and footnote
_TITLE_TOP_PX = 9
_LEGEND_TOP_PX = 40  # centre of the first legend row
_LEGEND_ROW_PX = 16
_SWATCH_PX = 16
_FOOT_BOTTOM_PX = 6
_FOOT_LINE_PX = 11

_SPARKS = "▁▂▃▄▅▆▇█"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MINUS = "\u2212"
_NBSP = "\u00a0"

# Matplotlib documents itself as not thread-safe: each render has its own Figure, but caches
# behind it are shared, so renders are serialised. One takes a few tens of milliseconds.
_RENDER_LOCK = threading.Lock()
RENDER_CACHE_SIZE = 128  # PNGs of ~30-60 KB: a few MB at most
_CACHE: OrderedDict[str, bytes] = OrderedDict()
_CACHE_LOCK = threading.Lock()


# ---------------------------------------------------------------- public API


def render_chart(spec: ChartSpec, *, cached: bool = True) -> bytes:
    """Render ``spec`` as a 600×340 PNG for a chat message; the same spec gives the same bytes.

    Raises ``ValueError`` when there is nothing to draw (no series with points, no bars) or a
    series has different numbers of dates and values.
    """
    if not cached:
        return _render(spec)
    # Popular questions come back all day and their data only changes on a refresh, which
    # changes the spec: caching by the spec's content skips the slowest step of an answer.
    key = spec.model_dump_json()
    with _CACHE_LOCK:
        png = _CACHE.get(key)
        if png is not None:
            _CACHE.move_to_end(key)
            return png
    png = _render(spec)
    with _CACHE_LOCK:
        _CACHE[key] = png
        while len(_CACHE) > RENDER_CACHE_SIZE:
            _CACHE.popitem(last=False)
    return png


def _render(spec: ChartSpec) -> bytes:
    if spec.kind == "scoreboard":
        from bot.scoreboard_chart import render_scoreboard  # it builds on this module

        return render_scoreboard(spec)
    if spec.kind == "line":
        lines = _line_data(spec.series)
        if not lines:
            raise ValueError(f"line chart {spec.title!r} has no series with data points")
    elif not spec.bars:
        raise ValueError(f"bar chart {spec.title!r} has no bars")

    with _RENDER_LOCK:
        # Matplotlib draws the plot; Pillow sets the title, legend and footnote on the finished
        # bitmap. Matplotlib 3.11 lays text out at ~60 µs a glyph and these hold most glyphs.
        chrome = _Chrome(
            title=_fit_line(_one_line(spec.title), _font(_TITLE_PT, bold=True), _text_width()),
            footnote=_footnote_lines(spec),
        )
        fig = _new_figure()
        if spec.kind == "line":
            _draw_lines(fig, spec, lines, chrome)
        else:
            _draw_bars(fig, spec, len(chrome.footnote))
        image = _rasterise(fig)
        _draw_chrome(image, chrome)  # inside the lock: FreeType faces are not thread-safe
    return _encode_png(image)


def chart_sparkline(values: Sequence[float], width: int = 16) -> str:
    """Return ``values`` as ▁▂▃▄▅▆▇█, averaged down to at most ``width`` characters.

    A constant series is a flat line of ``▄``; missing (non-finite) values are spaces.
    """
    if width < 1:
        raise ValueError("sparkline width must be at least 1")
    if not values:
        return ""
    buckets = _resample(list(values), width)
    finite = [v for v in buckets if v is not None]
    if not finite:
        return " " * len(buckets)
    low, high = min(finite), max(finite)
    span = high - low
    flat = span <= 1e-12 * max(abs(low), abs(high), 1.0)
    chars = []
    for value in buckets:
        if value is None:
            chars.append(" ")
        elif flat:
            chars.append(_SPARKS[3])
        else:
            chars.append(_SPARKS[round((value - low) / span * (len(_SPARKS) - 1))])
    return "".join(chars)


def chart_alt_text(spec: ChartSpec) -> str:
    """Describe the chart in one plain paragraph under 1000 characters (alt text, text fallback)."""
    if spec.kind == "scoreboard":
        from bot.scoreboard_chart import scoreboard_alt_text

        return scoreboard_alt_text(spec)
    percent = _is_percent(spec.unit)
    title = _one_line(spec.title) or "Untitled chart"
    if spec.kind == "line":
        lines = _line_data(spec.series)
        if not lines:
            return _clip(f"Line chart: {title}. There is no data to show.", ALT_TEXT_LIMIT)
        start = min(points[0][0] for _, points in lines)
        end = max(points[-1][0] for _, points in lines)
        monthly = all(d.day == 1 for _, points in lines for d, _ in points)
        head = (
            f"Line chart: {_clip(title, 200)}. {_unit_phrase(spec.unit)}, "
            f"{_date_label(start, monthly)} to {_date_label(end, monthly)}."
        )
        parts = [_describe_line(label, points, percent, monthly) for label, points in lines]
    else:
        if not spec.bars:
            return _clip(f"Bar chart: {title}. There is no data to show.", ALT_TEXT_LIMIT)
        head = f"Bar chart: {_clip(title, 200)}. {_unit_phrase(spec.unit)}:"
        parts = [_describe_bar(bar, percent) for bar in spec.bars]

    tail = _footnote_text(spec).replace(_NBSP, " ")
    tail_budget = min(len(tail), 240)
    body = _join_within(parts, ALT_TEXT_LIMIT - len(head) - tail_budget - 2)
    text = " ".join(p for p in (head, body, _clip(tail, tail_budget)) if p)
    return _clip(text, ALT_TEXT_LIMIT)


def series_colours(labels: Sequence[str]) -> list[str]:
    """Colour for each label: its framework's own colour, else the next unused palette colour.

    A framework is recognised case-insensitively anywhere in the label ("PyTorch (pip)"); if a
    chart names the same framework twice, the second line takes a palette colour.
    """
    used: set[str] = set()
    colours: list[str] = []
    for index, label in enumerate(labels):
        colour = FRAMEWORK_COLOURS.get(_framework_key(label) or "")
        if colour is None or colour in used:
            spare = [c for c in OTHER_COLOURS if c not in used]
            colour = spare[0] if spare else OTHER_COLOURS[index % len(OTHER_COLOURS)]
        used.add(colour)
        colours.append(colour)
    return colours


def format_compact(value: float, percent: bool = False, minus: str = _MINUS) -> str:
    """Three significant digits with a k/M/B suffix: 850, 12.3k, 1.2M; 45.5% if ``percent``."""
    if math.isnan(value):
        return "n/a"
    sign = minus if value < 0 else ""
    if math.isinf(value):
        return sign + "∞"
    size = abs(value)
    if percent:
        return f"{sign}{_significant(size)}%"
    suffixes = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
    for index, (scale, suffix) in enumerate(suffixes):
        if size >= scale * 0.9995:
            text = _significant(size / scale)
            if float(text) >= 1000 and index > 0:  # 999,950 is 1M, not 1000k
                scale, suffix = suffixes[index - 1]
                text = _significant(size / scale)
            return f"{sign}{text}{suffix}"
    return f"{sign}{_significant(size)}"


# ---------------------------------------------------------------- data and text helpers


def _line_data(series: Sequence[ChartSeries]) -> list[tuple[str, Points]]:
    """Series that have points, each sorted by date, without non-finite values."""
    lines = []
    for one in series:
        if len(one.dates) != len(one.values):
            raise ValueError(
                f"series {one.label!r} has {len(one.dates)} dates but {len(one.values)} values"
            )
        points = sorted(
            ((d, float(v)) for d, v in zip(one.dates, one.values, strict=True) if math.isfinite(v)),
            key=lambda point: point[0],
        )
        if points:
            lines.append((one.label, points))
    return lines


def _resample(values: list[float], width: int) -> list[float | None]:
    """Average consecutive values into at most ``width`` buckets; None where nothing is finite."""
    count = len(values)
    buckets = min(width, count)
    out: list[float | None] = []
    for index in range(buckets):
        chunk = values[index * count // buckets : (index + 1) * count // buckets]
        finite = [v for v in chunk if math.isfinite(v)]
        out.append(sum(finite) / len(finite) if finite else None)
    return out


def _significant(size: float) -> str:
    """A non-negative number to three significant digits, without trailing zeros."""
    if size == 0:
        return "0"
    decimals = max(0, 2 - math.floor(math.log10(size)))
    text = f"{size:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _is_percent(unit: str) -> bool:
    text = unit.strip().lower()
    return text == "%" or text.startswith("% ") or text in {"percent", "percentage", "pct"}


def _framework_key(label: str) -> str | None:
    """The known framework named earliest in the label ('Keras on JAX' is Keras)."""
    lowered = label.lower()
    names = {**{key: key for key in FRAMEWORK_COLOURS}, **_ALIASES}
    found = [
        (lowered.find(name), -len(name), key) for name, key in names.items() if name in lowered
    ]
    return min(found)[2] if found else None


def _darken(colour: str, factor: float = 0.8) -> str:
    """A darker shade of a #RRGGBB colour, for text that must read on white."""
    channels = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c * factor):02X}" for c in channels)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary when one is near, with an ellipsis."""
    text = _one_line(text)
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    if " " in cut[limit * 2 // 3 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.–-") + "…"


def _plain(text: str) -> str:
    """Escape dollar signs so matplotlib never reads user text as mathtext."""
    return text.replace("$", r"\$")


def _date_label(day: date, monthly: bool) -> str:
    month = _MONTHS[day.month - 1]
    return f"{month} {day.year}" if monthly else f"{day.day} {month} {day.year}"


def _unit_phrase(unit: str) -> str:
    unit = _one_line(unit)
    if not unit:
        return "Values"
    return "Values in percent" if _is_percent(unit) else f"Values in {_clip(unit, 60)}"


def _footnote_text(spec: ChartSpec, note_limit: int | None = None) -> str:
    """'Source note. Data as of 2025-04-30.' — the date phrase held together by no-break spaces."""
    note = _one_line(spec.footnote)
    if note_limit is not None:
        note = _clip(note, note_limit)
    note = note if not note or note[-1] in ".!?…" else note + "."
    as_of = _one_line(spec.as_of)
    dated = f"Data as of {as_of}.".replace(" ", _NBSP) if as_of else ""
    return " ".join(p for p in (note, dated) if p)


def _describe_line(label: str, points: Points, percent: bool, monthly: bool) -> str:
    (first_day, first), (last_day, last) = points[0], points[-1]
    name = _clip(label, 60) or "Unnamed series"
    if len(points) == 1:
        return f"{name} {format_compact(last, percent, '-')} ({_date_label(last_day, monthly)})"
    verb = "rose" if last > first else "fell" if last < first else "stayed"
    return (
        f"{name} {verb} from {format_compact(first, percent, '-')} "
        f"({_date_label(first_day, monthly)}) to {format_compact(last, percent, '-')} "
        f"({_date_label(last_day, monthly)})"
    )


def _describe_bar(bar: ChartBar, percent: bool) -> str:
    text = f"{_clip(bar.label, 60) or 'Unnamed'} {format_compact(bar.value, percent, '-')}"
    note = _one_line(bar.note)
    return f"{text} ({_clip(note, 80)})" if note else text


def _join_within(parts: list[str], budget: int) -> str:
    """'a; b; c.' — dropping trailing parts for '; and N more.' when over ``budget``."""
    for keep in range(len(parts), 0, -1):
        rest = len(parts) - keep
        text = "; ".join(parts[:keep]) + (f"; and {rest} more." if rest else ".")
        if len(text) <= budget:
            return text
    return _clip(parts[0], max(budget, 40)) if parts else ""


# ---------------------------------------------------------------- title and footnote (Pillow)


@functools.cache
def _font(points: float, bold: bool = False) -> FreeTypeFont:
    """DejaVu Sans as shipped inside matplotlib, so the result is the same on every machine."""
    from pathlib import Path

    import matplotlib
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(matplotlib.get_data_path(), "fonts", "ttf", name)
    return ImageFont.truetype(path, points * DPI / 72, layout_engine=ImageFont.Layout.BASIC)


def _text_width() -> int:
    return WIDTH_PX - 2 * _MARGIN_PX


def _fit_line(text: str, font: FreeTypeFont, max_px: float) -> str:
    """``text`` shortened with an ellipsis until it is at most ``max_px`` wide."""
    limit = len(text)
    fitted = text
    while font.getlength(fitted) > max_px and limit > 4:
        limit = min(limit - 1, int(limit * max_px / font.getlength(fitted)))
        fitted = _clip(text, limit)
    return fitted


def _wrap(text: str, font: FreeTypeFont, max_px: float) -> list[str]:
    """Greedy word wrap by rendered width; only ordinary spaces break lines."""
    lines: list[str] = []
    current = ""
    for word in (w for w in text.split(" ") if w):
        trial = f"{current} {word}" if current else word
        if current and font.getlength(trial) > max_px:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return [_fit_line(line, font, max_px) for line in lines]


def _footnote_lines(spec: ChartSpec) -> list[str]:
    """The footnote and as-of date in at most two lines, shortening the note, never the date."""
    font, width = _font(_FOOT_PT), _text_width()
    lines = _wrap(_footnote_text(spec), font, width)
    limit = len(_one_line(spec.footnote))
    while len(lines) > 2 and limit > 0:
        limit = max(limit - max(limit // 10, 4), 0)
        lines = _wrap(_footnote_text(spec, limit), font, width)
    return lines[:2]


@dataclass
class _LegendEntry:
    label: str
    colour: str
    x: float
    row: int


@dataclass
class _Chrome:
    """The text around the plot: title, legend (line charts) and footnote."""

    title: str
    footnote: list[str]
    legend: list[_LegendEntry] = field(default_factory=list)

    @property
    def legend_rows(self) -> int:
        return max((entry.row + 1 for entry in self.legend), default=0)


def _legend(labels: Sequence[str], colours: Sequence[str]) -> list[_LegendEntry]:
    """Legend entries flowing left to right, wrapping at the chart's right edge."""
    font = _font(_TEXT_PT)
    entries = []
    x, row = float(_MARGIN_PX), 0
    for label, colour in zip(labels, colours, strict=True):
        text = _fit_line(label, font, _text_width() - _SWATCH_PX - 5)
        width = _SWATCH_PX + 5 + font.getlength(text)
        if x > _MARGIN_PX and x + width > WIDTH_PX - _MARGIN_PX:
            x, row = float(_MARGIN_PX), row + 1
        entries.append(_LegendEntry(text, colour, x, row))
        x += width + 16
    return entries


def _draw_chrome(image: Image, chrome: _Chrome) -> None:
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    if chrome.title:
        top = (_MARGIN_PX, _TITLE_TOP_PX)
        draw.text(top, chrome.title, font=_font(_TITLE_PT, bold=True), fill=_INK, anchor="lt")
    for entry in chrome.legend:
        middle = _LEGEND_TOP_PX + _LEGEND_ROW_PX * entry.row
        draw.rectangle((entry.x, middle - 1, entry.x + _SWATCH_PX - 1, middle + 1), entry.colour)
        at = (entry.x + _SWATCH_PX + 5, middle)
        draw.text(at, entry.label, font=_font(_TEXT_PT), fill=_INK, anchor="lm")
    lines = chrome.footnote
    for index, line in enumerate(lines):
        baseline = HEIGHT_PX - _FOOT_BOTTOM_PX - _FOOT_LINE_PX * (len(lines) - 1 - index)
        draw.text((_MARGIN_PX, baseline), line, font=_font(_FOOT_PT), fill=_FAINT, anchor="ld")


# ---------------------------------------------------------------- plot (matplotlib)


def _new_figure() -> Figure:
    # Figure + FigureCanvasAgg without pyplot: no global figure registry and no GUI backend is
    # ever selected, so matplotlib.use() is not needed and other users of matplotlib are unaffected.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _place_axes(fig: Figure, left: float, right: float, top: float, bottom: float) -> Axes:
    """An axes whose edges sit the given numbers of pixels in from the figure's edges."""
    fig.subplots_adjust(
        left=left / WIDTH_PX,
        right=1 - right / WIDTH_PX,
        top=1 - top / HEIGHT_PX,
        bottom=bottom / HEIGHT_PX,
    )
    return fig.add_subplot()


def _bottom_px(footnote_lines: int) -> float:
    """Room under the plot for the tick labels and the footnote."""
    return 26 + (_FOOT_LINE_PX * footnote_lines + 2 if footnote_lines else 0)


def _style_axes(ax: Axes, value_axis: Literal["x", "y"]) -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(_AXIS)
    ax.tick_params(axis="both", labelsize=_TICK_PT, labelcolor=_MUTED, length=0, pad=4)
    ax.tick_params(axis="x", length=3, color=_AXIS)
    ax.grid(True, axis=value_axis, color=_GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def _value_formatter(percent: bool) -> Formatter:
    from matplotlib.ticker import FuncFormatter

    def fmt(value: float, _pos: int | None) -> str:
        return format_compact(value, percent)

    return FuncFormatter(fmt)


def _unit_label(unit: str) -> str:
    unit = _one_line(unit)
    return _plain("percent" if unit == "%" else _clip(unit, 40))


def _draw_lines(
    fig: Figure, spec: ChartSpec, lines: list[tuple[str, Points]], chrome: _Chrome
) -> None:
    from matplotlib import dates as mdates
    from matplotlib.ticker import MaxNLocator

    percent = _is_percent(spec.unit)
    colours = series_colours([label for label, _ in lines])
    chrome.legend = _legend([_clip(label, 40) or "—" for label, _ in lines], colours)
    top = _LEGEND_TOP_PX + _LEGEND_ROW_PX * (chrome.legend_rows - 1) + 18
    bottom = _bottom_px(len(chrome.footnote))
    ax = _place_axes(fig, left=62, right=48, top=top, bottom=bottom)
    _style_axes(ax, "y")

    ends: list[tuple[float, float, str]] = []
    all_x: list[float] = []
    all_y: list[float] = []
    for (_, points), colour in zip(lines, colours, strict=True):
        days = [d for d, _ in points]
        xs = [float(x) for x in mdates.date2num(days)]  # type: ignore[no-untyped-call]
        ys = [v for _, v in points]
        ax.plot(xs, ys, color=colour, linewidth=1.9, solid_capstyle="round")
        ax.plot(
            xs[-1:], ys[-1:], linestyle="none", marker="o", markersize=5.5, color=colour,
            markeredgecolor="white", markeredgewidth=1.2, zorder=4,
        )  # fmt: skip
        ends.append((xs[-1], ys[-1], colour))
        all_x += xs
        all_y += ys

    # A zero baseline for non-negative data, unless it would squash the lines flat.
    low, high = min(all_y), max(all_y)
    if low >= 0 and high > 0 and (low <= 0.6 * high or low == high):
        low = 0.0
    pad = (high - low) * 0.07 or max(abs(high) * 0.1, 1.0)
    ax.set_ylim(low if low == 0 else low - pad, high + pad)
    x_low, x_high = min(all_x), max(all_x)
    x_pad = (x_high - x_low) * 0.015 or 60.0  # a lone date gets two months either side
    ax.set_xlim(x_low - x_pad, x_high + x_pad)

    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)  # type: ignore[no-untyped-call]
    dates = mdates.ConciseDateFormatter(locator, show_offset=False)  # type: ignore[no-untyped-call]
    dates.zero_formats = ["", "%Y", "%b", "%d %b", "%H:%M", "%H:%M"]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(dates)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(_value_formatter(percent))
    ax.set_ylabel(_unit_label(spec.unit), fontsize=_TEXT_PT, color=_MUTED, labelpad=6)
    if low < 0 < high:
        ax.axhline(0, color=_AXIS, linewidth=0.8, zorder=1.5)

    _label_ends(ax, ends, percent)


def _label_ends(ax: Axes, ends: list[tuple[float, float, str]], percent: bool) -> None:
    """Write each line's last value right of its end marker, nudged apart so none overlap."""
    gap = 11.0  # px between label centres
    actual = [float(ax.transData.transform((x, y))[1]) for x, y, _ in ends]
    order = sorted(range(len(ends)), key=lambda k: (actual[k], k))
    placed = [actual[k] for k in order]
    for rank in range(1, len(placed)):
        placed[rank] = max(placed[rank], placed[rank - 1] + gap)
    ceiling = ax.bbox.y1 + 6
    if placed[-1] > ceiling:  # pushed above the plot: stack downwards from the top instead
        placed[-1] = ceiling
        for rank in range(len(placed) - 2, -1, -1):
            placed[rank] = min(placed[rank], placed[rank + 1] - gap)
    for rank, k in enumerate(order):
        x, y, colour = ends[k]
        ax.annotate(
            format_compact(y, percent), (x, y), textcoords="offset points",
            xytext=(6, (placed[rank] - actual[k]) * 72 / DPI), ha="left", va="center",
            fontsize=_TICK_PT, fontweight="bold", color=_darken(colour), annotation_clip=False,
        )  # fmt: skip


def _draw_bars(fig: Figure, spec: ChartSpec, foot: int) -> None:
    percent = _is_percent(spec.unit)
    count = len(spec.bars)
    labels = [_plain(_clip(bar.label, 28) or "—") for bar in spec.bars]
    values = [bar.value if math.isfinite(bar.value) else 0.0 for bar in spec.bars]
    colours = series_colours([bar.label for bar in spec.bars])
    notes = [_clip(bar.note, 24) for bar in spec.bars]
    label_font, value_font = _font(_TEXT_PT), _font(_TICK_PT)
    longest = max(label_font.getlength(label) for label in labels)
    # Vertical bars while every label fits under its bar, horizontal otherwise.
    horizontal = count > 7 or longest > (WIDTH_PX - 90) / count - 12
    texts = [
        format_compact(bar.value, percent) + (f" ({note})" if note else "")
        if horizontal
        else format_compact(bar.value, percent) + (f"\n{note}" if note else "")
        for bar, note in zip(spec.bars, notes, strict=True)
    ]

    bottom = _bottom_px(foot)
    if horizontal:
        left = min(_MARGIN_PX + longest + 8, WIDTH_PX * 0.42)
        ax = _place_axes(fig, left=left, right=_MARGIN_PX + 8, top=40, bottom=bottom + 12)
    else:
        ax = _place_axes(fig, left=62, right=_MARGIN_PX + 8, top=40, bottom=bottom)
    _style_axes(ax, "x" if horizontal else "y")

    # Leave room beyond the longest bar for its value label.
    if horizontal:
        room = float(ax.bbox.width)
        widths = [value_font.getlength(text) + 8 for text in texts]
        need_high = max((w for w, v in zip(widths, values, strict=True) if v >= 0), default=0.0)
        need_low = max((w for w, v in zip(widths, values, strict=True) if v < 0), default=0.0)
    else:
        room = float(ax.bbox.height)
        heights = [14.0 + 11.0 * text.count("\n") for text in texts]
        need_high = max((h for h, v in zip(heights, values, strict=True) if v >= 0), default=0.0)
        need_low = max((h for h, v in zip(heights, values, strict=True) if v < 0), default=0.0)
    share_high, share_low = need_high / room, need_low / room
    if share_high + share_low > 0.6:
        shrink = 0.6 / (share_high + share_low)
        share_high, share_low = share_high * shrink, share_low * shrink
    high, low = max(max(values), 0.0), min(min(values), 0.0)
    total = ((high - low) or 1.0) / (1 - share_high - share_low)
    limits = (low - share_low * total, high + share_high * total)

    positions = [float(p) for p in range(count)]
    size = min(_TEXT_PT, max(6.0, ax.bbox.height / count * 0.5)) if horizontal else _TEXT_PT
    if horizontal:
        ax.barh(positions, values, height=0.64, color=colours, zorder=2)
        ax.set_yticks(positions, labels, fontsize=size, color=_INK)
        ax.set_ylim(count - 0.5, -0.5)  # first bar on top
        ax.set_xlim(*limits)
        ax.xaxis.set_major_formatter(_value_formatter(percent))
        ax.set_xlabel(_unit_label(spec.unit), fontsize=_TEXT_PT, color=_MUTED)
        ax.tick_params(axis="y", length=0)
    else:
        ax.bar(positions, values, width=0.64, color=colours, zorder=2)
        ax.set_xticks(positions, labels, fontsize=size, color=_INK)
        ax.set_xlim(-0.6, count - 0.4)
        ax.set_ylim(*limits)
        ax.yaxis.set_major_formatter(_value_formatter(percent))
        ax.set_ylabel(_unit_label(spec.unit), fontsize=_TEXT_PT, color=_MUTED, labelpad=6)
        ax.tick_params(axis="x", length=0)
    if low < 0:
        (ax.axvline if horizontal else ax.axhline)(0, color=_AXIS, linewidth=0.8, zorder=3)

    for position, value, text in zip(positions, values, texts, strict=True):
        outward = 1.0 if value >= 0 else -1.0
        if horizontal:
            where, offset = (value, position), (4.0 * outward, 0.0)
            ha, va = ("left" if outward > 0 else "right"), "center"
        else:
            where, offset = (position, value), (0.0, 3.0 * outward)
            ha, va = "center", ("bottom" if outward > 0 else "top")
        ax.annotate(
            _plain(text), where, xytext=offset, textcoords="offset points", ha=ha, va=va,
            fontsize=min(size, _TICK_PT), color=_INK, linespacing=1.15, annotation_clip=False,
        )  # fmt: skip


# ---------------------------------------------------------------- encoding


def _rasterise(fig: Figure) -> Image:
    from PIL import Image

    canvas = fig.canvas
    canvas.draw()
    width, height = canvas.get_width_height()
    rgba = bytes(canvas.buffer_rgba())  # type: ignore[attr-defined]
    return Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB")


def _encode_png(image: Image) -> bytes:
    """A 64-colour palette PNG: a third the size of RGB, and no timestamp or software chunk."""
    from PIL import Image

    palette = image.quantize(
        PNG_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    # Octree buckets average their colours, which turns the white background into #FEFEFE: a
    # visible box on a white Slack theme. Snap near-white entries back to pure white.
    entries = palette.getpalette() or []
    palette.putpalette([255 if min(entries[i - i % 3 : i - i % 3 + 3]) >= 250 else value
                        for i, value in enumerate(entries)])  # fmt: skip
    out = io.BytesIO()
    palette.save(out, format="PNG")
    return out.getvalue()
