"""Line charts: one line per series, end labels, counting-rule breaks and floor markers."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bot.models import ChartSpec
from bot.render.charts.layout import (
    _bottom_px,
    _Chrome,
    _legend,
    _place_axes,
    _style_axes,
    _unit_label,
    _value_formatter,
)
from bot.render.charts.style import (
    _AXIS,
    _LEGEND_ROW_PX,
    _LEGEND_TOP_PX,
    _MUTED,
    _TEXT_PT,
    _TICK_PT,
    DPI,
    _darken,
    series_colours,
)
from bot.render.charts.text import Points, _clip, _is_percent, format_compact

if TYPE_CHECKING:  # matplotlib and Pillow are imported lazily: importing this package stays cheap.
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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
    floors = _floor_dates(spec)
    for (label, points), colour in zip(lines, colours, strict=True):
        days = [d for d, _ in points]
        xs = [float(x) for x in mdates.date2num(days)]  # type: ignore[no-untyped-call]
        ys = [v for _, v in points]
        floor_days = floors.get(label, set())
        # A line of stated floors ("over N") is dotted: it bounds the count, it is not one.
        style = ":" if floor_days and floor_days >= set(days) else "-"
        ax.plot(xs, ys, color=colour, linewidth=1.9, solid_capstyle="round", linestyle=style)
        if floor_days:
            _mark_floors(ax, xs, ys, [d in floor_days for d in days], colour)
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

    _draw_breaks(ax, spec, x_low - x_pad, x_high + x_pad)
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


def _floor_dates(spec: ChartSpec) -> dict[str, set[date]]:
    """Per line label, the dates whose value is a stated floor rather than a count."""
    return {
        one.label: {d for d, floor in zip(one.dates, one.floors, strict=False) if floor}
        for one in spec.series
        if any(one.floors)
    }


def _mark_floors(
    ax: Axes, xs: list[float], ys: list[float], floor: list[bool], colour: str
) -> None:
    """Hollow markers on floors, filled ones on exact counts: the legend's footnote says so."""
    for hollow in (True, False):
        px = [x for x, f in zip(xs, floor, strict=True) if f is hollow]
        py = [y for y, f in zip(ys, floor, strict=True) if f is hollow]
        if px:
            ax.plot(
                px, py, linestyle="none", marker="o", markersize=4.5, color=colour,
                markerfacecolor="white" if hollow else colour, markeredgewidth=1.3, zorder=3,
            )  # fmt: skip


def _draw_breaks(ax: Axes, spec: ChartSpec, x_low: float, x_high: float) -> None:
    """A dashed vertical line, labelled, where the series' counting rule changed."""
    from matplotlib import dates as mdates

    for brk in spec.breaks:
        x = float(mdates.date2num(brk.date))  # type: ignore[no-untyped-call]
        if not x_low <= x <= x_high:
            continue
        ax.axvline(x, color=_MUTED, linestyle="--", linewidth=0.9, zorder=1.6)
        ax.annotate(
            "rule change", (x, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -2),
            textcoords="offset points", ha="left", va="top", fontsize=6.5, color=_MUTED,
            rotation=90, annotation_clip=False,
        )  # fmt: skip
