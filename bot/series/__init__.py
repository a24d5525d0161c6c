"""Turn the shipped history CSVs (knowledge/series/) into dated data points, numbers untouched.

One reader per file family; the registry maps a SeriesFile's ``format`` to its reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from bot.models import DataPoint, SeriesFile
from bot.series import github, huggingface, pypi, research, stackoverflow, surveys
from bot.series.common import FLOORS, FLOW_METRICS, month_end

__all__ = ["FLOORS", "FLOW_METRICS", "READERS", "month_end", "read_series"]

Reader = Callable[[SeriesFile, Path], Iterator[DataPoint]]

READERS: dict[str, Reader] = {
    "github-history": github.github_history,
    "best-of-ml-python": github.best_of,
    "github-jax": github.github_jax,
    "conference-papers": research.conference_papers,
    "research-share": research.research_share,
    "pypi-downloads-30d": pypi.top_pypi_30d,
    "stackoverflow-monthly": stackoverflow.monthly,
    "stackoverflow-site-monthly": stackoverflow.site_monthly,
    "stackoverflow-yearly": stackoverflow.yearly,
    "so-survey-professional": surveys.professional_2022,
    "hf-hub-models": huggingface.hub_models,
}


def read_series(entry: SeriesFile, path: Path) -> list[DataPoint]:
    """All data points of one shipped series file."""
    return list(READERS[entry.format](entry, path))
