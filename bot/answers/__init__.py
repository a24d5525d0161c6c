"""Answer kinds: a parsed Query plus the store become an Answer; no Slack, no network."""

from bot.answers.desk import ALL_LABEL, MAX_CLAIMS
from bot.answers.engine import Engine

__all__ = ["ALL_LABEL", "MAX_CLAIMS", "Engine"]
