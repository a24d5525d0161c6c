"""The scoreboard: where frameworks stand across every indicator family, counted, not opined."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from bot.answers.claims import related_claims
from bot.answers.data import unique_rows
from bot.answers.doubts import doubt_notes
from bot.answers.evidence import disagreements, is_claim
from bot.answers.gaps import gap_lead, races_from_rows
from bot.answers.score_rows import build_row
from bot.formatting import join_and, ordinal
from bot.models import (
    Answer,
    ChartBar,
    ChartSpec,
    ChartStack,
    ClaimOut,
    DataRow,
    DateWindow,
    FigureOut,
    Note,
    Query,
    Scoreboard,
    ScoreRow,
)
from bot.understand import QueryError

if TYPE_CHECKING:
    from bot.answers.desk import Desk

View = Literal["standing", "momentum", "overview"]


def answer_scoreboard(engine: Desk, query: Query) -> Answer:
    """Comparisons without a metric and verdict questions: one row per indicator family."""
    everyone = list(engine.frameworks)
    if len(query.frameworks) == 1:
        # "how popular is keras": its standing among all four, counted by rank.
        focus = list(query.frameworks)
        rows, data = build_rows(engine, focus, everyone, query.window)
        board = Scoreboard(
            view="standing", frameworks=everyone, focus=focus, headline=rank_headline(
                engine, focus[0], rows
            ), rows=rows,
        )  # fmt: skip
    else:
        shown = list(query.frameworks) or everyone
        rows, data = build_rows(engine, shown, shown, query.window)
        leads = _leads(rows)
        board = Scoreboard(
            view="standing",
            frameworks=shown,
            focus=shown,
            headline=lead_headline(engine, shown, rows, leads),
            rows=rows,
            leads=leads,
        )
    names = " vs ".join(engine.framework_name(f) for f in board.frameworks)
    claims = related_claims(engine, None, board.focus, query.terms or board.focus)
    answer = finish(engine, board, f"{names}: where they stand", data, claims)
    if query.intent == "catchup":
        # "Is jax catching up?": the first framework named chases; none named, each runner-up.
        subject = query.frameworks[0] if query.frameworks else None
        chaser = engine.framework_name(subject) if subject else None
        answer.lead = gap_lead(races_from_rows(rows, subject), chaser)
    return answer


def build_rows(
    engine: Desk, focus: Sequence[str], shown: Sequence[str], window: DateWindow | None = None
) -> tuple[list[ScoreRow], list[DataRow]]:
    """Every family's row that has data for a focus framework (within the period asked, if it
    has an end), and the points behind them."""
    rows: list[ScoreRow] = []
    data: list[DataRow] = []
    for family in engine.scoreboard.families:
        built = build_row(engine, family, focus, shown, window)
        if built is not None:
            rows.append(built[0])
            data += built[1]
    if not rows:
        names = " or ".join(engine.framework_name(f) for f in focus)
        when = f" in the period asked ({window.text})" if window and window.end else ""
        raise QueryError(f"I have no indicator with figures for {names}{when}.", ["metrics"])
    return rows, data


def _leads(rows: Sequence[ScoreRow]) -> dict[str, list[str]]:
    leads: dict[str, list[str]] = {}
    for row in rows:
        if row.leader:
            leads.setdefault(row.leader, []).append(row.family)
    return leads


def row_name(row: ScoreRow) -> str:
    """A row's name inside a sentence, with its year when the evidence is old."""
    return f"{row.short} ({row.as_of.year})" if row.old else row.short


def lead_headline(
    engine: Desk, shown: Sequence[str], rows: Sequence[ScoreRow], leads: dict[str, list[str]]
) -> str:
    """'PyTorch leads TensorFlow on 6 of 8 indicators; TensorFlow leads on all-time stars'."""
    compared = [r for r in rows if r.leader]
    if not compared:
        return "No indicator has figures for more than one of them from the same source and date."
    by_family = {r.family: r for r in rows}
    order = sorted(leads, key=lambda fw: -len(leads[fw]))
    top = order[0]
    name = engine.framework_name
    n = len(compared)
    if len(shown) == 2:
        other = next(f for f in shown if f != top)
        text = f"{name(top)} leads {name(other)} on {len(leads[top])} of {n} indicators"
        if leads.get(other):
            text += f"; {name(other)} leads on " + join_and(
                [row_name(by_family[f]) for f in leads[other]]
            )
    else:
        text = f"{name(top)} leads on {len(leads[top])} of {n} indicators"
        for fw in order[1:]:
            text += f", {name(fw)} on {len(leads[fw])} ("
            text += ", ".join(row_name(by_family[f]) for f in leads[fw]) + ")"
        never = [name(f) for f in shown if f not in leads]
        if never:
            text += f"; {join_and(never)} lead{'s' if len(never) == 1 else ''} on none"
    single = len(rows) - n
    if single:
        text += f"; {single} more with figures for only one of them"
    return text + "."


def rank_headline(engine: Desk, framework: str, rows: Sequence[ScoreRow]) -> str:
    """'Keras ranks 1st on 1 of 7 indicators, 2nd on 2, 3rd on 4'."""
    ranks: dict[int, list[str]] = {}
    for row in rows:
        cell = next(c for c in row.cells if c.framework == framework)
        if cell.rank is not None and sum(c.figure is not None for c in row.cells) > 1:
            ranks.setdefault(cell.rank, []).append(row_name(row))
    name = engine.framework_name(framework)
    if not ranks:
        return f"{name} has figures on {len(rows)} indicators, none beside another framework's."
    total = sum(len(v) for v in ranks.values())
    parts = [f"{ordinal(rank)} on {len(ranks[rank])}" for rank in sorted(ranks)]
    parts[0] += f" of {total} indicators"
    best = ranks[min(ranks)]
    return f"{name} ranks {', '.join(parts)}; best: {join_and(best[:3])}."


def finish(
    engine: Desk,
    board: Scoreboard,
    title: str,
    data: list[DataRow],
    claims: list[ClaimOut],
    notes: list[Note] | None = None,
) -> Answer:
    """The Answer around a scoreboard: its figures, notes, chart, data and numbered sources."""
    # An overview's figures are its framework's own; the others stand in its rows for rank.
    mine = set(board.focus) if board.view == "overview" else set(board.frameworks)
    figures: list[FigureOut] = [
        c.figure for r in board.rows for c in r.cells if c.figure and c.framework in mine
    ]
    notes = (
        list(notes or [])
        + _doubts(engine, board.rows)
        + _gaps(engine, board.rows)
        + _clashes(engine, board)
    )
    answer = Answer(
        ok=True,
        title=title,
        summary=board.headline,
        figures=figures,
        claims=claims,
        notes=notes,
        scoreboard=board,
        data=unique_rows(data),
        chart=scoreboard_chart(engine, board),
    )
    engine.cite(answer)
    numbers = {src.id: i for i, src in enumerate(answer.sources, 1)}
    for row in board.rows:
        row.source_number = numbers.get(row.source.id)
    return answer


def _doubts(engine: Desk, rows: Sequence[ScoreRow]) -> list[Note]:
    """A row whose values an article gives, when the series contradict that article there."""
    notes: list[Note] = []
    for row in rows:
        notes += doubt_notes(engine, row.metric, row.source, f"{row.label} ({row.as_of_label})")
    return notes


def _gaps(engine: Desk, rows: Sequence[ScoreRow]) -> list[Note]:
    have = {r.family for r in rows}
    absent = [f.short for f in engine.scoreboard.families if f.id not in have]
    if not absent:
        return []
    return [Note(kind="caveat", text=f"No figures yet for: {', '.join(absent)}.")]


def _clashes(engine: Desk, board: Scoreboard) -> list[Note]:
    """Sources that disagree on a row's metric for the frameworks in focus."""
    notes: list[Note] = []
    for metric in dict.fromkeys(r.metric for r in board.rows):
        points = [
            p for p in engine.metric_points(metric) if is_claim(p) and p.framework in board.focus
        ]
        notes += disagreements(
            points, engine.claim_periods(points), engine.metrics[metric], engine.sources
        )
    return notes


def scoreboard_chart(engine: Desk, board: Scoreboard) -> ChartSpec | None:
    """One 100% bar per indicator whose values add up: each framework's share at a glance."""
    stacks = []
    for row in board.rows:
        parts = [
            ChartBar(label=c.framework_name, value=c.share)
            for c in row.cells
            if c.share is not None
        ]
        if len(parts) > 1:
            stacks.append(ChartStack(label=row_name(row), note=row.as_of_label, parts=parts))
    if not stacks:
        return None
    left_out = [row_name(r) for r in board.rows if not any(c.share for c in r.cells)]
    footnote = "Each bar is one source at one date; shares of the frameworks' combined value."
    if left_out:
        footnote += f" Not shown (values overlap or stand alone): {', '.join(left_out)}."
    return ChartSpec(
        kind="scoreboard",
        title="Each framework's share, per indicator",
        unit="% of the frameworks' total",
        as_of=max(r.as_of for r in board.rows).isoformat(),
        footnote=footnote,
        stacks=stacks,
    )
