"""The registry of answer kinds: which function answers which kind of Query."""

from __future__ import annotations

from bot.answers.board import answer_board
from bot.answers.catalog import answer_frameworks, answer_help, answer_metrics, answer_sources
from bot.answers.claims import answer_claims
from bot.answers.compare import answer_compare
from bot.answers.desk import AnswerKind
from bot.answers.figures import answer_figures
from bot.answers.overview import answer_overview
from bot.answers.search import answer_search

KINDS: dict[str, AnswerKind] = {
    "help": answer_help,
    "sources": answer_sources,
    "metrics": answer_metrics,
    "frameworks": answer_frameworks,
    "claims": answer_claims,
    "search": answer_search,
    "figures": answer_figures,
    "compare": answer_compare,
    "scoreboard": answer_board,
    "overview": answer_overview,
}
