"""One framework's overview: its trend per indicator and its rank among the four."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answers.board import answer_board
from bot.answers.claims import related_claims
from bot.answers.momentum import momentum_headline
from bot.answers.scoreboard import build_rows, finish, rank_headline
from bot.models import Answer, Note, Query, Scoreboard
from bot.understand import QueryError

if TYPE_CHECKING:
    from bot.answers.desk import Desk


def answer_overview(engine: Desk, query: Query) -> Answer:
    """A framework alone, or "how is jax doing": every indicator it has, ranked and trended."""
    if len(query.frameworks) != 1:
        # Several frameworks (or none) are a comparison: the scoreboard answers that.
        return answer_board(engine, query.model_copy(update={"kind": "scoreboard"}))
    framework = query.frameworks[0]
    everyone = list(engine.frameworks)
    name = engine.framework_name(framework)
    claims = related_claims(engine, None, [framework], query.terms or [name])
    try:
        rows, data = build_rows(engine, [framework], everyone, query.window)
    except QueryError as exc:
        # No indicator at all: the claims about it are still an answer, not "nothing found".
        answer = Answer(
            ok=True,
            title=f"{name}: how it is doing",
            summary=exc.info.message,
            claims=claims,
        )
        return engine.cite(answer)
    ranked = rank_headline(engine, framework, rows)
    moving = momentum_headline(engine, framework, rows).removeprefix(name + ": ")
    board = Scoreboard(
        view="overview",
        frameworks=everyone,
        focus=[framework],
        headline=f"{ranked} {moving[:1].upper()}{moving[1:]}",
        rows=rows,
    )
    return finish(engine, board, f"{name}: how it is doing", data, claims)


def overview_instead(engine: Desk, query: Query, reason: str) -> Answer:
    """The least a question naming a framework gets: the overview, saying what was missing."""
    answer = answer_overview(engine, query.model_copy(update={"kind": "overview"}))
    if query.kind == "search":
        # The question's words matched no claim; what it names still has figures.
        reason = f"No claim matches {' '.join(query.terms) or query.text!r}."
    answer.notes.insert(0, Note(kind="caveat", text=f"{reason} Here is the overview instead."))
    return answer
