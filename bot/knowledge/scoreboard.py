"""The scoreboard's indicator families and claim stances (knowledge/scoreboard.yaml), validated."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.models import SLUG, KBError, Metric

FILE = "scoreboard.yaml"


class _Strict(BaseModel):
    # Hand-written like the rest of knowledge/: a misspelt key is an error.
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrendSpec(_Strict):
    """How a row's trend is measured: over how long, smoothed how, and what counts as flat."""

    months: int = Field(default=12, ge=1, le=60, description="Look back this many months.")
    average: int = Field(
        default=1, ge=1, le=12, description="Points averaged at each end (monthly flows are noisy)."
    )
    flat_pct: float = Field(
        default=2.0, ge=0, description="A relative change smaller than this is flat."
    )


class ScoreFamily(_Strict):
    """One scoreboard row: an indicator family and the metrics it may draw from."""

    id: str = Field(pattern=SLUG)
    label: str = Field(min_length=1)
    short: str = Field(min_length=1, description="Its name inside a sentence: 'all-time stars'.")
    metrics: list[str] = Field(min_length=1, description="Metric slugs, most preferred first.")
    adds_up: bool = Field(description="Values are parts of one total, so shares may be shown.")
    why: str = Field(min_length=10, description="Why the values do or do not add up.")
    direction: TrendSpec = Field(default_factory=TrendSpec)


class Stance(_Strict):
    """A side a claim can take on a decline question, recognised by its words."""

    id: str = Field(pattern=SLUG)
    label: str = Field(min_length=1)
    words: list[str] = Field(min_length=1)


class ScoreboardConfig(_Strict):
    """Everything in scoreboard.yaml."""

    families: list[ScoreFamily] = Field(min_length=1)
    stances: list[Stance] = Field(default_factory=list)
    decline_terms: list[str] = Field(
        default_factory=list, description="Words that find claims about decline in the search."
    )


def check_scoreboard(
    root: Path, metrics: dict[str, Metric]
) -> tuple[ScoreboardConfig | None, list[KBError]]:
    """Load scoreboard.yaml; every error located by family and field."""
    path = root / FILE
    if not path.is_file():
        return None, [KBError(file=FILE, entry="-", field="-", message="file is missing")]
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        config = ScoreboardConfig.model_validate(raw)
    except yaml.YAMLError as exc:
        return None, [KBError(file=FILE, entry="-", field="-", message=f"not valid YAML: {exc}")]
    except ValidationError as exc:
        return None, [
            KBError(
                file=FILE,
                entry="-",
                field=".".join(str(p) for p in err["loc"]) or "-",
                message=err["msg"],
            )
            for err in exc.errors()
        ]
    errors = []
    seen: set[str] = set()
    for family in config.families:
        if family.id in seen:
            errors.append(KBError(file=FILE, entry=family.id, field="id", message="duplicate id"))
        seen.add(family.id)
        for slug in family.metrics:
            if slug not in metrics:
                errors.append(
                    KBError(
                        file=FILE,
                        entry=family.id,
                        field="metrics",
                        message=f"unknown metric {slug!r}",
                    )
                )
    return config, errors
