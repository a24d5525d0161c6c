"""Chart layout: Pillow title, legend and footnote; matplotlib figure and axes; PNG encoding."""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from bot.models import ChartSpec
from bot.render.charts.style import (
    _AXIS,
    _FAINT,
    _FOOT_BOTTOM_PX,
    _FOOT_LINE_PX,
    _FOOT_PT,
    _GRID,
    _INK,
    _LEGEND_ROW_PX,
    _LEGEND_TOP_PX,
    _MARGIN_PX,
    _MUTED,
    _SWATCH_PX,
    _TEXT_PT,
    _TICK_PT,
    _TITLE_PT,
    _TITLE_TOP_PX,
    DPI,
    HEIGHT_PX,
    PNG_COLOURS,
    WIDTH_PX,
)
from bot.render.charts.text import _clip, _footnote_text, _one_line, _plain, format_compact

if TYPE_CHECKING:  # matplotlib and Pillow are imported lazily: importing this package stays cheap.
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import Formatter
    from PIL.Image import Image
    from PIL.ImageFont import FreeTypeFont

# Matplotlib documents itself as not thread-safe: each render has its own Figure, but caches
# behind it are shared, so renders are serialised. One takes a few tens of milliseconds.
_RENDER_LOCK = threading.Lock()


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
