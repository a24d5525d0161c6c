"""Research shares: conference papers naming one framework, and Papers with Code figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from bot.models import DataPoint, SeriesFile
from bot.series.common import month_end, period_end, point, rows

_ONE_FRAMEWORK = "% of papers naming one framework"


def _share(part: int, other: int) -> float:
    return round(100.0 * part / (part + other), 2)


def conference_papers(entry: SeriesFile, path: Path) -> Iterator[DataPoint]:
    """Per conference and pooled per year: each framework's share of one-framework papers."""
    pooled: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    lines: dict[int, list[int]] = defaultdict(list)
    for line, row in enumerate(rows(path), start=2):
        pt, tf = int(row["pytorch_only_papers"]), int(row["tensorflow_only_papers"])
        day = month_end(row["month"])
        pooled[day.year][0] += pt
        pooled[day.year][1] += tf
        lines[day.year].append(line)
        if pt + tf == 0:
            continue
        for framework, mine, theirs in (("pytorch", pt, tf), ("tensorflow", tf, pt)):
            yield point(
                entry,
                line,
                metric="conference-share",
                framework=framework,
                segment=row["conference"],
                date=day,
                value=_share(mine, theirs),
                unit=_ONE_FRAMEWORK,
                series=f"{entry.file}:{framework}:conference-share:{row['conference']}",
                method="papers naming one framework",
            )
    # The headline series pools every conference held in a year, as the study's overview does.
    for year, (pt, tf) in sorted(pooled.items()):
        if pt + tf == 0:
            continue
        for framework, mine, theirs in (("pytorch", pt, tf), ("tensorflow", tf, pt)):
            yield point(
                entry,
                lines[year][0],
                metric="conference-share",
                framework=framework,
                date=date(year, 12, 31),
                value=_share(mine, theirs),
                unit=_ONE_FRAMEWORK,
                series=f"{entry.file}:{framework}:conference-share",
                method=f"papers naming one framework, all conferences of {year} pooled",
            )


def research_share(entry: SeriesFile, path: Path) -> Iterator[DataPoint]:
    """Papers with Code implementation shares as a report restated them, each with its base."""
    for line, row in enumerate(rows(path), start=2):
        framework = row["framework"]
        yield point(
            entry,
            line,
            metric="paper-share",
            framework=framework,
            date=period_end(row["source_date"]),
            value=float(row["share_pct"]),
            unit="% of papers",
            segment=entry.segments.get("base", row["base"]),
            series=f"{entry.file}:{framework}:paper-share",
            method=row["evidence_grade"],
            quote=row["quote"],
            path=row["source"],
        )
