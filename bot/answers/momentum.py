"""Decline questions ("is keras dead?"): which indicators rise and fall, and both sides' claims."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.answers.claims import mentions
from bot.answers.desk import MAX_CLAIMS
from bot.answers.scoreboard import build_rows, finish, row_name
from bot.formatting import join_and
from bot.models import Answer, Claim, ClaimOut, ClaimSide, Query, Scoreboard, ScoreRow
from bot.render.scoreboard_format import format_move

if TYPE_CHECKING:
    from bot.answers.desk import Desk


def answer_momentum(engine: Desk, query: Query) -> Answer:
    """The momentum view: each asked framework's indicators by direction, with numbers."""
    everyone = list(engine.frameworks)
    focus = list(query.frameworks) or everyone
    rows, data = build_rows(engine, focus, everyone, query.window)
    sides, claims = claim_sides(engine, focus)
    board = Scoreboard(
        view="momentum",
        frameworks=everyone,
        focus=focus,
        headline=" ".join(momentum_headline(engine, fw, rows) for fw in focus),
        rows=rows,
        sides=sides,
    )
    names = join_and([engine.framework_name(f) for f in focus])
    # "Is keras dead?" asks about decline; "how fast is jax growing?" asks how it moves.
    if query.intent == "verdict":
        title = f"Is {names} declining? What the indicators show"
    else:
        verb = "is" if len(focus) == 1 else "are"
        title = f"How {names} {verb} moving: what the indicators show"
    return finish(engine, board, title, data, claims)


def momentum_headline(engine: Desk, framework: str, rows: Sequence[ScoreRow]) -> str:
    """'Keras: 1 of 3 indicators rising (…), 1 falling (new stars −59.6%, …), 1 flat (…)'."""
    moves: dict[str, list[str]] = {"rising": [], "falling": [], "flat": []}
    still: list[str] = []
    for row in rows:
        cell = next((c for c in row.cells if c.framework == framework), None)
        if cell is None or cell.figure is None:
            continue
        if cell.direction is None or cell.figure.change is None:
            still.append(row_name(row))
            continue
        moves[cell.direction].append(f"{row_name(row)} {format_move(cell.figure.change)}")
    name = engine.framework_name(framework)
    counted = sum(len(v) for v in moves.values())
    if not counted:
        return f"{name}: no indicator has a trend over the last year" + (
            f" ({join_and(still)} are single figures)." if still else "."
        )
    parts = [f"{len(v)} {word} ({'; '.join(v)})" for word, v in moves.items() if v]
    parts[0] = parts[0].replace(" ", f" of {counted} indicators ", 1)
    text = f"{name}: {', '.join(parts)}"
    if still:
        text += f"; no trend for {join_and(still)}"
    return text + "."


def claim_sides(engine: Desk, focus: Sequence[str]) -> tuple[list[ClaimSide], list[ClaimOut]]:
    """Claims about the frameworks that take a side, grouped by the stances in scoreboard.yaml."""
    config = engine.scoreboard
    terms = list(config.decline_terms) + [engine.framework_name(f) for f in focus]
    ranked = [engine.claims[c] for c in engine.store.search_claims(terms, limit=50)]
    about = [c for c in ranked if c.id in engine.claims and mentions(c, focus, engine.vocab)]
    by_stance: dict[str, list[Claim]] = {}
    for claim in about:
        side = _stance(engine, claim)
        if side is not None:
            by_stance.setdefault(side, []).append(claim)
    sides: list[ClaimSide] = []
    chosen: list[Claim] = []
    # Both sides get room: take claims from each side in turn.
    per_side = max(1, MAX_CLAIMS // max(len(by_stance), 1))
    for stance in config.stances:
        mine = by_stance.get(stance.id, [])[:per_side]
        if mine:
            sides.append(
                ClaimSide(stance=stance.id, label=stance.label, claim_ids=[c.id for c in mine])
            )
            chosen += mine
    return sides, [engine.claim_out(c) for c in chosen]


def _stance(engine: Desk, claim: Claim) -> str | None:
    """The first stance whose words the claim uses; failing that, its source's title."""
    title = engine.sources[claim.source].title.lower()
    for text in (claim.statement.lower(), title):
        for stance in engine.scoreboard.stances:
            if any(word in text for word in stance.words):
                return stance.id
    return None
