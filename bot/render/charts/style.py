"""The charts' look: size, colours per framework, type sizes and margins."""

from __future__ import annotations

from collections.abc import Sequence

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
