"""How fwtrend understood a question: its kind, view, intent, period, and why it failed."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

QueryKind = Literal[
    "figures",
    "compare",
    "claims",
    "sources",
    "metrics",
    "frameworks",
    "help",
    "search",
    "scoreboard",
    "overview",
]

# How an answer should present what it found: who leads now ("standing"), which indicators
# rise and fall ("momentum"), or one metric's change over the period ("change").
QueryView = Literal["standing", "momentum", "change"]

# What the question was after, beyond its frameworks and metric.
QueryIntent = Literal[
    "why",
    "who",
    "release",
    "catchup",
    "trend",
    "verdict",
    "popularity",
    "superlative",
    "overview",
]


class DateWindow(BaseModel):
    """The period a question asks about; both ends optional."""

    start: date | None = None
    end: date | None = None
    text: str = ""


class Query(BaseModel):
    """How fwtrend understood a question."""

    kind: QueryKind
    text: str
    frameworks: list[str] = Field(default_factory=list)
    metric: str | None = None
    window: DateWindow | None = None
    topic: str | None = None
    terms: list[str] = Field(default_factory=list, description="Words left for claim search.")
    understood: str = ""
    view: QueryView | None = Field(
        default=None,
        description="standing or momentum for a scoreboard; change for one metric's trend.",
    )
    intent: QueryIntent | None = Field(
        default=None, description="What the question was after: why, who, release, trend, ..."
    )
    corrected: str | None = Field(
        default=None, description="The question with its typos corrected, when it had any."
    )


class ErrorInfo(BaseModel):
    """Why a question could not be answered, and what the user may have meant."""

    message: str
    suggestions: list[str] = Field(default_factory=list)
    corrected: str | None = Field(
        default=None, description="The whole question with every typo corrected."
    )
