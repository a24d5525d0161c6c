"""The one error the parser raises: what was not understood and what was probably meant."""

from __future__ import annotations

from bot.models import ErrorInfo


class QueryError(Exception):
    """The text cannot be understood; ``info`` says why and what was probably meant."""

    def __init__(
        self, message: str, suggestions: list[str] | None = None, corrected: str | None = None
    ) -> None:
        super().__init__(message)
        self.info = ErrorInfo(message=message, suggestions=suggestions or [], corrected=corrected)
