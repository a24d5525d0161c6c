"""Stack Overflow questions per framework tag: all-time totals, recent months, monthly shares."""

# Monthly figures are dated on the last day of their month, not on the day of the refresh:
# a month's count then belongs to one date, re-running updates it in place, and the months
# of one tag form one series (as the month-end totals of knowledge/series do).

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from typing import Any

from pydantic import Field

from bot.live.sources.base import (
    ALL_FRAMEWORKS,
    FetchContext,
    LiveSource,
    ResponseModel,
    SourceError,
    gather_all,
    live_point,
    parse_payload,
)
from bot.live.sources.http import ServiceClient
from bot.models import DataPoint, Framework

NAME = "stackexchange"
SITE = "stackoverflow"
MONTHS = 6  # complete months fetched per run: 1 + 6 x (tags + 1) requests, ~31 of 300 a day
QUESTIONS = "so-questions"
SHARE = "so-question-share"
SITE_QUESTIONS = "so-site-questions"
ALL_TIME = "all-time"
PER_MONTH = "new questions per month"
SHARE_DECIMALS = 3  # JAX's share is a small fraction of a percent


class TagInfo(ResponseModel):
    name: str
    count: int = Field(ge=0)


class TagInfoPage(ResponseModel):
    """GET /2.3/tags/{tags}/info: the common wrapper around tag items (§3.1)."""

    items: list[TagInfo]
    has_more: bool
    quota_max: int
    quota_remaining: int


class Total(ResponseModel):
    """GET /2.3/questions?…&filter=total: only the count."""

    total: int = Field(ge=0)


def complete_months(today: date, count: int = MONTHS) -> list[date]:
    """First days of the ``count`` complete months before ``today``, oldest first."""
    index = today.year * 12 + today.month - 1
    firsts = [divmod(index - back, 12) for back in range(count, 0, -1)]
    return [date(year, month + 1, 1) for year, month in firsts]


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def month_window(first: date) -> tuple[int, int]:
    """Unix seconds of the month's first and last second (UTC), as fromdate/todate take them."""
    start = datetime(first.year, first.month, 1, tzinfo=UTC)
    end = datetime.combine(month_end(first), datetime.max.time().replace(microsecond=0), UTC)
    return int(start.timestamp()), int(end.timestamp())


def tag_info_path(tags: list[str]) -> str:
    return "tags/" + ";".join(tags) + "/info"


def month_params(first: date, tag: str | None) -> dict[str, str | int]:
    """Query of a per-month count; no tag counts the whole site."""
    start, end = month_window(first)
    params: dict[str, str | int] = {"site": SITE}
    if tag is not None:
        params["tagged"] = tag
    params.update({"fromdate": start, "todate": end, "filter": "total"})
    return params


def parse_tag_info(
    payload: Any, tagged: list[tuple[Framework, str]], endpoint: str, ctx: FetchContext
) -> list[DataPoint]:
    """All-time question counts, one per framework; a tag Stack Overflow left out fails."""
    page = parse_payload(TagInfoPage, payload, endpoint)
    counts = {item.name.lower(): item.count for item in page.items}
    points = []
    for framework, tag in tagged:
        if tag.lower() not in counts:
            raise SourceError(f"Stack Overflow has no tag '{tag}' (asked {endpoint})", endpoint)
        points.append(
            live_point(
                NAME,
                ctx,
                metric=QUESTIONS,
                framework=framework.slug,
                segment=ALL_TIME,
                value=counts[tag.lower()],
                unit="questions",
                provenance=endpoint,
                caveat=(
                    f"Every Stack Overflow question ever tagged '{tag}'. Question volume"
                    " reflects how much people struggle as well as how many use a framework."
                ),
            )
        )
    return points


def parse_total(payload: Any, endpoint: str) -> int:
    return parse_payload(Total, payload, endpoint).total


def month_points(
    first: date,
    tag_totals: list[tuple[Framework, str, int, str]],
    site_total: tuple[int, str],
    ctx: FetchContext,
) -> list[DataPoint]:
    """One month: the site total, and per framework its count and its share of the site."""
    site_count, site_endpoint = site_total
    label, day = f"{first:%b %Y}", month_end(first)
    if site_count <= 0:
        raise SourceError(f"Stack Overflow reported no questions at all in {label}", site_endpoint)
    points = [
        live_point(
            NAME,
            ctx,
            metric=SITE_QUESTIONS,
            framework=ALL_FRAMEWORKS,
            segment=PER_MONTH,
            value=site_count,
            unit="questions",
            provenance=site_endpoint,
            caveat=f"All questions asked on Stack Overflow in {label}: the base of the shares.",
            day=day,
        )
    ]
    for framework, tag, count, endpoint in tag_totals:
        if count > site_count:
            raise SourceError(
                f"Stack Overflow counted more '{tag}' questions ({count}) than questions in all"
                f" ({site_count}) in {label}",
                endpoint,
            )
        points += _tag_month(first, framework, tag, count, endpoint, site_total, ctx)
    return points


def _tag_month(
    first: date,
    framework: Framework,
    tag: str,
    count: int,
    endpoint: str,
    site_total: tuple[int, str],
    ctx: FetchContext,
) -> list[DataPoint]:
    site_count, site_endpoint = site_total
    label, day = f"{first:%b %Y}", month_end(first)
    questions = live_point(
        NAME,
        ctx,
        metric=QUESTIONS,
        framework=framework.slug,
        segment=PER_MONTH,
        value=count,
        unit="questions",
        provenance=endpoint,
        caveat=(
            f"Questions tagged '{tag}' asked in {label}. Site-wide volume has fallen since"
            " 2022, so compare shares of all questions rather than raw counts."
        ),
        day=day,
    )
    share = live_point(
        NAME,
        ctx,
        metric=SHARE,
        framework=framework.slug,
        value=round(100.0 * count / site_count, SHARE_DECIMALS),
        unit="% of questions",
        provenance=f"{endpoint} ÷ {site_endpoint}",
        caveat=(
            f"Questions tagged '{tag}' as a share of all Stack Overflow questions asked in"
            f" {label}; a question with several framework tags counts for each of them."
        ),
        day=day,
    )
    return [questions, share]


class StackExchange(LiveSource):
    """Question counts per framework tag from the Stack Exchange API."""

    name = NAME
    service = "stackexchange"
    title = "Stack Exchange API: Stack Overflow questions per tag (live)"
    publisher = "Stack Exchange"
    url = "https://api.stackexchange.com/docs"
    summary = (
        "All-time and monthly question counts for each framework's Stack Overflow tag, with"
        " monthly shares of all questions asked on the site."
    )

    async def fetch(self, client: ServiceClient, ctx: FetchContext) -> list[DataPoint]:
        tagged = [(fw, fw.stackoverflow_tag) for fw in ctx.frameworks if fw.stackoverflow_tag]
        if not tagged:
            return []
        tags = [tag for _, tag in tagged]
        payload, endpoint = await client.get_json(tag_info_path(tags), {"site": SITE})
        points = parse_tag_info(payload, tagged, endpoint, ctx)
        months = complete_months(ctx.today)
        # Fail before spending quota rather than halfway through the months.
        client.ensure_quota(len(months) * (len(tags) + 1))

        async def total(first: date, tag: str | None) -> tuple[int, str]:
            answer, where = await client.get_json("questions", month_params(first, tag))
            return parse_total(answer, where), where

        keys = [(first, tag) for first in months for tag in [*tags, None]]
        totals = dict(zip(keys, await gather_all(total(*key) for key in keys), strict=True))
        for first in months:
            per_tag = [(fw, tag, *totals[(first, tag)]) for fw, tag in tagged]
            points += month_points(first, per_tag, totals[(first, None)], ctx)
        return points
