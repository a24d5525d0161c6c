"""Live data sources for `fwtrend refresh`: one module per public API, registered in SOURCES."""

from __future__ import annotations

from bot.sources.base import (
    ALL_FRAMEWORKS,
    FetchContext,
    LiveSource,
    Service,
    SourceError,
)
from bot.sources.dockerhub import DockerHub
from bot.sources.github import GitHubRepos
from bot.sources.github_languages import GitHubLanguages
from bot.sources.huggingface import HuggingFace
from bot.sources.pypistats import PyPIStats
from bot.sources.stackexchange import StackExchange

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
