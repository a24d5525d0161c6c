"""The data behind an answer as CSV: for `fwtrend ask --csv` and the Data (CSV) button."""

from __future__ import annotations

import csv
import io

from bot.models import Answer, DataRow

COLUMNS = (
    "role",
    "framework",
    "metric",
    "date",
    "value",
    "value_high",
    "qualifier",
    "unit",
    "segment",
    "source",
    "provenance",
)


def _figure_rows(answer: Answer) -> list[DataRow]:
    # Answers that list no points of their own still stand on their figures.
    return [
        DataRow(
            role="figure",
            framework=f.framework,
            metric=f.metric,
            date=f.as_of,
            value=f.value,
            value_high=f.value_high,
            qualifier=f.qualifier,
            unit=f.unit,
            segment=f.segment,
            source=f.source.id,
            provenance=f.provenance,
        )
        for f in answer.figures
    ]


def answer_csv(answer: Answer) -> str:
    """Every point behind the answer, one per line under a header row, dates in ISO form."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in answer.data or _figure_rows(answer):
        values = row.model_dump(mode="json")
        writer.writerow([_cell(values[c]) for c in COLUMNS])
    return out.getvalue()


def _cell(value: object) -> object:
    # Counts are whole numbers: "101967", not "101967.0", so spreadsheets read them as typed.
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
