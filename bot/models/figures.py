"""What an answer cites: sources, figures with their change, claims and notes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from bot.models.knowledge import Figure


class SourceRef(BaseModel):
    """A cited source as an answer shows it."""

    id: str
    title: str
    author: str | None
    publisher: str | None
    published: str
    published_label: str
    url: str | None
    kind: str
    age: str


class Change(BaseModel):
    """How a series moved over the asked period."""

    start_date: date
    start_value: float
    end_date: date
    end_value: float
    absolute: float
    percent: float | None
    unit: str
    breaks: list[str] = Field(
        default_factory=list,
        description="Changes of counting rule the period spans: the change is not growth.",
    )


class FigureOut(BaseModel):
    """A figure in an answer: the latest evidence for one framework and metric."""

    framework: str
    framework_name: str
    metric: str
    value: float
    value_high: float | None = None
    qualifier: str = "exact"
    unit: str
    as_of: date
    as_of_label: str
    segment: str = ""
    source: SourceRef
    provenance: str
    origin: str = "knowledge"
    fetched_at: datetime | None = None
    stale: bool = False
    change: Change | None = None
    caveat: str | None = None
    method: str = ""
    quote: str | None = None
    note: str | None = Field(
        default=None,
        description="Why the figure reads differently (e.g. a negative monthly count).",
    )


class ClaimOut(BaseModel):
    """A related claim as an answer shows it."""

    id: str
    statement: str
    figures: list[Figure]
    source: SourceRef
    caveats: list[str]
    topics: list[str]


class Note(BaseModel):
    """A disagreement between sources or a check of a claim against a series."""

    kind: Literal["disagreement", "cross-check", "caveat", "stale", "break"]
    text: str
    claim_ids: list[str] = Field(default_factory=list)
    source_ids: list[str] = Field(default_factory=list)
