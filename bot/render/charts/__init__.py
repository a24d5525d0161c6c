"""Chart rendering for answers: small deterministic PNGs, unicode sparklines and alt text."""

from __future__ import annotations

from bot.models import ChartSpec
from bot.recent import Recent
from bot.render.charts.bars import _draw_bars
from bot.render.charts.layout import (
    _RENDER_LOCK,
    _Chrome,
    _draw_chrome,
    _encode_png,
    _fit_line,
    _font,
    _footnote_lines,
    _new_figure,
    _rasterise,
    _text_width,
)
from bot.render.charts.lines import _draw_lines
from bot.render.charts.style import _TITLE_PT, FRAMEWORK_COLOURS, OTHER_COLOURS, series_colours
from bot.render.charts.text import (
    _line_data,
    _one_line,
    chart_alt_text,
    chart_sparkline,
    figure_sparkline,
    format_compact,
)

__all__ = [
    "FRAMEWORK_COLOURS",
    "OTHER_COLOURS",
    "chart_alt_text",
    "chart_sparkline",
    "figure_sparkline",
    "format_compact",
    "render_chart",
    "series_colours",
]

RENDER_CACHE_SIZE = 128  # PNGs of ~30-60 KB: a few MB at most
_CACHE: Recent[str, bytes] = Recent(RENDER_CACHE_SIZE)


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
    png = _CACHE.get(key)
    if png is None:
        png = _render(spec)
        _CACHE.put(key, png)
    return png


def _render(spec: ChartSpec) -> bytes:
    if spec.kind == "scoreboard":
        from bot.render.charts.scoreboard import render_scoreboard  # it builds on this package

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
