"""Live data sources for `fwtrend refresh`: one module per public API, registered in SOURCES."""

from __future__ import annotations

from bot.live.sources.base import (
    ALL_FRAMEWORKS,
    FetchContext,
    LiveSource,
    Service,
    SourceError,
)
from bot.live.sources.dockerhub import DockerHub
from bot.live.sources.github import GitHubRepos
from bot.live.sources.github_languages import GitHubLanguages
from bot.live.sources.huggingface import HuggingFace
from bot.live.sources.pypistats import PyPIStats
from bot.live.sources.stackexchange import StackExchange

SOURCES: dict[str, LiveSource] = {
    source.name: source
    for source in (
        HuggingFace(),
        GitHubRepos(),
        GitHubLanguages(),
        StackExchange(),
        PyPIStats(),
        DockerHub(),
    )
}
"""Every live source by CLI name, in the order a full refresh runs them."""

__all__ = [
    "ALL_FRAMEWORKS",
    "SOURCES",
    "FetchContext",
    "LiveSource",
    "Service",
    "SourceError",
]
