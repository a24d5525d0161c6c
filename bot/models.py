"""Pydantic models shared by every layer: knowledge entries, store points, queries, answers."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from bot.periods import Period

SLUG = r"^[a-z0-9][a-z0-9-]*$"


class _Strict(BaseModel):
    # Knowledge files are hand-written: a misspelt key must be an error, not silently dropped.
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- knowledge base


class Framework(_Strict):
    """A deep-learning framework and the names people type for it."""

    slug: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    github_repo: str | None = Field(default=None, pattern=r"^[\w.-]+/[\w.-]+$")
    pypi_package: str | None = None
    hf_library_tag: str | None = None
    stackoverflow_tag: str | None = None
    docker_image: str | None = None


class Metric(_Strict):
    """Something measured about frameworks, with its unit and how people refer to it."""

    slug: str = Field(pattern=SLUG)
    label: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    definition: str = Field(min_length=10)
    aliases: list[str] = Field(default_factory=list)
    kind: Literal["count", "share", "ratio", "rate"] = "count"
    caveat: str | None = None


SourceKind = Literal["news", "blog", "forum", "study", "dataset", "api"]


class Source(_Strict):
    """A document or dataset that evidence comes from."""

    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    author: str | None = None
    publisher: str | None = None
    published: Period
    date_basis: str | None = Field(
        default=None, description="How the date was established when the document has none."
    )
    url: HttpUrl | None = None
    kind: SourceKind
    summary: str = Field(min_length=10)
    seed_file: str | None = None

    @model_validator(mode="after")
    def _someone_published_it(self) -> Source:
        if not (self.author or self.publisher):
            raise ValueError("a source needs an author or a publisher")
        return self


Qualifier = Literal["exact", "about", "over", "under", "almost", "at-least", "range"]


class Figure(_Strict):
    """One number a claim states, in structured form."""

    metric: str = Field(pattern=SLUG)
    framework: str | None = Field(default=None, pattern=SLUG)
    subject: str | None = Field(
        default=None, description="What the figure is about when it is not one framework."
    )
    value: float
    value_high: float | None = Field(default=None, description="Upper end of a range.")
    unit: str = Field(min_length=1)
    qualifier: Qualifier = "exact"
    as_of: Period
    segment: str | None = Field(
        default=None, description="The population or subset measured, e.g. 'ML developers'."
    )
    relative_to: str | None = Field(
        default=None, pattern=SLUG, description="For ratios: the framework compared against."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Figure:
        if not (self.framework or self.subject):
            raise ValueError("a figure needs a framework or a subject")
        if self.qualifier == "range" and self.value_high is None:
            raise ValueError("a range figure needs value_high")
        if self.value_high is not None and self.value_high < self.value:
            raise ValueError("value_high is below value")
        return self


class Claim(_Strict):
    """A published statement about frameworks, restated in our words, with its figures."""

    id: str = Field(pattern=SLUG)
    source: str = Field(pattern=SLUG)
    statement: str = Field(min_length=15)
    figures: list[Figure] = Field(default_factory=list)
    topics: list[str] = Field(min_length=1)
    caveats: list[str] = Field(default_factory=list)

    @field_validator("topics")
    @classmethod
    def _slug_topics(cls, topics: list[str]) -> list[str]:
        for topic in topics:
            if not re.match(SLUG, topic):
                raise ValueError(f"topic {topic!r} is not a lowercase slug")
        return topics


class SeriesFile(_Strict):
    """A CSV of dated history shipped under knowledge/series/, with its provenance."""

    file: str
    format: Literal["github-history", "conference-papers"]
    source: str = Field(pattern=SLUG)
    fetched: Period
    description: str
    caveats: list[str] = Field(default_factory=list)


class KBError(BaseModel):
    """One invalid knowledge entry, located by file, entry and field."""

    file: str
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.field}: {self.message}"


# ---------------------------------------------------------------- store


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


# ---------------------------------------------------------------- questions


QueryKind = Literal[
    "figures", "compare", "claims", "sources", "metrics", "frameworks", "help", "search"
]


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


class ErrorInfo(BaseModel):
    """Why a question could not be answered, and what the user may have meant."""

    message: str
    suggestions: list[str] = Field(default_factory=list)
    corrected: str | None = Field(
        default=None, description="The whole question with every typo corrected."
    )


# ---------------------------------------------------------------- answers


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

    kind: Literal["disagreement", "cross-check", "caveat", "stale"]
    text: str
    claim_ids: list[str] = Field(default_factory=list)
    source_ids: list[str] = Field(default_factory=list)


class ChartSeries(BaseModel):
    """One line of a line chart."""

    label: str
    dates: list[date]
    values: list[float]


class ChartBar(BaseModel):
    """One bar of a bar chart."""

    label: str
    value: float
    note: str = ""


class ChartSpec(BaseModel):
    """Everything a chart shows; rendering it needs nothing else."""

    kind: Literal["line", "bar"]
    title: str
    unit: str
    as_of: str
    footnote: str
    series: list[ChartSeries] = Field(default_factory=list)
    bars: list[ChartBar] = Field(default_factory=list)


class TableRow(BaseModel):
    """A row of a listing answer (metrics, frameworks, sources)."""

    key: str
    label: str
    detail: str = ""


class Answer(BaseModel):
    """Everything fwtrend says in reply to one question; every renderer starts here."""

    ok: bool
    query: Query | None = None
    title: str
    summary: str = ""
    figures: list[FigureOut] = Field(default_factory=list)
    claims: list[ClaimOut] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    rows: list[TableRow] = Field(default_factory=list)
    chart: ChartSpec | None = None
    error: ErrorInfo | None = None
    metric_label: str | None = None
    metric_definition: str | None = None
    generated_on: date | None = None
