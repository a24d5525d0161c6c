"""Stand-in scoreboard and overview answers until the real ones (bot/answers/scoreboard.py,
overview.py) are merged: every metric's newest figure for the frameworks asked about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answers.claims import related_claims
from bot.evidence import headline
from bot.models import Answer, FigureOut, Query
from bot.understand import QueryError

if TYPE_CHECKING:
    from bot.answers.engine import Engine

# Year-valued metrics are dates, not standings; they have their own questions.
_NOT_INDICATORS = frozenset({"release-year", "version-release-year", "adoption-year"})


def answer_indicators(engine: Engine, query: Query) -> Answer:
    """Each indicator's newest figure for the frameworks asked about (all when none)."""
    frameworks = query.frameworks or list(engine.frameworks)
    figures: list[FigureOut] = []
    for slug in engine.metrics:
        if slug in _NOT_INDICATORS:
            continue
        for fw in frameworks:
            best = headline(engine.store.latest(slug, fw))
            if best is not None:
                figures.append(engine.figure_out(best))
    names = " vs ".join(engine.framework_name(f) for f in frameworks)
    if not figures:
        raise QueryError(f"I have no figures for {names} yet.", ["metrics"])
    answer = Answer(
        ok=True,
        title=f"{names}: every indicator",
        summary=f"{len({f.metric for f in figures})} indicators.",
        figures=figures,
        claims=related_claims(engine, None, frameworks, [*query.terms, *frameworks]),
    )
    return engine.cite(answer)
