"""PyPI 30-day download snapshots (hugovk/top-pypi-packages): raw window counts and per day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from bot.models import DataPoint, SeriesFile
from bot.series.common import point, rows

PER_DAY = "pypi-downloads-per-day"
WINDOW = "pypi-downloads"


def counting_rule(row: dict[str, str]) -> str:
    """The counting rule a snapshot was made under; a change between snapshots is a break.

    Window length only counts as a rule change where it is not a whole calendar month, so
    the per-day series breaks where the rule changed, not every time a month has 30 days.
    """
    installers = "all installers" if row["installers"].startswith("all") else "pip only"
    kind, days = row["window_kind"], int(row["window_days"])
    if row["backend"].startswith("clickhouse"):
        window = "ClickHouse calendar months, mirrors included"
    elif kind == "whole_utc_days":
        window = "BigQuery legacy tables, 31 whole days"
    elif days == 30:
        window = "BigQuery, 30×24 h"
    else:
        window = "BigQuery, windows shorter than 30 days (22–29)"
    return f"{installers}; {window}"


def top_pypi_30d(entry: SeriesFile, path: Path) -> Iterator[DataPoint]:
    """Two points per listed row: the count over its window, and that count per day."""
    for line, row in enumerate(rows(path), start=2):
        # Unlisted (below the cut-off) is not zero; the first snapshot has no date at all.
        if row["status"] != "listed" or not row["downloads"] or not row["ref_date"]:
            continue
        package = row["package"]
        framework = entry.frameworks[package]
        days = int(row["window_days"])
        downloads = float(row["downloads"])
        common = {
            "framework": framework,
            "date": date.fromisoformat(row["ref_date"]),
            "segment": package,
            "method": counting_rule(row),
            "excluded": entry.excluded.get(row["snapshot_last_update_utc"][:10]),
            "repo": row["source_repo"],
            "path": row["source_path"],
            "commit": row["source_commit"],
        }
        yield point(
            entry,
            line,
            metric=WINDOW,
            value=downloads,
            unit=f"downloads/{days} days",
            series=f"{entry.file}:{framework}:{WINDOW}:{package}",
            **common,
        )
        yield point(
            entry,
            line,
            metric=PER_DAY,
            value=downloads / days,
            unit="downloads/day",
            series=f"{entry.file}:{framework}:{PER_DAY}:{package}",
            **common,
        )
