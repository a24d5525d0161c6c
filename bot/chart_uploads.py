"""Charts already uploaded to Slack privately: the same PNG is shown again by its file id."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

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
        self._kept = kept
        self._ids: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, png: bytes) -> str | None:
        key = _digest(png)
        with self._lock:
            file_id = self._ids.get(key)
            if file_id is not None:
                self._ids.move_to_end(key)
            return file_id

    def forget(self, png: bytes) -> None:
        with self._lock:
            self._ids.pop(_digest(png), None)

    def remember(self, png: bytes, file_id: str) -> None:
        """Call only once Slack has processed the file (before that it cannot be shown)."""
        with self._lock:
            self._ids[_digest(png)] = file_id
            while len(self._ids) > self._kept:
                self._ids.popitem(last=False)


def _digest(png: bytes) -> str:
    return hashlib.sha256(png).hexdigest()
