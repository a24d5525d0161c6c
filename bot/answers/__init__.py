"""Answer kinds: a parsed Query plus the store become an Answer; no Slack, no network."""

from bot.answers.engine import ALL_LABEL, MAX_CLAIMS, Engine

__all__ = ["ALL_LABEL", "MAX_CLAIMS", "Engine"]
