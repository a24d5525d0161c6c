"""Rows both backends share: point columns, point ⇄ row, and the knowledge base as rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from bot.knowledge import KnowledgeBase
from bot.models import DataPoint
from bot.series import read_series

POINT_COLUMNS = (
    "metric",
    "framework",
    "segment",
    "date",
    "value",
    "value_high",
    "qualifier",
    "unit",
    "source_id",
    "series",
    "provenance",
    "origin",
    "fetched_at",
    "caveat",
)
POINT_SELECT = ", ".join(POINT_COLUMNS)


def point_values(point: DataPoint) -> list[Any]:
    """A point as column values in POINT_COLUMNS order (dates as ISO text, both backends cast)."""
    data = point.model_dump()
    data["date"] = point.date.isoformat()
    data["fetched_at"] = point.fetched_at.isoformat() if point.fetched_at else None
    return [data[column] for column in POINT_COLUMNS]


def row_to_point(row: Sequence[Any]) -> DataPoint:
    """A row in POINT_COLUMNS order (ISO text from SQLite, typed values from PostgreSQL)."""
    values = dict(zip(POINT_COLUMNS, row, strict=True))
    day, fetched = values["date"], values["fetched_at"]
    values["date"] = day if isinstance(day, date) else date.fromisoformat(day)
    if isinstance(fetched, str):
        values["fetched_at"] = datetime.fromisoformat(fetched) if fetched else None
    values["qualifier"] = values["qualifier"] or "exact"
    # Rows were validated on the way in; constructing without re-validating keeps reads fast.
    return DataPoint.model_construct(**values)


def claim_points(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    """The dated figures of every claim, as point rows."""
    for claim in kb.claims.values():
        for index, fig in enumerate(claim.figures):
            if fig.framework is None:
                continue
            yield {
                "metric": fig.metric,
                "framework": fig.framework,
                "segment": fig.segment or "",
                "date": fig.as_of.end.isoformat(),
                "value": fig.value,
                "value_high": fig.value_high,
                "qualifier": fig.qualifier,
                "unit": fig.unit,
                "source_id": claim.source,
                "series": f"claim:{claim.id}:{index}",
                "provenance": f"claim:{claim.id}",
                "origin": "knowledge",
                "fetched_at": None,
                "caveat": claim.caveats[0] if claim.caveats else None,
            }


def series_points(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    """Every row of the shipped series files, as point rows."""
    for entry in kb.series:
        for point in read_series(entry, kb.series_path(entry)):
            yield point.model_dump(mode="json")


def knowledge_points(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    """Claim figures, then series rows."""
    yield from claim_points(kb)
    yield from series_points(kb)


def knowledge_rows(kb: KnowledgeBase) -> dict[str, list[dict[str, Any]]]:
    """The knowledge tables' rows (points apart), keyed by table."""
    return {
        "frameworks": [
            {"slug": f.slug, "body": f.model_dump_json()} for f in kb.frameworks.values()
        ],
        "metrics": [{"slug": m.slug, "body": m.model_dump_json()} for m in kb.metrics.values()],
        "sources": [
            {"id": s.id, "origin": "knowledge", "body": s.model_dump_json()}
            for s in kb.sources.values()
        ],
        "claims": [
            {
                "id": c.id,
                "source_id": c.source,
                "statement": c.statement,
                "topics": " ".join(t.replace("-", " ") for t in c.topics),
                "caveats": " ".join(c.caveats),
                "origin": "knowledge",
                "body": c.model_dump_json(),
            }
            for c in kb.claims.values()
        ],
    }
