"""Published claims: filtered by topic, framework and metric, ranked by full-text relevance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.answers.engine import MAX_CLAIMS
from bot.helptext import HELP_EXAMPLES
from bot.models import Answer, Claim, ClaimOut, Query
from bot.query import QueryError, Vocabulary

if TYPE_CHECKING:
    from bot.answers.engine import Engine


def answer_claims(engine: Engine, query: Query) -> Answer:
    """Every claim matching the query, newest sources first (or by relevance to free words)."""
    chosen = filter_claims(engine, query)
    if not chosen:
        raise QueryError(
            f"No claims match {query.understood!r}.",
            sorted({t for c in engine.claims.values() for t in c.topics})[:8],
        )
    answer = Answer(
        ok=True,
        title=f"Claims: {query.understood}",
        summary=f"{len(chosen)} claims, newest sources first.",
        claims=[engine.claim_out(c) for c in chosen],
    )
    return engine.cite(answer)


def answer_search(engine: Engine, query: Query) -> Answer:
    """Free text that named no metric: the claims most relevant to its words."""
    claims = filter_claims(engine, query)[:MAX_CLAIMS]
    if not claims:
        raise QueryError(
            f"I found nothing about {' '.join(query.terms) or query.text!r}.",
            [example for example, _ in HELP_EXAMPLES[:3]],
        )
    answer = Answer(
        ok=True,
        title=f"What the sources say: {query.understood}",
        summary=f"{len(claims)} related claims.",
        claims=[engine.claim_out(c) for c in claims],
    )
    return engine.cite(answer)


def filter_claims(engine: Engine, query: Query) -> list[Claim]:
    """Claims on the query's topic, frameworks and metric, ranked by its free words."""
    claims = list(engine.claims.values())
    if query.topic:
        claims = [c for c in claims if query.topic in c.topics]
    if query.frameworks:
        claims = [c for c in claims if mentions(c, query.frameworks, engine.vocab)]
    if query.metric:
        claims = [c for c in claims if any(f.metric == query.metric for f in c.figures)]
    free = [t for t in query.terms if t != query.topic]
    if free:
        ranked = engine.store.search_claims(free, limit=50)
        keep = {c.id for c in claims}
        claims = [engine.claims[c] for c in ranked if c in keep]
    else:
        claims.sort(key=lambda c: engine.sources[c.source].published.end, reverse=True)
    return claims


def related_claims(
    engine: Engine, metric: str | None, frameworks: Sequence[str], terms: Sequence[str]
) -> list[ClaimOut]:
    """Claims that go with a figure: those the words find first, then those on the metric."""
    ranked = engine.store.search_claims(terms) if terms else []
    chosen: list[Claim] = [engine.claims[c] for c in ranked if c in engine.claims]
    for claim in engine.claims.values():
        if any(
            f.metric == metric
            and (f.framework in frameworks or not frameworks or f.framework is None)
            for f in claim.figures
        ):
            if claim not in chosen:
                chosen.append(claim)
    if not ranked:
        chosen.sort(key=lambda c: engine.sources[c.source].published.end, reverse=True)
    return [engine.claim_out(c) for c in chosen[:MAX_CLAIMS]]


def mentions(claim: Claim, frameworks: Sequence[str], vocab: Vocabulary) -> bool:
    """Whether a claim is about one of the frameworks: by its figures or by name."""
    if any(f.framework in frameworks or f.relative_to in frameworks for f in claim.figures):
        return True
    text = claim.statement.lower()
    return any(vocab.frameworks[fw].name.lower() in text for fw in frameworks)
