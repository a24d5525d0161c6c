"""Stack Overflow question counts per tag and site-wide; each source kept apart by source_id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from bot.models import DataPoint, SeriesFile
from bot.series.common import month_end, point, rows

SHARE_UNIT = "% of questions"


def monthly(entry: SeriesFile, path: Path) -> Iterator[DataPoint]:
    """Questions per tag and month; the share of all questions where the same source gives both.

    A month a source does not list (the top-100 source drops tags outside its top 100) gets no
    point at all, so no trend ever reads the gap as zero.
    """
    for line, row in enumerate(rows(path), start=2):
        framework = entry.frameworks.get(row["tag"])
        if framework is None:  # the python tag is context, not a framework
            continue
        origin = entry.row_sources[row["source_id"]]
        common = {
            "framework": framework,
            "date": month_end(row["month"]),
            "source_id": origin.source,
            "method": origin.method,
            "path": f"source_id {row['source_id']}",
        }
        questions = float(row["questions"])
        yield point(
            entry,
            line,
            metric="so-questions",
            value=questions,
            unit="questions",
            series=f"{entry.file}:{framework}:so-questions:{row['source_id']}",
            **common,
        )
        if row["site_total"]:
            # Numerator and denominator from the same snapshot: deletions shrink both alike.
            yield point(
                entry,
                line,
                metric="so-question-share",
                value=100.0 * questions / float(row["site_total"]),
                unit=SHARE_UNIT,
                series=f"{entry.file}:{framework}:so-question-share:{row['source_id']}",
                **common,
            )


def site_monthly(entry: SeriesFile, path: Path) -> Iterator[DataPoint]:
    """All questions asked on Stack Overflow per month, one series per source snapshot."""
    for line, row in enumerate(rows(path), start=2):
        origin = entry.row_sources[row["source_id"]]
        yield point(
            entry,
            line,
            metric="so-site-questions",
            framework="all",
            date=month_end(row["month"]),
            value=float(row["questions"]),
            unit="questions",
            source_id=origin.source,
            series=f"{entry.file}:all:so-site-questions:{row['source_id']}",
            method=origin.method,
            path=f"source_id {row['source_id']}",
        )


def yearly(entry: SeriesFile, path: Path) -> Iterator[DataPoint]:
    """Questions per tag and year, and the share of the year's questions where a source has it."""
    for line, row in enumerate(rows(path), start=2):
        framework = entry.frameworks.get(row["tag"])
        if framework is None:
            continue
        origin = entry.row_sources[row["source_id"]]
        partial = entry.excluded.get("partial") if row["partial_year"] == "yes" else None
        common = {
            "framework": framework,
            "date": date(int(row["year"]), 12, 31),
            "source_id": origin.source,
            "method": origin.method,
            "path": f"source_id {row['source_id']}",
            "excluded": partial,
        }
        questions = float(row["questions"])
        yield point(
            entry,
            line,
            metric="so-questions-yearly",
            value=questions,
            unit="questions/year",
            series=f"{entry.file}:{framework}:so-questions-yearly:{row['source_id']}",
            **common,
        )
        if row["year_total"]:
            yield point(
                entry,
                line,
                metric="so-question-share",
                value=100.0 * questions / float(row["year_total"]),
                unit=SHARE_UNIT,
                segment="questions asked in the year",
                series=f"{entry.file}:{framework}:so-question-share:{row['source_id']}",
                **common,
            )
