"""The data behind an answer as CSV (the *Data (CSV)* button; later `fwtrend ask --csv`)."""

from __future__ import annotations

import csv
import io

from bot.models import Answer

COLUMNS = ("framework", "metric", "date", "value", "unit", "source", "provenance")


def answer_csv(answer: Answer) -> str:
    """One row per figure of ``answer``: what was shown, with its date, source and provenance.

    Pure: the same answer always gives the same text, so the stored answer a button refers to
    exports exactly what the user saw.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for fig in answer.figures:
        writer.writerow(
            [
                fig.framework,
                fig.metric,
                fig.as_of.isoformat(),
                _number(fig.value),
                fig.unit,
                fig.source.id,
                fig.provenance,
            ]
        )
    return out.getvalue()


def _number(value: float) -> str:
    # 101967.0 → "101967": counts read as counts; shares keep their decimals.
    return str(int(value)) if value.is_integer() else repr(value)
