"""The contract every live data source follows: what it fetches, what it returns, how it fails."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine, Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bot.live.sources.http.services import Service as Service
from bot.live.sources.http.services import SourceError as SourceError
from bot.models import DataPoint, Framework, Source

if TYPE_CHECKING:
    from bot.live.sources.http import ServiceClient

ALL_FRAMEWORKS = "all"
"""Pseudo-framework slug of points about a whole population (all of the Hub, all of Stack
Overflow) rather than one framework; they give context to the per-framework figures."""

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class FetchContext(BaseModel):
    """What a refresh run hands every source: the frameworks and the run's timestamps."""

    model_config = ConfigDict(frozen=True)

    frameworks: list[Framework]
    fetched_at: datetime
    today: date

    @field_validator("fetched_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # Stored timestamps are compared with "now" for staleness; a naive one would be ambiguous.
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("fetched_at must be timezone-aware")
        return value.astimezone(UTC)


class ResponseModel(BaseModel):
    """Base of response models: extra fields are fine, a wrong type or a missing field is not."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class LiveSource(ABC):
    """One public API read by ``fwtrend refresh``; subclasses set the class attributes."""

    name: ClassVar[str]
    """CLI name, e.g. ``github-languages``."""
    service: ClassVar[Service]
    """Which ServiceClient it uses (both GitHub sources use ``github``)."""
    title: ClassVar[str]
    publisher: ClassVar[str]
    url: ClassVar[str]
    summary: ClassVar[str]

    @property
    def source_id(self) -> str:
        """Id of this source in the sources table, and of every point it returns."""
        return f"live-{self.name}"

    def source_entry(self, today: date) -> Source:
        """The sources-table entry, published on the day of the refresh."""
        return Source.model_validate(
            {
                "id": self.source_id,
                "title": self.title,
                "publisher": self.publisher,
                "published": today.isoformat(),
                "url": self.url,
                "kind": "api",
                "summary": self.summary,
            }
        )

    @abstractmethod
    async def fetch(self, client: ServiceClient, ctx: FetchContext) -> list[DataPoint]:
        """Every point of this source, or SourceError; never a partial list."""


def series_key(source: str, metric: str, framework: str, segment: str = "") -> str:
    """Stable key of a live series: one value per series per date."""
    key = f"live:{source}:{metric}:{framework}"
    return f"{key}:{segment}" if segment else key


def live_point(
    source: str,
    ctx: FetchContext,
    *,
    metric: str,
    framework: str,
    value: float,
    unit: str,
    provenance: str,
    caveat: str,
    segment: str = "",
    day: date | None = None,
) -> DataPoint:
    """A DataPoint from a live source, dated ``day`` (default: the day of the refresh)."""
    return DataPoint(
        metric=metric,
        framework=framework,
        date=day or ctx.today,
        value=float(value),
        qualifier="exact",
        unit=unit,
        source_id=f"live-{source}",
        segment=segment,
        series=series_key(source, metric, framework, segment),
        provenance=provenance,
        origin="live",
        fetched_at=ctx.fetched_at,
        caveat=caveat,
    )


def parse_payload(model: type[M], payload: Any, endpoint: str) -> M:
    """Validate a decoded response, or fail the source naming the first bad field."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise SourceError(
            f"unexpected response shape from {endpoint}: {describe_validation(exc)}", endpoint
        ) from None


def describe_validation(exc: ValidationError) -> str:
    """'stargazers_count: Field required (+1 more)', without echoing the offending input."""
    errors = exc.errors(include_input=False, include_url=False)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "response"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


async def gather_all(coros: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """Run coroutines concurrently; the first SourceError cancels the rest and is raised."""
    tasks: list[asyncio.Task[T]] = []
    try:
        async with asyncio.TaskGroup() as group:
            for coro in coros:
                tasks.append(group.create_task(coro))
    except ExceptionGroup as group_error:
        # Only source failures are unwrapped; a bug elsewhere keeps its full group.
        failed, rest = group_error.split(SourceError)
        if failed is None or rest is not None:
            raise
        raise _first_leaf(failed) from None
    return [task.result() for task in tasks]


async def per_framework(
    client: ServiceClient,
    ctx: FetchContext,
    key: Callable[[Framework], str | None],
    path: Callable[[str], str],
    parse: Callable[[Any, Framework, str, FetchContext], list[DataPoint]],
) -> list[DataPoint]:
    """GET ``path(key(fw))`` for every framework that has a key, concurrently, and parse each.

    The shape of most sources: one request per framework's repository, package or image.
    """

    async def one(framework: Framework, name: str) -> list[DataPoint]:
        payload, endpoint = await client.get_json(path(name))
        return parse(payload, framework, endpoint, ctx)

    wanted = [(fw, name) for fw in ctx.frameworks if (name := key(fw))]
    batches = await gather_all(one(fw, name) for fw, name in wanted)
    return [point for batch in batches for point in batch]


def _first_leaf(group: BaseExceptionGroup[Any]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
