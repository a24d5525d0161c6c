"""The registry of answer kinds: which function answers which kind of Query."""

from __future__ import annotations

from bot.answers.catalog import answer_frameworks, answer_help, answer_metrics, answer_sources
from bot.answers.claims import answer_claims, answer_search
from bot.answers.compare import answer_compare
from bot.answers.engine import AnswerKind
from bot.answers.figures import answer_figures

KINDS: dict[str, AnswerKind] = {
    "help": answer_help,
    "sources": answer_sources,
    "metrics": answer_metrics,
    "frameworks": answer_frameworks,
    "claims": answer_claims,
    "search": answer_search,
    "figures": answer_figures,
    "compare": answer_compare,
}
