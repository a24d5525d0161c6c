"""The scoreboard kind's two views: where the frameworks stand, or how they are moving."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answers.momentum import answer_momentum
from bot.answers.scoreboard import answer_scoreboard
from bot.models import Answer, Query

if TYPE_CHECKING:
    from bot.answers.desk import Desk


def answer_board(engine: Desk, query: Query) -> Answer:
    """Comparisons without a metric and verdict questions: decline questions get momentum."""
    # Momentum builds on the scoreboard's rows, so the choice between them sits above both.
    if query.view == "momentum":
        return answer_momentum(engine, query)
    return answer_scoreboard(engine, query)
