"""Free-text questions: the most relevant claims, and where the frameworks named stand now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answers.claims import filter_claims
from bot.answers.desk import MAX_CLAIMS
from bot.answers.overview import answer_overview
from bot.helptext import HELP_EXAMPLES
from bot.models import Answer, Query
from bot.understand import QueryError

if TYPE_CHECKING:
    from bot.answers.desk import Desk


def answer_search(engine: Desk, query: Query) -> Answer:
    """Free text that named no metric: the claims most relevant to its words (why and who
    questions: the claims that give reasons or name adopters first)."""
    claims = filter_claims(engine, query)[:MAX_CLAIMS]
    if not claims:
        raise QueryError(
            f"I found nothing about {' '.join(query.terms) or query.text!r}.",
            [example for example, _ in HELP_EXAMPLES[:3]],
        )
    names = " and ".join(engine.framework_name(f) for f in query.frameworks)
    title = _SEARCH_TITLES.get(query.intent or "")
    answer = Answer(
        ok=True,
        # "why"/"who" titles name the frameworks; the understood line adds the ranking words.
        title=title.format(names=names or "the frameworks")
        if title
        else f"What the sources say: {query.understood}",
        summary=f"{len(claims)} related claims, most relevant first.",
        claims=[engine.claim_out(c) for c in claims],
    )
    if query.frameworks:
        _add_standing(engine, query, answer)
    return engine.cite(answer)


def _add_standing(engine: Desk, query: Query, answer: Answer) -> None:
    """Beside the claims, where the named frameworks stand now: the reasons and the numbers."""
    try:
        standing = answer_overview(engine, query.model_copy(update={"kind": "overview"}))
    except QueryError:
        return  # no indicator has figures for them: the claims are the whole answer
    if not standing.figures:
        return
    answer.figures, answer.data = standing.figures, standing.data
    answer.notes += [n for n in standing.notes if n.kind == "disagreement"]
    named = list(dict.fromkeys(f.framework_name for f in standing.figures))
    indicators = len({f.metric for f in standing.figures})
    verb = "stands" if len(named) == 1 else "stand"
    answer.summary += f" Where {', '.join(named)} {verb} now: {indicators} indicators below."


_SEARCH_TITLES = {
    "why": "Why, according to the sources: {names}",
    "who": "Who uses or switched to {names}, according to the sources",
}
