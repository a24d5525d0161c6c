"""The points an answer stands on, as rows for `fwtrend ask --csv` and the Data (CSV) button."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from bot.models import DataPoint, DataRow


def data_rows(points: Iterable[DataPoint], role: Literal["figure", "history"]) -> list[DataRow]:
    """One row per point: a figure shown, or a history point its trend or chart is drawn from."""
    return [
        DataRow(
            role=role,
            framework=p.framework,
            metric=p.metric,
            date=p.date,
            value=p.value,
            value_high=p.value_high,
            qualifier=p.qualifier,
            unit=p.unit,
            segment=p.segment,
            source=p.source_id,
            provenance=p.provenance,
        )
        for p in points
    ]


def unique_rows(rows: Iterable[DataRow]) -> list[DataRow]:
    """Rows without repeats; a point shown as a figure is not listed again as history."""
    seen: dict[tuple[str, str, str, object, str, str], DataRow] = {}
    for row in rows:
        key = (row.framework, row.metric, row.segment, row.date, row.source, row.provenance)
        if key not in seen or row.role == "figure":
            seen[key] = row
    return sorted(seen.values(), key=lambda r: (r.metric, r.framework, r.date, r.role))
