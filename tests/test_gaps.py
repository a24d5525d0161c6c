"""Catching-up answers: whether the gap to the one ahead shrank, not only who grew faster."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.answers import Engine
from bot.answers.gaps import catch_up_lead, races_from_figures, runner_up_lead
from bot.models import Change, FigureOut, SourceRef
from bot.render.text import answer_json
from bot.slack.blocks import answer_blocks
from bot.slack.blocks.kit import block_role

START, END = date(2025, 1, 31), date(2026, 1, 31)
SOURCE = SourceRef(
    id="src", title="A tracker", author=None, publisher=None, published="2026-02",
    published_label="Feb 2026", url=None, kind="dataset", age="recent",
)  # fmt: skip


def fig(fw: str, before: float, now: float, unit: str = "stars", **extra: object) -> FigureOut:
    change = Change(
        start_date=extra.pop("start", START),  # type: ignore[arg-type]
        start_value=before,
        end_date=END,
        end_value=now,
        absolute=now - before,
        percent=None if unit.startswith("%") else (now - before) / before * 100,
        unit=unit,
        breaks=extra.pop("breaks", []),  # type: ignore[arg-type]
    )
    return FigureOut(
        framework=fw, framework_name=fw.upper(), metric=str(extra.pop("metric", "github-stars")),
        value=now, unit=unit, as_of=END, as_of_label="31 Jan 2026", source=SOURCE,
        provenance="series:x", change=change,
    )  # fmt: skip


def lead(subject: str | None, *figures: FigureOut) -> str:
    races = races_from_figures("stars", figures, subject)
    return catch_up_lead(races, subject.upper()) if subject else runner_up_lead(races)


def test_a_shrinking_gap_is_closing_in() -> None:
    text = lead("b", fig("a", 100, 101), fig("b", 30, 33))
    assert text.startswith("B trails on one indicator measured like for like, and is closing in")
    assert (
        "Stars (Jan 2025 → Jan 2026): B +10.0%, closing in on A (+1.0%; the gap went from 70 "
        in text
    )
    assert "stars to 68 stars)" in text


def test_faster_growth_from_a_smaller_base_can_still_fall_further_behind() -> None:
    # +10% on 1,000 is fewer stars than +3% on 10,000: the share rises, the gap widens.
    text = lead("b", fig("a", 10_000, 10_300), fig("b", 1_000, 1_100))
    assert "and is not closing in" in text
    assert (
        "growing faster than A (+3.0%), yet further behind (the gap went from 9,000 stars to 9,200"
        in text
    )


def test_slower_growth_is_losing_ground() -> None:
    text = lead("b", fig("a", 20, 23), fig("b", 10, 10.5))
    assert "losing ground to A (+15.0%; the gap went from 10 stars to 12.5 stars)" in text


def test_the_leader_hears_about_the_nearest_chaser() -> None:
    closing = lead("a", fig("a", 100, 101), fig("b", 30, 33), fig("c", 5, 6))
    assert closing.startswith("A leads on one, and the nearest rival there is closing in.")
    assert (
        "in the lead; B (+10.0%) is closing in: the lead fell from 70 stars to 68 stars" in closing
    )
    held = lead("a", fig("a", 100, 110), fig("b", 30, 40))
    assert "its lead over B (+33.3%) held at 70 stars" in held
    pulling = lead("a", fig("a", 100, 120), fig("b", 30, 33))
    assert "is not closing in" in pulling and "its lead over B (+10.0%) grew from 70" in pulling


def test_overtaking_inside_the_period_is_said() -> None:
    assert "it overtook B" in lead("a", fig("a", 30, 60), fig("b", 40, 50))
    assert "fell behind A" in lead("b", fig("a", 30, 60), fig("b", 40, 50))


def test_the_one_ahead_and_the_leader_are_both_told() -> None:
    text = lead("c", fig("a", 1000, 1010), fig("b", 100, 101), fig("c", 50, 65))
    assert "closing in on B" in text and "closing in on A" in text
    assert "closing in on B" in text.split("closing in on A")[0]  # the one just ahead first


def test_an_unchanged_gap_is_keeping_pace() -> None:
    text = lead("b", fig("a", 1000, 1010), fig("b", 50, 60))
    assert "keeping pace with A (+1.0%; the gap stayed at 950 stars)" in text
    assert "is not closing in" in text


def test_shares_are_told_in_percentage_points() -> None:
    text = lead("b", fig("a", 60, 55, unit="% of papers"), fig("b", 30, 38, unit="% of papers"))
    assert "B +8 pp, closing in on A (−5 pp; the gap went from 30 pp to 17 pp)" in text


@pytest.mark.parametrize(
    "other",
    [
        fig("a", 100, 101, start=date(2024, 6, 30)),  # another period: not like for like
        fig("a", 100, 101, breaks=["on 1 Jun 2025"]),  # the counting rule changed inside it
    ],
)
def test_runners_measured_otherwise_are_left_out(other: FigureOut) -> None:
    assert lead("b", other, fig("b", 30, 33)) == ""


def test_monthly_flows_are_not_raced() -> None:
    flows = [
        fig("a", 100, 101, metric="github-new-stars"),
        fig("b", 30, 33, metric="github-new-stars"),
    ]
    assert lead("b", *flows) == ""


def test_no_subject_races_each_runner_up() -> None:
    text = lead(None, fig("a", 100, 101), fig("b", 30, 33), fig("c", 1, 2))
    assert text.startswith("On the one indicator measured like for like, the runner-up is closing")
    assert "B +10.0%" in text and "C " not in text


# ---------------------------------------------------------------- the engine's answers


def test_is_jax_catching_up_answers_with_the_gaps_of_the_board(engine: Engine) -> None:
    answer = engine.ask("is jax catching up?")
    assert answer.query is not None and answer.query.intent == "catchup"
    assert answer.scoreboard is not None and answer.lead.startswith("JAX ")
    assert answer.query.understood.startswith("whether JAX is closing the gap")
    # Every gap the lead states is the difference of two figures on one of the board's rows.
    gaps = {
        abs(a.change.end_value - b.change.end_value)
        for row in answer.scoreboard.rows
        for a in (c.figure for c in row.cells)
        for b in (c.figure for c in row.cells)
        if a and b and a.change and b.change and b.framework == "jax" and a.framework != "jax"
    }
    stated = re.findall(r"to ([\d,.]+) (?:stars|downloads/day)\)", answer.lead)
    assert stated and all(any(abs(float(s.replace(",", "")) - g) < 1 for g in gaps) for s in stated)
    assert answer_json(answer)["lead"] == answer.lead
    assert answer_json(answer)["text"].index(answer.lead[:40]) < answer_json(answer)["text"].index(
        "JAX ranks"
    )  # the terminal shows it before the board's headline
    roles = [block_role(b) for b in answer_blocks(answer)]
    assert roles.index("lead") < roles.index("figures")  # the direct answer before the board


def test_a_named_metric_races_on_that_metric(engine: Engine) -> None:
    answer = engine.ask("is pytorch closing in on tensorflow in stars")
    assert answer.query is not None and answer.query.kind == "figures"
    assert answer.lead.startswith("PyTorch trails on one indicator")
    assert "closing in on TensorFlow (" in answer.lead


def test_with_no_framework_named_each_runner_up_is_raced(engine: Engine) -> None:
    answer = engine.ask("is anyone catching up?")
    assert answer.lead.startswith("On ") and "the runner-up" in answer.lead
