"""Which has the most …: the answer opens with who leads, like for like, and who is missing."""

from __future__ import annotations

from datetime import date

from bot.answers import Engine
from bot.answers.ranking import rank_points
from bot.models import DataPoint
from bot.render.text import render_text
from bot.slack.blocks import answer_blocks


def test_most_stars_names_the_leader_of_the_newest_common_count(engine: Engine) -> None:
    answer = engine.ask("which framework has the most github stars right now")
    assert answer.lead.startswith(
        "Of those counted together on 31 Jul 2026, TensorFlow leads on GitHub stars: 196,576 "
        "stars, ahead of PyTorch (101,967) and Keras (64,190)."
    )
    # JAX is missing from that count: its own newest figure, and where it stood that day.
    assert "JAX is not in that count; its newest figure is older: 32,618 stars on 26 Jun 2025, " \
        "4th of 4 that day." in answer.lead  # fmt: skip
    order = list(dict.fromkeys(f.framework for f in answer.figures))
    assert order == ["tensorflow", "pytorch", "keras", "jax"]
    assert answer.lead in render_text(answer).replace("\n", " ")
    [lead] = [b for b in answer_blocks(answer) if b.get("block_id", "").startswith("fwtrend-lead")]
    assert "TensorFlow leads on GitHub stars" in lead["text"]["text"]


def test_a_share_leader_keeps_its_percent_signs(engine: Engine) -> None:
    answer = engine.ask("most popular in surveys")
    assert answer.lead == (
        "TensorFlow leads on Developer survey usage: 11.49% of respondents on 31 Dec 2022, "
        "ahead of PyTorch (7.61%) and Keras (6.47%)."
    )


def test_no_lead_without_a_winner_question_or_a_common_count(engine: Engine) -> None:
    assert engine.ask("pytorch tensorflow github-stars").lead == ""  # not asked who leads
    assert engine.ask("pytorch github-stars").lead == ""
    # Hub figures per framework come from different sources and days: nothing ranks them.
    assert engine.ask("which has the most hugging face models").lead == ""


def _point(fw: str, value: float, qualifier: str = "exact", day: int = 1) -> DataPoint:
    return DataPoint(
        metric="github-stars", framework=fw, date=date(2026, 1, day), value=value,
        qualifier=qualifier, unit="stars", source_id="repostory-github-history", series=f"s:{fw}",
        provenance="s",
    )  # fmt: skip


def test_ties_and_floors(engine: Engine) -> None:
    tie, order = rank_points(engine, [_point("jax", 10), _point("keras", 10)], "stars", {})
    assert tie.startswith("JAX and Keras tie on stars: 10 stars") and len(order) == 2
    floor = [_point("jax", 5000, "over"), _point("keras", 200, "over")]
    assert rank_points(engine, floor, "stars", {}) == ("", [])  # "over 5,000" leads nothing
    apart = [_point("jax", 3, day=1), _point("keras", 2, day=2)]  # never measured together
    assert rank_points(engine, apart, "stars", {}) == ("", [])
