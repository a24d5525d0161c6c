"""Published claims: filtered by topic, framework and metric, ranked by full-text relevance."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.answers.desk import MAX_CLAIMS
from bot.models import Answer, Claim, ClaimOut, Query
from bot.understand import QueryError, Vocabulary

if TYPE_CHECKING:
    from bot.answers.desk import Desk

# Questions whose best answers are claims that say why, or name who.
CUE_INTENTS = frozenset({"why", "who"})
# Added to a claim's bm25 score scaled to 0..1 (the best match scores 1).
FRAMEWORK_BOOST = 0.5
CUE_BOOST = 1.0


def answer_claims(engine: Desk, query: Query) -> Answer:
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


def filter_claims(engine: Desk, query: Query) -> list[Claim]:
    """Claims on the query's topic, frameworks and metric, ranked by its free words."""
    claims = list(engine.claims.values())
    asks = query.intent in CUE_INTENTS
    if query.topic and not asks:
        claims = [c for c in claims if query.topic in c.topics]
    if query.frameworks:
        claims = [c for c in claims if mentions(c, query.frameworks, engine.vocab)]
    if query.metric and not asks:
        claims = [c for c in claims if any(f.metric == query.metric for f in c.figures)]
    free = [t for t in query.terms if t != query.topic or asks]
    if not (free or asks):
        claims.sort(key=lambda c: engine.sources[c.source].published.end, reverse=True)
        return claims
    keep = {c.id for c in claims}
    ranked = rank_claims(engine, free, query.frameworks, query.intent)
    return [claim for claim, _ in ranked if claim.id in keep]


def rank_claims(
    engine: Desk, terms: Sequence[str], frameworks: Sequence[str], intent: str | None = None
) -> list[tuple[Claim, float]]:
    """Claims by relevance: bm25 over the terms and their synonyms, boosted for naming the
    frameworks asked about and, for why/who questions, for giving reasons or naming adopters."""
    vocab = engine.vocab
    found = dict(engine.store.search_claims_scored(vocab.expand(terms), limit=60))
    candidates = [engine.claims[c] for c in found if c in engine.claims]
    if intent in CUE_INTENTS:
        candidates += [c for c in engine.claims.values() if c.id not in found]
    top = max(found.values(), default=0.0) or 1.0
    scored = []
    for claim in candidates:
        score = found.get(claim.id, 0.0) / top
        if frameworks and mentions(claim, frameworks, vocab):
            score += FRAMEWORK_BOOST
        if intent in CUE_INTENTS:
            cue = cue_score(claim, intent or "", vocab)
            if cue == 0 and claim.id not in found:
                continue  # neither matches the words nor answers the question
            score += CUE_BOOST * cue
        scored.append((claim, score))
    scored.sort(key=lambda cs: (cs[1], engine.sources[cs[0].source].published.end), reverse=True)
    return scored


def cue_score(claim: Claim, intent: str, vocab: Vocabulary) -> float:
    """How clearly a claim answers a why (reasons) or who (adopters) question, 0 to 2."""
    cues = vocab.lexicon.cues.get(intent)
    if cues is None:
        return 0.0
    text = " ".join([claim.statement, *claim.caveats]).lower()
    hits = len(set(_cue_pattern(tuple(cues.words)).findall(text)))
    score = min(hits, 3) / 3
    score += 0.5 * bool(set(claim.topics) & set(cues.topics))
    score += 0.5 * any(f.metric in cues.metrics for f in claim.figures)
    return score


@functools.cache
def _cue_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # Cue words are prefixes ("flexib" finds flexible and flexibility).
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})" if words else r"(?!x)x")


def related_claims(
    engine: Desk, metric: str | None, frameworks: Sequence[str], terms: Sequence[str]
) -> list[ClaimOut]:
    """Claims that go with a figure: those the words find first, then those on the metric."""
    ranked = [claim for claim, _ in rank_claims(engine, terms, frameworks)] if terms else []
    chosen: list[Claim] = list(ranked)
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
    # "all" (a site-wide total's pseudo-framework) has no name to find in a statement.
    named = [vocab.frameworks[fw].name.lower() for fw in frameworks if fw in vocab.frameworks]
    return any(name in text for name in named)
