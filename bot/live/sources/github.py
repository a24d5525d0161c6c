"""Stars, forks, watchers and open issues of each framework's main GitHub repository."""

from __future__ import annotations

from typing import Any

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

NAME = "github"


class Repository(ResponseModel):
    """The fields of GET /repos/{owner}/{repo} that fwtrend stores (data-sources.md §2.1)."""

    id: int
    full_name: str
    stargazers_count: int = Field(ge=0)
    forks_count: int = Field(ge=0)
    subscribers_count: int = Field(ge=0)
    open_issues_count: int = Field(ge=0)


# metric -> (field, unit, caveat template); {repo} is the repository's current full name.
FIELDS: dict[str, tuple[str, str, str]] = {
    "github-stars": (
        "stargazers_count",
        "stars",
        "Stars of {repo}: attention from GitHub users, not use.",
    ),
    "github-forks": (
        "forks_count",
        "forks",
        "Forks of {repo}, inactive personal copies included.",
    ),
    "github-watchers": (
        "subscribers_count",
        "watchers",
        "People watching {repo} for notifications (GitHub's subscribers_count); not stars.",
    ),
    "github-open-issues": (
        "open_issues_count",
        "open issues + PRs",
        "GitHub's open_issues_count for {repo}, which counts open pull requests as well as"
        " open issues.",
    ),
}


def repo_path(repo: str) -> str:
    """API path of a repository, e.g. ``repos/pytorch/pytorch``."""
    return f"repos/{repo}"


def provenance(endpoint: str, requested: str, full_name: str) -> str:
    """The endpoint, plus where GitHub redirected to when the repository moved."""
    if full_name.lower() == requested.lower():
        return endpoint
    return f"{endpoint} (moved to {full_name})"


def parse_repository(
    payload: Any, framework: Framework, endpoint: str, ctx: FetchContext
) -> list[DataPoint]:
    """Four points (stars, forks, watchers, open issues) from one repository answer."""
    repo = parse_payload(Repository, payload, endpoint)
    requested = framework.github_repo or repo.full_name
    return [
        live_point(
            NAME,
            ctx,
            metric=metric,
            framework=framework.slug,
            value=getattr(repo, field),
            unit=unit,
            provenance=provenance(endpoint, requested, repo.full_name),
            caveat=caveat.format(repo=repo.full_name),
        )
        for metric, (field, unit, caveat) in FIELDS.items()
    ]


class GitHubRepos(LiveSource):
    """Repository statistics from the GitHub REST API."""

    name = NAME
    service = "github"
    title = "GitHub REST API: repository statistics (live)"
    publisher = "GitHub"
    url = "https://docs.github.com/en/rest/repos/repos"
    summary = (
        "Current stars, forks, watchers and open issues (pull requests included) of each"
        " framework's main repository."
    )

    async def fetch(self, client: ServiceClient, ctx: FetchContext) -> list[DataPoint]:
        return await per_framework(
            client, ctx, lambda fw: fw.github_repo, repo_path, parse_repository
        )
