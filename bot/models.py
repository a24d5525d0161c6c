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
    base: str | None = Field(
        default=None,
        description="The population a figure without a segment is a share of; figures on "
        "different bases are never one figure.",
    )


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


class RowSource(_Strict):
    """What a value in a series file's own source column stands for."""

    source: str = Field(pattern=SLUG, description="The Source id to cite for such rows.")
    method: str = Field(default="", description="How those rows were counted, in words.")


class SeriesFile(_Strict):
    """A CSV of dated history shipped under knowledge/series/, with its provenance."""

    file: str
    format: Literal[
        "github-history",
        "conference-papers",
        "pypi-downloads-30d",
        "best-of-ml-python",
        "github-jax",
        "stackoverflow-monthly",
        "stackoverflow-site-monthly",
        "stackoverflow-yearly",
        "so-survey-professional",
        "hf-hub-models",
        "research-share",
    ]
    source: str = Field(pattern=SLUG)
    fetched: Period
    description: str
    caveats: list[str] = Field(default_factory=list)
    frameworks: dict[str, str] = Field(
        default_factory=dict,
        description="A row's package, tag, library or framework name -> framework slug.",
    )
    segments: dict[str, str] = Field(
        default_factory=dict, description="A row's name -> the segment its points carry."
    )
    row_sources: dict[str, RowSource] = Field(
        default_factory=dict, description="A row's source column value -> Source and method."
    )
    excluded: dict[str, str] = Field(
        default_factory=dict,
        description="Row key (as the file's reader names it) -> why it stays out of trends.",
    )
    rows: int | None = Field(default=None, description="Data rows the file holds (checked).")


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


# ---------------------------------------------------------------- questions


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
    "why", "who", "release", "trend", "verdict", "popularity", "superlative", "overview"
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


class TableRow(BaseModel):
    """A row of a listing answer (metrics, frameworks, sources)."""

    key: str
    label: str
    detail: str = ""


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
