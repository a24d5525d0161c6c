"""The services the live sources call, and SourceError: how a source fails, below them all."""

from __future__ import annotations

from typing import Literal

Service = Literal["huggingface", "github", "stackexchange", "pypistats", "dockerhub"]


class SourceError(Exception):
    """A source failed as a whole; ``reason`` is short, user-facing and free of secrets."""

    def __init__(self, reason: str, endpoint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.endpoint = endpoint
