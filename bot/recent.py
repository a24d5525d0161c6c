"""A small thread-safe cache of the most recently used values, for the bot's in-process caches."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class Recent(Generic[K, V]):
    """At most ``kept`` values; a lookup makes its entry the newest, an insert past the bound
    drops the oldest. Safe to share between a process's threads."""

    def __init__(self, kept: int) -> None:
        self._kept = kept
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self._kept:
                self._values.popitem(last=False)

    def pop(self, key: K) -> None:
        with self._lock:
            self._values.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


class RecentFor(Generic[T, V]):
    """Values made from particular objects (an unhashable model, say), found by the object's
    identity and an optional ``extra`` key; most recently used kept, as in Recent.

    Each entry holds its object, so the object's id cannot be reused by another while the
    entry is cached; and a lookup checks it is the very same object all the same.
    """

    def __init__(self, kept: int) -> None:
        self._recent: Recent[tuple[int, Hashable], tuple[T, V]] = Recent(kept)

    def get(self, obj: T, extra: Hashable = ()) -> V | None:
        kept = self._recent.get((id(obj), extra))
        return kept[1] if kept is not None and kept[0] is obj else None

    def put(self, obj: T, value: V, extra: Hashable = ()) -> None:
        self._recent.put((id(obj), extra), (obj, value))
