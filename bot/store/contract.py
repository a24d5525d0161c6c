"""The one store contract every caller uses; SQLite and PostgreSQL both implement it."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel

from bot.models import Claim, DataPoint, Framework, Metric, SeriesCoverage, Source

if TYPE_CHECKING:
    from bot.store.lock_contract import StoreLock

LIVE_VERSION = "live_version"  # meta key: bumped by every refresh that wrote something
Backend = Literal["sqlite", "postgres"]
_Model = TypeVar("_Model", bound=BaseModel)


class StoreUnavailable(Exception):
    """The store cannot be reached or opened; the message names it without any password."""


class StoreBroken(Exception):
    """The store was reached but cannot be used (not a database, or damaged)."""


class Neighbour(BaseModel):
    """What a series holds around a new point: its value that day and the point before it."""

    same_day: float | None = None
    previous_date: date | None = None
    previous: float | None = None


class SourceStats(BaseModel):
    """Points per source: how many, how new, how many of them live."""

    source_id: str
    points: int
    newest: date | None
    fetched_at: datetime | None
    live: int


class OutcomeRecord(BaseModel):
    """One source's outcome in a recorded refresh run."""

    source: str
    ok: bool
    reason: str | None
    points: int
    added: int
    changed: int
    seconds: float


class RefreshRecord(BaseModel):
    """A refresh run as the store keeps it (the full report as JSON beside it)."""

    started_at: datetime
    finished_at: datetime
    trigger: str
    ok: bool
    report_json: str
    outcomes: list[OutcomeRecord]


class LatestOutcome(BaseModel):
    """The latest recorded outcome of one live source."""

    source: str
    ok: bool
    reason: str | None
    finished_at: datetime


class DigestRow(BaseModel):
    """A (channel, week) row of the digest log, as a claim decision needs it."""

    status: str
    claimed_at: datetime
    host: str
    pid: int
    ts: str | None


ClaimOutcome = Literal["go", "recover", "already", "busy"]


class DigestClaim(BaseModel):
    """Whether this poster may post: go, recover an abandoned claim, or why not."""

    outcome: ClaimOutcome
    ts: str | None = None


_WORD = re.compile(r"[\w][\w.+#-]*", re.UNICODE)


def search_words(terms: Sequence[str]) -> list[str]:
    """The distinct lower-cased words of the terms (at most 32): what both backends match."""
    words: list[str] = []
    for term in terms:
        for word in _WORD.findall(term.lower()):
            if word not in words:
                words.append(word)
    return words[:32]


class Store(ABC):
    """An open metrics store; read methods return pydantic models.

    Every method is its own transaction unless it says otherwise, and safe from any thread.
    """

    backend: Backend
    path: Path | None = None  # the SQLite file; None for PostgreSQL

    def __init__(self) -> None:
        self._cache: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------ lifecycle

    @abstractmethod
    def describe(self) -> str:
        """Which store this is, for people: a path, or host/database (never a password)."""

    @abstractmethod
    def size_bytes(self) -> int:
        """What the store takes on disk."""

    @abstractmethod
    def ping(self) -> None:
        """One round trip; raises when the store is unreachable (the health check)."""

    @abstractmethod
    def close(self) -> None:
        """Release connections; the store is unusable afterwards."""

    @abstractmethod
    def pending_migrations(self) -> list[str]:
        """Names of migrations not yet applied."""

    @abstractmethod
    def upgrade(self) -> list[str]:
        """Apply pending migrations (once, however many processes try); return their names."""

    @abstractmethod
    def sync_knowledge(self, root: Path) -> bool:
        """Reload knowledge/ if it changed since the last load (live rows stay); True if so."""

    # ------------------------------------------------------------ knowledge tables

    @abstractmethod
    def _bodies_json(self, table: str) -> list[str]:
        """The JSON bodies of a knowledge table, in load order."""

    def _bodies(self, table: str, model: type[_Model], key: str) -> dict[str, _Model]:
        if table not in self._cache:
            items = [model.model_validate_json(body) for body in self._bodies_json(table)]
            self._cache[table] = {getattr(item, key): item for item in items}
        return dict(self._cache[table])

    def invalidate(self) -> None:
        """Forget cached knowledge rows: a refresh added live sources."""
        self._cache.clear()

    def frameworks(self) -> dict[str, Framework]:
        """All frameworks by slug."""
        return self._bodies("frameworks", Framework, "slug")

    def metrics(self) -> dict[str, Metric]:
        """All metrics by slug."""
        return self._bodies("metrics", Metric, "slug")

    def sources(self) -> dict[str, Source]:
        """All sources by id."""
        return self._bodies("sources", Source, "id")

    def claims(self) -> dict[str, Claim]:
        """All claims by id."""
        return self._bodies("claims", Claim, "id")

    @abstractmethod
    def meta(self, key: str) -> str | None:
        """A value from the meta table."""

    # ------------------------------------------------------------ points

    @abstractmethod
    def points(
        self,
        metric: str,
        frameworks: Sequence[str],
        start: date | None = None,
        end: date | None = None,
    ) -> list[DataPoint]:
        """Points of one metric for some frameworks, oldest first, at most one per series-month.

        Answers never need more than monthly resolution, and daily live refreshes would
        otherwise make every answer read years of rows; the newest point of each month stays.
        """

    @abstractmethod
    def latest(self, metric: str, framework: str, limit: int = 12) -> list[DataPoint]:
        """The newest points of one metric and framework, newest first (an index range scan)."""

    @abstractmethod
    def latest_per_series(self, day: date) -> dict[str, DataPoint]:
        """Each series' newest point on or before ``day``, by series key."""

    @abstractmethod
    def frameworks_with(self, metric: str) -> list[str]:
        """Frameworks that have at least one point for a metric."""

    @abstractmethod
    def metric_coverage(self) -> dict[str, tuple[int, str | None]]:
        """For each metric: number of points and ISO date of the newest one."""

    @abstractmethod
    def series_coverage(self) -> list[SeriesCoverage]:
        """Every measured series: metric, framework, source, points, first and last date."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Row counts of the main tables (points, claims, sources)."""

    @abstractmethod
    def source_stats(self) -> dict[str, SourceStats]:
        """Point counts and freshness per source id."""

    # ------------------------------------------------------------ claim search

    @abstractmethod
    def search_claims_scored(self, terms: Sequence[str], limit: int = 8) -> list[tuple[str, float]]:
        """(claim id, score) for claims matching any term, best first; higher is more relevant.

        Every term is matched as quoted text, so no query operator survives. Synonyms are
        expanded by the caller, so both backends share one synonym table.
        """

    def search_claims(self, terms: Sequence[str], limit: int = 8) -> list[str]:
        """Claim ids ranked by full-text relevance to any of the terms."""
        return [claim_id for claim_id, _ in self.search_claims_scored(terms, limit)]

    # ------------------------------------------------------------ refresh

    @abstractmethod
    def neighbours(self, points: Sequence[DataPoint]) -> list[Neighbour]:
        """For each point: its series' value that day and the point before (a dry run)."""

    @abstractmethod
    def write_live_source(self, entry: Source, points: Sequence[DataPoint]) -> list[Neighbour]:
        """In one transaction: upsert the source and its points; the neighbours seen before."""

    @abstractmethod
    def record_refresh(self, run: RefreshRecord) -> int:
        """Keep a run and its outcomes, bump LIVE_VERSION; return the run id."""

    @abstractmethod
    def latest_outcomes(self) -> list[LatestOutcome]:
        """Each live source's most recent refresh outcome."""

    @abstractmethod
    def last_refresh(self) -> datetime | None:
        """When the latest refresh run finished."""

    @abstractmethod
    def lock(self, name: str, ttl: timedelta, holder: str) -> StoreLock:
        """A named lock across processes and hosts (not yet acquired)."""

    # ------------------------------------------------------------ digest log

    @abstractmethod
    def claim_digest(
        self, channel: str, week: str, holder: str, *, force: bool, ttl: timedelta
    ) -> DigestClaim:
        """Take the (channel, week) row for posting, atomically across processes."""

    @abstractmethod
    def finish_digest(
        self,
        channel: str,
        week: str,
        status: str,
        *,
        today: date,
        ts: str | None,
        known_json: str | None,
        reason: str | None,
    ) -> None:
        """Write down how a claimed post ended (``known_json`` None keeps the earlier one)."""

    @abstractmethod
    def digest_claimed_at(self, channel: str, week: str) -> datetime | None:
        """When the (channel, week) row was claimed."""

    @abstractmethod
    def previous_digest(self, channel: str | None, week: str) -> tuple[date | None, str | None]:
        """Date and known-JSON of the latest posted or skipped digest before ``week``."""

    @abstractmethod
    def note_digest_alert(self, channel: str, reason: str) -> bool:
        """Remember an alert; False when the admins were told this very reason already."""

    @abstractmethod
    def clear_digest_alert(self, channel: str) -> None:
        """The channel works again: a later failure is news."""

    # ------------------------------------------------------------ bot state

    @abstractmethod
    def save_answer(self, answer_id: str, user_id: str, channel_id: str, body: str) -> None:
        """Keep a shown answer's JSON under its id."""

    @abstractmethod
    def load_answer(self, answer_id: str, newer_than: datetime) -> str | None:
        """A kept answer's JSON, if saved after ``newer_than``."""

    @abstractmethod
    def first_delivery(self, key: str) -> bool:
        """Record an event key; True only the first time it is seen (across processes)."""

    @abstractmethod
    def prune_bot_state(self, answers_before: datetime, deliveries_before: datetime) -> None:
        """Forget answers and delivery keys older than the cut-offs."""

    # ------------------------------------------------------------ charts

    @abstractmethod
    def save_chart(self, name: str, png: bytes) -> None:
        """Keep a served chart under its name (once per name); mark it shown now."""

    @abstractmethod
    def read_chart(self, name: str) -> bytes | None:
        """A served chart's bytes, or None."""

    @abstractmethod
    def prune_charts(self, not_shown_since: datetime) -> int:
        """Drop charts not shown since the cut-off; return how many went."""
