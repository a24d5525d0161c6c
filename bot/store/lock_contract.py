"""What a named lock promises (StoreLock), below the store contract that hands locks out."""

from __future__ import annotations

import os
import socket
from abc import ABC, abstractmethod
from datetime import timedelta

HOST = socket.gethostname()


class StoreLock(ABC):
    """``with store.lock("refresh", ttl, holder):`` one holder at a time; ``beat()`` keeps it."""

    def __init__(self, name: str, ttl: timedelta, holder: str) -> None:
        self.name = name
        self.ttl = ttl
        self.holder = holder
        self.host = HOST
        self.pid = os.getpid()

    @abstractmethod
    def acquire(self) -> None:
        """Take the lock or raise LockBusy."""

    @abstractmethod
    def beat(self) -> None:
        """The holder is alive and working."""

    @abstractmethod
    def release(self) -> None:
        """Give the lock up (a no-op when not held)."""

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
