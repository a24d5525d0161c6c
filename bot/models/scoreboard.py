"""The scoreboard: one row per indicator family, its cells, and the claims on each side."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from bot.models.figures import FigureOut, SourceRef

Direction = Literal["rising", "falling", "flat"]


class ScoreCell(BaseModel):
    """One framework's value in a scoreboard row, or why it has none there."""

    framework: str
    framework_name: str
    figure: FigureOut | None = None
    share: float | None = Field(default=None, description="% of the row's total, if it adds up.")
    rank: int | None = None
    direction: Direction | None = None
    note: str | None = None


class ScoreRow(BaseModel):
    """One indicator family: every value from one source at one date, with standing and trend."""

    family: str
    label: str
    short: str
    metric: str
    unit: str
    base: str = Field(description="What the values are of: the segment, or the metric's base.")
    source: SourceRef
    source_number: int | None = None
    as_of: date
    as_of_label: str
    old: bool = Field(description="The evidence is more than two years old.")
    adds_up: bool
    leader: str | None = None
    cells: list[ScoreCell]
    missing: list[str] = Field(default_factory=list)
    note: str | None = None


class ClaimSide(BaseModel):
    """The claims taking one side of a decline question."""

    stance: str
    label: str
    claim_ids: list[str]


class Scoreboard(BaseModel):
    """Where frameworks stand across indicators: one row per family that has data."""

    view: Literal["standing", "momentum", "overview"]
    frameworks: list[str]
    focus: list[str]
    headline: str
    rows: list[ScoreRow]
    leads: dict[str, list[str]] = Field(
        default_factory=dict, description="Families each framework leads, by framework."
    )
    sides: list[ClaimSide] = Field(default_factory=list)
