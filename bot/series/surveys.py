"""Developer survey shares shipped as a file: each labelled by the respondents it is a share of."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from bot.models import DataPoint, SeriesFile
from bot.series.common import point, rows


def professional_2022(entry: SeriesFile, path: Path) -> Iterator[DataPoint]:
    """Stack Overflow 2022 shares of professional developers (never merged with all respondents)."""
    for line, row in enumerate(rows(path), start=2):
        framework = entry.frameworks[row["framework"]]
        yield point(
            entry,
            line,
            metric="survey-usage",
            framework=framework,
            date=date(int(row["year"]), 12, 31),
            value=float(row["share_pct"]),
            unit="% of respondents",
            segment=entry.segments["base"],
            series=f"{entry.file}:{framework}:survey-usage",
            method=f"{row['source_type']}: {row['base']}",
            path=row["source"],
        )
