"""Turn the shipped history CSVs (knowledge/series/) into dated data points, numbers untouched."""

from __future__ import annotations

import calendar
import csv
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from bot.models import DataPoint, SeriesFile

# Metrics counted per month rather than as running totals: a claim about a longer period
# is checked against the sum of the months it covers.
FLOW_METRICS = frozenset({"github-new-stars", "github-new-forks"})

_GITHUB_METRICS = {
    "stars": ("github-stars", "github-new-stars", "stars"),
    "forks": ("github-forks", "github-new-forks", "forks"),
}


def month_end(month: str) -> date:
    """Last day of a 'YYYY-MM' month: a month-end total is dated there."""
    year, mon = (int(part) for part in month.split("-"))
    return date(year, mon, calendar.monthrange(year, mon)[1])


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _github_history(entry: SeriesFile, path: Path) -> Iterator[DataPoint]:
    caveat = entry.caveats[0] if entry.caveats else None
    for row in _rows(path):
        total_metric, flow_metric, unit = _GITHUB_METRICS[row["series"]]
        day = month_end(row["month"])
        common = {
            "framework": row["framework"],
            "date": day,
            "source_id": entry.source,
            "provenance": f"series/{entry.file}",
            "caveat": caveat,
        }
        yield DataPoint(
            metric=total_metric,
            value=float(row["total_at_month_end"]),
            unit=unit,
            series=f"{entry.file}:{row['framework']}:{total_metric}",
            **common,
        )
        yield DataPoint(
            metric=flow_metric,
            value=float(row["new_in_month"]),
            unit=f"new {unit}",
            series=f"{entry.file}:{row['framework']}:{flow_metric}",
            **common,
        )


def _share(part: int, other: int) -> float:
    return round(100.0 * part / (part + other), 2)


def _conference_papers(entry: SeriesFile, path: Path) -> Iterator[DataPoint]:
    caveat = entry.caveats[0] if entry.caveats else None
    pooled: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in _rows(path):
        pt, tf = int(row["pytorch_only_papers"]), int(row["tensorflow_only_papers"])
        day = month_end(row["month"])
        pooled[day.year][0] += pt
        pooled[day.year][1] += tf
        if pt + tf == 0:
            continue
        for framework, mine, theirs in (("pytorch", pt, tf), ("tensorflow", tf, pt)):
            yield DataPoint(
                metric="conference-share",
                framework=framework,
                segment=row["conference"],
                date=day,
                value=_share(mine, theirs),
                unit="% of papers naming one framework",
                source_id=entry.source,
                series=f"{entry.file}:{framework}:conference-share:{row['conference']}",
                provenance=f"series/{entry.file} ({row['conference']} {row['month']})",
                caveat=caveat,
            )
    # The headline series pools every conference held in a year, as the study's overview does.
    for year, (pt, tf) in sorted(pooled.items()):
        if pt + tf == 0:
            continue
        for framework, mine, theirs in (("pytorch", pt, tf), ("tensorflow", tf, pt)):
            yield DataPoint(
                metric="conference-share",
                framework=framework,
                date=date(year, 12, 31),
                value=_share(mine, theirs),
                unit="% of papers naming one framework",
                source_id=entry.source,
                series=f"{entry.file}:{framework}:conference-share",
                provenance=f"series/{entry.file} (all conferences of {year}, pooled)",
                caveat=caveat,
            )


_READERS = {"github-history": _github_history, "conference-papers": _conference_papers}


def read_series(entry: SeriesFile, path: Path) -> list[DataPoint]:
    """All data points of one shipped series file."""
    return list(_READERS[entry.format](entry, path))
