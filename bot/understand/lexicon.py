"""The phrasing vocabulary (knowledge/vocabulary.yaml): its model, loading and checks."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.models import KBError, Metric, QueryIntent

FILE = "vocabulary.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Chatter(_Strict):
    """Phrases that carry no question: greetings and politeness at the start or the end."""

    start: list[str] = Field(default_factory=list)
    end: list[str] = Field(default_factory=list)


class Cues(_Strict):
    """What marks a claim as answering a why or a who question."""

    words: list[str] = Field(default_factory=list, description="Word prefixes in the text.")
    topics: list[str] = Field(default_factory=list, description="Claim topics.")
    metrics: list[str] = Field(default_factory=list, description="Metrics of a claim's figures.")


class Lexicon(_Strict):
    """How people phrase questions, as a curator edits it."""

    chatter: Chatter = Field(default_factory=Chatter)
    stopwords: list[str] = Field(default_factory=list)
    words: dict[str, list[str]] = Field(
        default_factory=dict, description="Canonical word -> its word forms and synonyms."
    )
    plain_phrases: list[str] = Field(default_factory=list)
    metric_phrases: dict[str, str] = Field(default_factory=dict)
    topic_phrases: dict[str, str] = Field(default_factory=dict)
    intents: dict[QueryIntent, list[str]] = Field(default_factory=dict)
    numbers: dict[str, float] = Field(default_factory=dict)
    cues: dict[str, Cues] = Field(default_factory=dict)
    listing: list[str] = Field(default_factory=list)
    release_metrics: dict[str, str] = Field(default_factory=dict)
    share_words: list[str] = Field(
        default_factory=list, description="Words that ask for a share, not a count."
    )
    share_metrics: dict[str, str] = Field(
        default_factory=dict, description="Count metric -> the share metric such a question means."
    )
    exclusive_words: list[str] = Field(
        default_factory=list,
        description="Words that ask for what only one framework has ('exclusively').",
    )
    exclusive_after_framework: list[str] = Field(
        default_factory=list,
        description="Words that do so right after a framework's name ('pytorch-only', 'tf only').",
    )
    exclusive_metrics: dict[str, str] = Field(
        default_factory=dict,
        description="Metric counting each item for every framework -> the exclusive metric.",
    )

    @field_validator("stopwords", mode="before")
    @classmethod
    def _split_words(cls, value: Any) -> Any:
        # A long folded string of words is easier to curate than a YAML list of hundreds.
        return value.split() if isinstance(value, str) else value

    @field_validator("words")
    @classmethod
    def _single_words(cls, words: dict[str, list[str]]) -> dict[str, list[str]]:
        seen: dict[str, str] = {}
        for canonical, forms in words.items():
            for form in [canonical, *forms]:
                if " " in form or form != form.lower():
                    raise ValueError(f"{form!r}: word forms are single lowercase words")
                if form != canonical and seen.setdefault(form, canonical) != canonical:
                    raise ValueError(f"{form!r} is a form of both {seen[form]} and {canonical}")
        return words

    @field_validator("cues")
    @classmethod
    def _cue_kinds(cls, cues: dict[str, Cues]) -> dict[str, Cues]:
        unknown = set(cues) - {"why", "who"}
        if unknown:
            raise ValueError(f"cues are for why and who questions, not {sorted(unknown)}")
        return cues


def read_lexicon(root: Path, errors: list[KBError]) -> Lexicon:
    """Load ``root``/vocabulary.yaml; an invalid or missing file adds errors and gives none."""
    try:
        data = yaml.safe_load((root / FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        errors.append(KBError(file=FILE, entry="-", field="-", message="file is missing"))
        return Lexicon()
    except yaml.YAMLError as exc:
        errors.append(KBError(file=FILE, entry="-", field="-", message=f"not valid YAML: {exc}"))
        return Lexicon()
    try:
        return Lexicon.model_validate(data or {})
    except ValidationError as exc:
        for err in exc.errors():
            loc = [str(p) for p in err["loc"]]
            errors.append(
                KBError(
                    file=FILE,
                    entry=loc[0] if loc else "-",
                    field=".".join(loc[1:]) or "-",
                    message=err["msg"],
                )
            )
        return Lexicon()


def check_lexicon(
    lexicon: Lexicon, metrics: dict[str, Metric], topics: set[str], errors: list[KBError]
) -> None:
    """Every metric and topic the lexicon names must exist in the knowledge base."""
    named = [("metric_phrases", p, m) for p, m in lexicon.metric_phrases.items()]
    named += [("release_metrics", k, m) for k, m in lexicon.release_metrics.items()]
    named += [("cues", kind, m) for kind, cue in lexicon.cues.items() for m in cue.metrics]
    named += [
        (section, count, slug)
        for section, mapping in (
            ("share_metrics", lexicon.share_metrics),
            ("exclusive_metrics", lexicon.exclusive_metrics),
        )
        for count, target in mapping.items()
        for slug in (count, target)
    ]
    for section, entry, slug in named:
        if slug not in metrics:
            errors.append(
                KBError(file=FILE, entry=section, field=entry, message=f"unknown metric {slug!r}")
            )
    for count, share in lexicon.share_metrics.items():
        if share in metrics and metrics[share].kind != "share":
            message = f"{share!r} is a {metrics[share].kind}, not a share"
            errors.append(KBError(file=FILE, entry="share_metrics", field=count, message=message))
    for phrase, topic in lexicon.topic_phrases.items():
        if topic not in topics:
            errors.append(
                KBError(
                    file=FILE,
                    entry="topic_phrases",
                    field=phrase,
                    message=f"no claim has the topic {topic!r}",
                )
            )


@functools.cache
def default_lexicon() -> Lexicon:
    """The lexicon shipped with fwtrend, for stores loaded before it existed."""
    from bot.knowledge.paths import default_knowledge_dir  # the loader imports this module

    return read_lexicon(default_knowledge_dir(), [])
