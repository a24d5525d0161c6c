"""What each framework's repository is written in: GitHub's language breakdown, in percent."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, RootModel

from bot.live.sources.base import (
    FetchContext,
    LiveSource,
    SourceError,
    live_point,
    parse_payload,
    per_framework,
)
from bot.live.sources.github import repo_path
from bot.live.sources.http import ServiceClient
from bot.models import DataPoint, Framework

NAME = "github-languages"
METRIC = "code-language-share"
UNIT = "% of code"
MIN_SHARE = 1.0  # percent: keeps the languages that make up most of the code, drops the long tail
DECIMALS = 1


class Languages(RootModel[dict[str, Annotated[int, Field(ge=0)]]]):
    """GET /repos/{owner}/{repo}/languages: bytes of code per language."""

    model_config = ConfigDict(strict=True, frozen=True)


def language_shares(bytes_by_language: dict[str, int]) -> list[tuple[str, float]]:
    """(language, percent) for languages of at least MIN_SHARE percent, largest first."""
    total = sum(bytes_by_language.values())
    ranked = sorted(bytes_by_language.items(), key=lambda item: (-item[1], item[0]))
    return [
        (language, round(100.0 * count / total, DECIMALS))
        for language, count in ranked
        if 100.0 * count / total >= MIN_SHARE
    ]


def parse_languages(
    payload: Any, framework: Framework, endpoint: str, ctx: FetchContext
) -> list[DataPoint]:
    """One code-language-share point per language that makes up at least MIN_SHARE percent."""
    languages = parse_payload(Languages, payload, endpoint).root
    if sum(languages.values()) <= 0:
        raise SourceError(f"GitHub reported no code at all for {endpoint}", endpoint)
    repo = framework.github_repo or framework.slug
    caveat = (
        f"Share of the bytes of code GitHub detects in {repo}; languages under"
        f" {MIN_SHARE:g}% are left out. It says what {framework.name} is written in, not"
        " which language its users write."
    )
    return [
        live_point(
            NAME,
            ctx,
            metric=METRIC,
            framework=framework.slug,
            segment=language,
            value=share,
            unit=UNIT,
            provenance=endpoint,
            caveat=caveat,
        )
        for language, share in language_shares(languages)
    ]


class GitHubLanguages(LiveSource):
    """Language breakdown of each framework's main repository, from the GitHub REST API."""

    name = NAME
    service = "github"
    title = "GitHub REST API: repository languages (live)"
    publisher = "GitHub"
    url = "https://docs.github.com/en/rest/repos/repos"
    summary = (
        "Bytes of code per programming language in each framework's main repository, as"
        " shares of the total."
    )

    async def fetch(self, client: ServiceClient, ctx: FetchContext) -> list[DataPoint]:
        return await per_framework(
            client, ctx, lambda fw: fw.github_repo, languages_path, parse_languages
        )


def languages_path(repo: str) -> str:
    return f"{repo_path(repo)}/languages"
