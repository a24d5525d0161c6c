"""The Answer every renderer starts from, with its listing rows and the data behind it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from bot.models.charts import ChartSpec
from bot.models.figures import ClaimOut, FigureOut, Note, SourceRef
from bot.models.query import ErrorInfo, Query
from bot.models.scoreboard import Scoreboard


class TableRow(BaseModel):
    """A row of a listing answer (metrics, frameworks, sources)."""

    key: str
    label: str
    detail: str = ""


class DataRow(BaseModel):
    """One point an answer stands on, as `--csv` writes it."""

    role: Literal["figure", "history"]
    framework: str
    metric: str
    date: date
    value: float
    value_high: float | None = None
    qualifier: str = "exact"
    unit: str
    segment: str = ""
    source: str
    provenance: str


class Answer(BaseModel):
    """Everything fwtrend says in reply to one question; every renderer starts here."""

    ok: bool
    query: Query | None = None
    title: str
    summary: str = ""
    lead: str = Field(
        default="",
        description="One sentence that answers the question outright, above the figures "
        "(who leads, for 'which has the most …').",
    )
    figures: list[FigureOut] = Field(default_factory=list)
    claims: list[ClaimOut] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    rows: list[TableRow] = Field(default_factory=list)
    chart: ChartSpec | None = None
    scoreboard: Scoreboard | None = None
    data: list[DataRow] = Field(default_factory=list, description="Points behind the answer.")
    error: ErrorInfo | None = None
    metric_label: str | None = None
    metric_definition: str | None = None
    generated_on: date | None = None
