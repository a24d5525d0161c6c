"""The scoreboard chart: one horizontal 100% bar per indicator, each framework's share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.models import ChartSpec, ChartStack
from bot.render.charts.layout import (
    _RENDER_LOCK,
    _Chrome,
    _draw_chrome,
    _encode_png,
    _fit_line,
    _font,
    _footnote_lines,
    _legend,
    _new_figure,
    _place_axes,
    _rasterise,
    _text_width,
)
from bot.render.charts.style import (
    _FOOT_BOTTOM_PX,
    _FOOT_LINE_PX,
    _FOOT_PT,
    _INK,
    _MARGIN_PX,
    _MUTED,
    _TEXT_PT,
    _TICK_PT,
    _TITLE_PT,
    HEIGHT_PX,
    WIDTH_PX,
    series_colours,
)
from bot.render.charts.text import _one_line

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from PIL.Image import Image
    from PIL.ImageFont import FreeTypeFont

_NOTE_PX = 78  # room right of the bars for its date
_MIN_LABEL_PX = 30  # a segment narrower than this carries no percentage
_PLOT_TOP_PX = 56  # under the title and one legend row


def render_scoreboard(spec: ChartSpec) -> bytes:
    """A 600×340 PNG of ``spec.stacks``; raises ValueError when there is nothing to draw."""
    stacks = [stack for stack in spec.stacks if stack.parts]
    if not stacks:
        raise ValueError(f"scoreboard chart {spec.title!r} has no bars")
    with _RENDER_LOCK:
        names = list(dict.fromkeys(part.label for stack in stacks for part in stack.parts))
        colours = series_colours(names)
        chrome = _Chrome(
            title=_fit_line(
                _one_line(spec.title),
                _font(_TITLE_PT, bold=True),
                _text_width(),
            ),
            footnote=_footnote_lines(spec),
            legend=_legend(names, colours),
        )
        layout = _Layout.of(stacks, len(chrome.footnote))
        fig = _new_figure()
        _draw_bars(fig, stacks, dict(zip(names, colours, strict=True)), layout)
        image = _rasterise(fig)
        _draw_chrome(image, chrome)
        # Matplotlib lays text out slowly; labels go on the bitmap with Pillow, as the chrome does.
        _draw_labels(image, stacks, dict(zip(names, colours, strict=True)), layout)
    return _encode_png(image)


@dataclass
class _Layout:
    """Where the bars sit, in pixels from the image's edges."""

    left: float
    right: float
    top: float
    bottom: float
    label_font: FreeTypeFont
    labels: list[str]

    @classmethod
    def of(cls, stacks: Sequence[ChartStack], foot: int) -> _Layout:
        font = _font(_TEXT_PT)
        room = WIDTH_PX * 0.36
        labels = [_fit_line(_one_line(s.label), font, room) for s in stacks]
        widest = max(font.getlength(label) for label in labels)
        left = _MARGIN_PX + widest + 8
        bottom = _FOOT_BOTTOM_PX + _FOOT_LINE_PX * foot + 8
        return cls(left, _NOTE_PX, _PLOT_TOP_PX, bottom, font, labels)

    @property
    def width(self) -> float:
        return WIDTH_PX - self.left - self.right

    def row_centre(self, index: int, count: int) -> float:
        height = HEIGHT_PX - self.top - self.bottom
        return self.top + (index + 0.5) * height / count


def _draw_bars(
    fig: Figure, stacks: Sequence[ChartStack], colour_of: dict[str, str], layout: _Layout
) -> None:
    ax = _place_axes(
        fig, left=layout.left, right=layout.right, top=layout.top, bottom=layout.bottom
    )
    ax.set_axis_off()
    ax.set_xlim(0, 100)
    ax.set_ylim(len(stacks) - 0.5, -0.5)  # first indicator on top
    # One barh call per framework keeps the artist count, and the render time, low.
    for name, colour in colour_of.items():
        ys, lefts, widths = [], [], []
        for y, (stack, shares) in enumerate(zip(stacks, _shares(stacks), strict=True)):
            start = 0.0
            for part, share in zip(stack.parts, shares, strict=True):
                if part.label == name:
                    ys.append(y)
                    lefts.append(start)
                    widths.append(share)
                start += share
        ax.barh(ys, widths, left=lefts, height=0.66, color=colour, edgecolor="white", lw=0.8)


def _shares(stacks: Sequence[ChartStack]) -> list[list[float]]:
    """Each part as a percentage of its bar, so every bar fills the width exactly."""
    out = []
    for stack in stacks:
        total = sum(max(p.value, 0.0) for p in stack.parts) or 1.0
        out.append([100 * max(p.value, 0.0) / total for p in stack.parts])
    return out


def _draw_labels(
    image: Image, stacks: Sequence[ChartStack], colour_of: dict[str, str], layout: _Layout
) -> None:
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    value_font, note_font = _font(_TICK_PT), _font(_FOOT_PT + 0.5)
    for index, (stack, shares) in enumerate(zip(stacks, _shares(stacks), strict=True)):
        y = layout.row_centre(index, len(stacks))
        at = (layout.left - 8, y)
        draw.text(at, layout.labels[index], font=layout.label_font, fill=_INK, anchor="rm")
        x = layout.left
        for part, share in zip(stack.parts, shares, strict=True):
            width = share / 100 * layout.width
            if width >= _MIN_LABEL_PX:
                ink = _ink_on(colour_of[part.label])
                text = f"{part.value:.0f}%"
                draw.text((x + width / 2, y), text, font=value_font, fill=ink, anchor="mm")
            x += width
        note = _fit_line(_one_line(stack.note), note_font, _NOTE_PX - 8)
        right = (WIDTH_PX - layout.right + 6, y)
        draw.text(right, note, font=note_font, fill=_MUTED, anchor="lm")


def _ink_on(colour: str) -> str:
    """White on dark segments, near-black on light ones (relative luminance)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.55 else _INK
