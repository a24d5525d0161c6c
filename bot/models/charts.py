"""Chart specs: what a chart shows (series, breaks, bars, stacks), not how it is drawn."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


class ChartSeries(BaseModel):
    """One line of a line chart."""

    label: str
    dates: list[date]
    values: list[float]
    floors: list[bool] = Field(
        default_factory=list,
        description="Per point: True where the value is a stated floor ('over N'), not a count.",
    )


class ChartBreak(BaseModel):
    """A change of counting rule inside a charted series, drawn as a dashed vertical line."""

    date: date
    label: str


class ChartBar(BaseModel):
    """One bar of a bar chart."""

    label: str
    value: float
    note: str = ""


class ChartStack(BaseModel):
    """One 100% bar of a scoreboard chart: an indicator split into each framework's share."""

    label: str
    note: str = ""
    parts: list[ChartBar] = Field(default_factory=list)


class ChartSpec(BaseModel):
    """Everything a chart shows; rendering it needs nothing else."""

    kind: Literal["line", "bar", "scoreboard"]
    title: str
    unit: str
    as_of: str
    footnote: str
    series: list[ChartSeries] = Field(default_factory=list)
    bars: list[ChartBar] = Field(default_factory=list)
    stacks: list[ChartStack] = Field(default_factory=list)
    breaks: list[ChartBreak] = Field(default_factory=list)
