"""Recent PyPI downloads of each framework's package (last day, week, month) from pypistats.org."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from bot.live.sources.base import (
    FetchContext,
    LiveSource,
    ResponseModel,
    live_point,
    parse_payload,
    per_framework,
)
from bot.live.sources.http import ServiceClient
from bot.models import DataPoint, Framework

NAME = "pypistats"

# response field -> (metric, unit, period as the caveat names it)
PERIODS: dict[str, tuple[str, str, str]] = {
    "last_day": ("pypi-downloads-day", "downloads/day", "the last day"),
    "last_week": ("pypi-downloads-week", "downloads/week", "the last week"),
    "last_month": ("pypi-downloads", "downloads/month", "the last month"),
}

COMMON_CAVEAT = (
    "pypistats.org leaves out known mirrors, but CI and other automated installs still make"
    " up much of every package's downloads."
)
# Why some packages' counts say less about their framework than others (data-sources.md §4.1).
PACKAGE_CAVEATS = {
    "keras": "Inflated: tensorflow depends on keras, so TensorFlow installs download it too.",
    "torch": (
        "Understated: CUDA builds of torch are often installed from PyTorch's own index"
        " (download.pytorch.org), which PyPI statistics never see."
    ),
}


class Recent(ResponseModel):
    last_day: int = Field(ge=0)
    last_week: int = Field(ge=0)
    last_month: int = Field(ge=0)


class RecentPage(ResponseModel):
    """GET /api/packages/{package}/recent."""

    data: Recent
    package: str
    type: Literal["recent_downloads"]


def caveat_for(package: str, period: str) -> str:
    extra = PACKAGE_CAVEATS.get(package.lower())
    text = f"Downloads of {package} from PyPI in {period}. {COMMON_CAVEAT}"
    return f"{text} {extra}" if extra else text


def parse_recent(
    payload: Any, framework: Framework, endpoint: str, ctx: FetchContext
) -> list[DataPoint]:
    """Three points (last day, week, month) for one package."""
    page = parse_payload(RecentPage, payload, endpoint)
    package = framework.pypi_package or page.package
    return [
        live_point(
            NAME,
            ctx,
            metric=metric,
            framework=framework.slug,
            value=getattr(page.data, field),
            unit=unit,
            provenance=endpoint,
            caveat=caveat_for(package, period),
        )
        for field, (metric, unit, period) in PERIODS.items()
    ]


class PyPIStats(LiveSource):
    """Recent download counts from the pypistats.org API."""

    name = NAME
    service = "pypistats"
    title = "pypistats.org API: recent PyPI downloads (live)"
    publisher = "pypistats.org"
    url = "https://pypistats.org/api/"
    summary = (
        "Downloads of each framework's PyPI package over the last day, week and month,"
        " known mirrors excluded."
    )

    async def fetch(self, client: ServiceClient, ctx: FetchContext) -> list[DataPoint]:
        return await per_framework(
            client, ctx, lambda fw: fw.pypi_package, recent_path, parse_recent
        )


def recent_path(package: str) -> str:
    return f"packages/{package}/recent"
