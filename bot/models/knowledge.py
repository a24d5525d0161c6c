"""Knowledge-base entries as validated models: frameworks, metrics, sources, claims, series."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from bot.periods import Period

SLUG = r"^[a-z0-9][a-z0-9-]*$"


class _Strict(BaseModel):
    # Knowledge files are hand-written: a misspelt key must be an error, not silently dropped.
    model_config = ConfigDict(extra="forbid", frozen=True)


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
