"""Bar charts: vertical while the labels fit under the bars, horizontal otherwise."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from bot.models import ChartSpec
from bot.render.charts.layout import (
    _bottom_px,
    _font,
    _place_axes,
    _style_axes,
    _unit_label,
    _value_formatter,
)
from bot.render.charts.style import (
    _AXIS,
    _INK,
    _MARGIN_PX,
    _MUTED,
    _TEXT_PT,
    _TICK_PT,
    WIDTH_PX,
    series_colours,
)
from bot.render.charts.text import _clip, _is_percent, _plain, format_compact

if TYPE_CHECKING:  # matplotlib and Pillow are imported lazily: importing this package stays cheap.
    from matplotlib.figure import Figure


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
