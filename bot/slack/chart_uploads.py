"""Charts already uploaded to Slack privately: the same PNG is shown again by its file id."""

from __future__ import annotations

import hashlib

from bot.recent import Recent

# Charts of popular questions repeat all day (renders are deterministic and cached); each is a
# file id of ~12 characters, so this holds a day's distinct charts for almost nothing.
UPLOADS_KEPT = 256


class PrivateUploads:
    """PNG digest → the id of a processed private upload of exactly those bytes.

    A private upload (shared to no channel) is only ever shown through a slack_file block,
    and a block may reference a file any number of times: uploading the same bytes again
    would cost four Slack calls (and Slack's processing wait) for an identical file.
    """

    def __init__(self, kept: int = UPLOADS_KEPT) -> None:
        self._ids: Recent[str, str] = Recent(kept)

    def get(self, png: bytes) -> str | None:
        return self._ids.get(_digest(png))

    def forget(self, png: bytes) -> None:
        self._ids.pop(_digest(png))

    def remember(self, png: bytes, file_id: str) -> None:
        """Call only once Slack has processed the file (before that it cannot be shown)."""
        self._ids.put(_digest(png), file_id)


def _digest(png: bytes) -> str:
    return hashlib.sha256(png).hexdigest()
