"""Catching-up questions ("is jax catching up?"): is the gap to the one ahead closing; pure.

A framework can grow faster than the one ahead of it and still fall further behind: JAX adding
9% to 30,000 stars is fewer stars than TensorFlow adding 3% to 190,000. So each indicator says
both: the growth rates, and whether the gap itself (in the indicator's own unit) shrank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.formatting import format_number, format_value
from bot.models import Change, FigureOut, ScoreRow
from bot.render.scoreboard_format import format_amount
from bot.series import FLOW_METRICS


@dataclass(frozen=True)
class Runner:
    """One framework on one indicator: its name, value now and change over the period."""

    framework: str
    name: str
    value: float
    change: Change


@dataclass(frozen=True)
class Race:
    """One indicator's runners, best first, all measured over the same period."""

    label: str
    subject: str
    runners: list[Runner]


def _comparable(fig: FigureOut | None) -> Change | None:
    """A measured change that is growth (no change of counting rule inside it) of a level: a
    monthly flow's change is between averages, whose gap is no figure the answer shows."""
    if fig is None or fig.change is None or fig.change.breaks or fig.qualifier != "exact":
        return None
    return None if fig.metric in FLOW_METRICS else fig.change


def _race(label: str, figures: Sequence[FigureOut], subject: str) -> Race | None:
    """The runners measured over the subject's own period, ranked by value (highest first)."""
    mine = next((f for f in figures if f.framework == subject), None)
    change = _comparable(mine)
    if change is None:
        return None
    runners = [
        Runner(f.framework, f.framework_name, f.value, c)
        for f in figures
        if (c := _comparable(f)) is not None
        and (c.start_date, c.end_date) == (change.start_date, change.end_date)
    ]
    if len(runners) < 2:
        return None
    return Race(label, subject, sorted(runners, key=lambda r: -r.value))


def races_from_rows(rows: Sequence[ScoreRow], subject: str | None) -> list[Race]:
    """A scoreboard's rows as races: each row is one source on one day, so like for like.
    With no subject, each row's race is its runner-up's (is the second closing on the first)."""
    found = []
    for row in rows:
        figures = [c.figure for c in row.cells if c.figure is not None]
        chaser = subject or _runner_up(figures)
        race = _race(row.short, figures, chaser) if chaser is not None else None
        if race is not None:
            found.append(race)
    return found


def _runner_up(figures: Sequence[FigureOut]) -> str | None:
    ranked = sorted(figures, key=lambda f: -f.value)
    return ranked[1].framework if len(ranked) >= 2 else None


def races_from_figures(label: str, figures: Sequence[FigureOut], subject: str | None) -> list[Race]:
    """One metric's headline figures (each framework's first) from the subject's source; with
    no subject, the runner-up's."""
    firsts: dict[str, FigureOut] = {}
    for fig in figures:
        firsts.setdefault(fig.framework, fig)
    subject = subject or _runner_up(list(firsts.values()))
    mine = firsts.get(subject) if subject else None
    if mine is None:
        return []
    same = [f for f in firsts.values() if f.source.id == mine.source.id and f.unit == mine.unit]
    race = _race(label, same, mine.framework)
    return [race] if race is not None else []


def _gap(value: float, unit: str) -> str:
    if unit.startswith("%"):
        return f"{format_number(abs(value))} pp"
    return format_value(abs(value), unit)


def _versus_ahead(me: Runner, ahead: Runner) -> tuple[str, bool]:
    """How ``me`` fared against one framework ahead of it; True when the gap shrank."""
    before = ahead.change.start_value - me.change.start_value
    now = ahead.change.end_value - me.change.end_value
    unit = me.change.unit
    theirs = format_amount(ahead.change)
    since = f"{me.change.start_date:%b %Y}"
    if before <= 0:
        return (
            f"fell behind {ahead.name} ({theirs}), level or ahead in {since}",
            False,
        )
    gap = f"the gap went from {_gap(before, unit)} to {_gap(now, unit)}"
    if now == before:
        kept = f"the gap stayed at {_gap(now, unit)}"
        return f"keeping pace with {ahead.name} ({theirs}; {kept})", False
    if now < before:
        return f"closing in on {ahead.name} ({theirs}; {gap})", True
    if me.change.percent is not None and ahead.change.percent is not None:
        faster = me.change.percent > ahead.change.percent
    else:
        faster = me.change.absolute > ahead.change.absolute
    if faster:
        # Growing faster from a smaller base: the share rises while the gap still widens.
        return (
            f"growing faster than {ahead.name} ({theirs}), yet further behind ({gap})",
            False,
        )
    return f"losing ground to {ahead.name} ({theirs}; {gap})", False


def _versus_behind(me: Runner, chaser: Runner) -> tuple[str, bool]:
    """How the nearest framework behind fared against ``me``; True when it closed in."""
    before = me.change.start_value - chaser.change.start_value
    now = me.change.end_value - chaser.change.end_value
    unit = me.change.unit
    theirs = format_amount(chaser.change)
    if before <= 0:
        return f"it overtook {chaser.name} ({theirs})", False
    lead = f"from {_gap(before, unit)} to {_gap(now, unit)}"
    if now == before:
        return (
            f"its lead over {chaser.name} ({theirs}) held at {_gap(now, unit)}",
            False,
        )
    if now < before:
        return (
            f"{chaser.name} ({theirs}) is closing in: the lead fell {lead}",
            True,
        )
    return f"its lead over {chaser.name} ({theirs}) grew {lead}", False


@dataclass(frozen=True)
class _Told:
    text: str
    trails: bool
    closing: bool  # on the one just ahead (trailing), or the one just behind closing (leading)


def _tell(race: Race) -> _Told:
    names = [r.framework for r in race.runners]
    place = names.index(race.subject)
    me = race.runners[place]
    period = f"{me.change.start_date:%b %Y} → {me.change.end_date:%b %Y}"
    head = f"{race.label} ({period}): {me.name} {format_amount(me.change)}"
    if place == 0:
        said, closing = _versus_behind(me, race.runners[1])
        return _Told(f"{head}, in the lead; {said}", trails=False, closing=closing)
    said, closing = _versus_ahead(me, race.runners[place - 1])
    parts = [said]
    if place > 1:  # the leader too, when it is not the one just ahead
        parts.append(_versus_ahead(me, race.runners[0])[0])
    return _Told(f"{head}, {'; '.join(parts)}", trails=True, closing=closing)


def gap_lead(races: Sequence[Race], subject_name: str | None) -> str:
    """The catching-up lead: the named framework's races, or (none named) each runner-up's."""
    return catch_up_lead(races, subject_name) if subject_name else runner_up_lead(races)


def catch_up_lead(races: Sequence[Race], subject_name: str) -> str:
    """'JAX is closing in on the framework just ahead of it on 2 of the 2 indicators where it
    trails. Downloads: …' — '' when no indicator measured the subject and another over one
    period."""
    told = [_tell(race) for race in races]
    if not told:
        return ""
    trailing = [t for t in told if t.trails]
    leading = [t for t in told if not t.trails]
    sentences = []
    if len(trailing) == 1:
        verb = "is" if trailing[0].closing else "is not"
        sentences.append(
            f"{subject_name} trails on one indicator measured like for like, and {verb} closing "
            "in on the framework just ahead."
        )
    elif trailing:
        closing = sum(t.closing for t in trailing)
        sentences.append(
            f"{subject_name} is closing in on the framework just ahead of it on {closing} of the "
            f"{len(trailing)} indicators where it trails."
        )
    who = "It" if trailing else subject_name
    if len(leading) == 1:
        verb = "is" if leading[0].closing else "is not"
        sentences.append(f"{who} leads on one, and the nearest rival there {verb} closing in.")
    elif leading:
        chased = sum(t.closing for t in leading)
        sentences.append(
            f"{who} leads on {len(leading)}, and the nearest rival is closing in on {chased} "
            "of them."
        )
    return " ".join(sentences + _details(told))


def runner_up_lead(races: Sequence[Race]) -> str:
    """No framework named ("is anyone catching up?"): on each indicator, is the second
    closing in on the first."""
    told = [_tell(race) for race in races]
    if not told:
        return ""
    closing = sum(t.closing for t in told)
    many = len(told) > 1
    head = (
        f"On {closing} of the {len(told)} indicators measured like for like, the runner-up is "
        "closing in on the leader."
        if many
        else f"On the one indicator measured like for like, the runner-up is "
        f"{'' if closing else 'not '}closing in on the leader."
    )
    return " ".join([head, *_details(told)])


def _details(told: Sequence[_Told]) -> list[str]:
    return [t.text[0].upper() + t.text[1:] + "." for t in told]
