"""GitHub stars and forks: the rebuilt monthly history, and the snapshot totals of their day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from bot.models import DataPoint, SeriesFile
from bot.series.common import month_end, point, rows

_GITHUB_METRICS = {
    "stars": ("github-stars", "github-new-stars", "stars"),
    "forks": ("github-forks", "github-new-forks", "forks"),
}
REBUILT = "rebuilt from today's {unit}"  # the 0x0w1 history: only stars that still exist
SNAPSHOT = "GitHub's count at the time"


def github_history(entry: SeriesFile, path: Path) -> Iterator[DataPoint]:
    """0x0w1/repostory: month-end totals and monthly gains, rebuilt from today's stargazers."""
    for line, row in enumerate(rows(path), start=2):
        total_metric, flow_metric, unit = _GITHUB_METRICS[row["series"]]
        common = {
            "framework": row["framework"],
            "date": month_end(row["month"]),
            "method": REBUILT.format(unit="stargazers" if unit == "stars" else "forks"),
            "repo": row["repo"],
        }
        yield point(
            entry,
            line,
            metric=total_metric,
            value=float(row["total_at_month_end"]),
            unit=unit,
            series=f"{entry.file}:{row['framework']}:{total_metric}",
            **common,
        )
        yield point(
            entry,
            line,
            metric=flow_metric,
            value=float(row["new_in_month"]),
            unit=f"new {unit}",
            series=f"{entry.file}:{row['framework']}:{flow_metric}",
            **common,
        )


def best_of(entry: SeriesFile, path: Path) -> Iterator[DataPoint]:
    """ml-tooling/best-of-ml-python weekly snapshots: stars, forks and 30-day PyPI downloads.

    JAX's stars and forks come from github-jax.csv, which holds these same rows beside
    Github-Ranking's; here JAX gives only its downloads, so no value is loaded twice.
    """
    for line, row in enumerate(rows(path), start=2):
        framework = entry.frameworks[row["framework"]]
        day = date.fromisoformat(row["snapshot_date"])
        where = {
            "repo": row["source_repo"],
            "path": row["source_path"],
            "commit": row["source_commit"],
            "date": day,
            "framework": framework,
        }
        repo = row["updated_github_id"] or row["github_id"]
        if framework not in entry.excluded:
            for metric, column, unit in (
                ("github-stars", "star_count", "stars"),
                ("github-forks", "fork_count", "forks"),
            ):
                yield point(
                    entry,
                    line,
                    metric=metric,
                    value=float(row[column]),
                    unit=unit,
                    series=f"{entry.file}:{framework}:{metric}",
                    method=f"{SNAPSHOT} ({repo}, weekly best-of-ml-python snapshot)",
                    caveat=entry.caveats[1] if metric == "github-forks" else entry.caveats[0],
                    **where,
                )
        package = row["pypi_id"]
        yield point(
            entry,
            line,
            metric="pypi-downloads",
            value=float(row["pypi_monthly_downloads"]),
            unit="downloads/30 days",
            segment=package,
            series=f"{entry.file}:{framework}:pypi-downloads:{package}",
            method="pypistats.org last_month: 30 days, known mirrors left out",
            caveat=entry.caveats[2],
            **where,
        )


def github_jax(entry: SeriesFile, path: Path) -> Iterator[DataPoint]:
    """Every JAX star and fork total found, one series per source (google/jax, now jax-ml/jax)."""
    for line, row in enumerate(rows(path), start=2):
        origin = entry.row_sources[row["source"]]
        tag = origin.source
        day = date.fromisoformat(row["observed_date"])
        unreliable = entry.excluded.get(f"forks:{row['source']}")
        for metric, column, unit in (
            ("github-stars", "stars", "stars"),
            ("github-forks", "forks", "forks"),
        ):
            yield point(
                entry,
                line,
                metric=metric,
                framework="jax",
                date=day,
                value=float(row[column]),
                unit=unit,
                source_id=origin.source,
                series=f"{entry.file}:jax:{metric}:{tag}",
                method=f"{SNAPSHOT} ({row['repo_as_recorded']}, {origin.method})",
                excluded=unreliable if metric == "github-forks" else None,
                repo=row["source"],
                path=row["source_path"],
                commit=row["source_commit"],
            )
