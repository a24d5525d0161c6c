"""Helpers every series reader shares: CSV rows, month ends, and one point with its provenance."""

from __future__ import annotations

import calendar
import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from bot.models import DataPoint, SeriesFile

# Metrics counted per month rather than as running totals: a claim about a longer period
# is checked against the sum of the months it covers.
FLOW_METRICS = frozenset({"github-new-stars", "github-new-forks"})

# The qualifiers the data files use, in the knowledge base's words (Figure.qualifier).
QUALIFIERS = {
    "exact": "exact",
    "stated": "exact",
    "over": "over",
    "more_than": "over",
    "at_least": "at-least",
    "approx": "about",
}
FLOORS = frozenset({"over", "at-least"})


def month_end(month: str) -> date:
    """Last day of a 'YYYY-MM' month: a month-end total is dated there."""
    year, mon = (int(part) for part in month.split("-"))
    return date(year, mon, calendar.monthrange(year, mon)[1])


def period_end(text: str) -> date:
    """The last day a 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' string can mean."""
    text = text.strip()[:10]
    if len(text) == 4:
        return date(int(text), 12, 31)
    if len(text) == 7:
        return month_end(text)
    return date.fromisoformat(text)


def rows(path: Path) -> Iterator[dict[str, str]]:
    """The file's data rows as dicts (header names as keys)."""
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def first_caveat(entry: SeriesFile) -> str | None:
    return entry.caveats[0] if entry.caveats else None


def cite(repo: str | None, path: str | None, commit: str | None) -> str:
    """'owner/repo path @ 1234567890ab': the short human form of a row's provenance."""
    parts = [p for p in (repo, path) if p]
    where = " ".join(parts)
    return f"{where} @ {commit[:12]}" if commit else where


def point(entry: SeriesFile, line: int, **fields: Any) -> DataPoint:
    """A data point of ``entry``; its provenance names the file and line, then the row's source."""
    fields.setdefault("source_id", entry.source)
    fields.setdefault("caveat", first_caveat(entry))
    origin = cite(fields.get("repo"), fields.get("path"), fields.get("commit"))
    where = f"series/{entry.file} line {line}"
    fields["provenance"] = f"{where}: {origin}" if origin else where
    return DataPoint(**fields)
