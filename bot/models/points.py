"""What the store holds: dated data points, series coverage, and a value against an earlier one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

Origin = Literal["knowledge", "live"]


class DataPoint(BaseModel):
    """One dated value in the metrics store, with where it came from."""

    metric: str
    framework: str
    date: date
    value: float
    value_high: float | None = None
    qualifier: str = "exact"
    unit: str
    source_id: str
    segment: str = ""
    series: str = Field(description="Stable key of the series this point belongs to.")
    provenance: str = Field(description="Claim id, series file or API endpoint.")
    origin: Origin = "knowledge"
    fetched_at: datetime | None = None
    caveat: str | None = None
    # How the value was counted (counting rule, snapshot kind, base). Within one series a
    # change of method is a break: a move across it is never growth.
    method: str = ""
    excluded: str | None = Field(
        default=None, description="Why this point is left out of trends and cross-checks."
    )
    repo: str | None = Field(default=None, description="Repository the value was copied from.")
    path: str | None = Field(default=None, description="File inside that repository.")
    commit: str | None = Field(default=None, description="Commit of that file.")
    quote: str | None = Field(default=None, description="The source's own sentence.")


class SeriesCoverage(BaseModel):
    """How much of one series the store holds: what `ask sources`/`metrics` and status show."""

    series: str
    metric: str
    framework: str
    segment: str = ""
    source_id: str
    points: int
    first: date
    last: date


class ValueChange(BaseModel):
    """A value set against an earlier one of the same series (refresh moves, digest moves)."""

    previous: float
    value: float

    @property
    def change(self) -> float:
        return self.value - self.previous

    @property
    def change_pct(self) -> float | None:
        return None if self.previous == 0 else 100 * self.change / abs(self.previous)
