"""Hugging Face Hub model counts: exact counts and stated floors, never read as one another."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from bot.models import DataPoint, SeriesFile
from bot.series.common import QUALIFIERS, period_end, point, rows


def hub_models(entry: SeriesFile, path: Path) -> Iterator[DataPoint]:
    """One point per row; one series per kind of source, so floors and counts stay apart.

    A library that is a framework's tag (jax, keras) counts for that framework; other tags
    (transformers) are context for the whole Hub; `all` is the Hub total.
    """
    seen: set[tuple[str, str]] = set()
    for line, row in enumerate(rows(path), start=2):
        library = row["library"]
        framework = entry.frameworks.get(library, "all")
        metric = "hf-models" if library == "all" or library in entry.frameworks else None
        segment = "" if library == "all" else entry.segments.get(library, library)
        metric = metric or "hf-context-models"
        key = f"{entry.file}:{framework}:{metric}:{row['source_kind']}"
        if segment:
            key += f":{library}"
        day = period_end(row["date"])
        if (key, day.isoformat()) in seen:  # two pages of one source on one day
            key += f":{row['source_path']}"
        seen.add((key, day.isoformat()))
        origin = entry.row_sources[row["source"]]
        qualifier = QUALIFIERS[row["qualifier"]]
        yield point(
            entry,
            line,
            metric=metric,
            framework=framework,
            date=day,
            value=float(row["models"]),
            qualifier=qualifier,
            unit="models",
            segment=segment,
            source_id=origin.source,
            series=key,
            method=f"{origin.method}: {row['what_counted']}",
            excluded=entry.excluded.get(f"{row['date']}:{library}"),
            caveat=row["note"] or entry.caveats[0],
            repo=row["source"],
            path=row["source_path"],
            commit=row["commit"] or None,
            quote=row["quote"] or None,
        )
