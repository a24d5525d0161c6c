"""Comparing frameworks: one metric's figures side by side, or every metric they share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answers.claims import related_claims
from bot.answers.evidence import headline
from bot.answers.figures import answer_figures
from bot.models import Answer, FigureOut, Query
from bot.understand import QueryError

if TYPE_CHECKING:
    from bot.answers.desk import Desk


def answer_compare(engine: Desk, query: Query) -> Answer:
    """With a metric, that metric's figures; without one, every metric all of them have."""
    if query.metric:
        return answer_figures(engine, query)
    figures: list[FigureOut] = []
    for slug in engine.metrics:
        picks = [headline(engine.store.latest(slug, fw)) for fw in query.frameworks]
        if all(picks):
            figures += [engine.figure_out(p) for p in picks if p is not None]
    names = " vs ".join(engine.frameworks[f].name for f in query.frameworks)
    if not figures:
        raise QueryError(f"No metric has figures for all of {names}.", ["metrics"])
    answer = Answer(
        ok=True,
        title=f"{names}: every shared metric",
        figures=figures,
        summary=f"{len(figures) // len(query.frameworks)} metrics compared.",
        claims=related_claims(engine, None, query.frameworks, list(query.frameworks)),
    )
    return engine.cite(answer)
