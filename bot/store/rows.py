"""Rows both backends share: point columns, point ⇄ row, and the knowledge base as rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from bot.knowledge import KnowledgeBase
from bot.models import DataPoint, SeriesCoverage
from bot.series import read_series

SCOREBOARD = "scoreboard"  # meta key: knowledge/scoreboard.yaml as JSON, loaded with the rest
VOCABULARY = "vocabulary"  # meta key: knowledge/vocabulary.yaml as JSON

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
    # How a point was counted, why it stays out of trends, and where its row came from
    # (repository, path, commit, the source's own sentence): the series files' provenance.
    "method",
    "excluded",
    "repo",
    "path",
    "commit",
    "quote",
)


def sql_name(column: str) -> str:
    """A column name as SQL text: "commit" is a keyword in both SQLite and PostgreSQL."""
    return f'"{column}"' if column == "commit" else column


POINT_SELECT = ", ".join(sql_name(column) for column in POINT_COLUMNS)


def point_upsert_sql(placeholder: str) -> str:
    """Insert a point, or update the series' point of that date: the same SQL on both backends
    but for the parameter placeholder (``?`` or ``%s``)."""
    updates = ", ".join(
        f"{sql_name(c)} = excluded.{sql_name(c)}"
        for c in POINT_COLUMNS
        if c not in {"series", "date"}
    )
    values = ", ".join(placeholder for _ in POINT_COLUMNS)
    return (
        f"insert into points ({POINT_SELECT}) values ({values}) "
        f"on conflict (series, date) do update set {updates}"
    )


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
    values["method"] = values["method"] or ""
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
    """Claim figures, then series rows, each with every column (COPY takes the first row's)."""
    for row in claim_points(kb):
        yield {column: row.get(column) for column in POINT_COLUMNS}
    for row in series_points(kb):
        yield {column: row.get(column) for column in POINT_COLUMNS}


def knowledge_meta(kb: KnowledgeBase) -> dict[str, str]:
    """The meta entries a knowledge load writes beside the tables, on either backend."""
    meta = {
        "knowledge_digest": kb.digest,
        "knowledge_loaded_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        # The phrasing vocabulary travels with the rest of the knowledge, so every process
        # that answers from this store understands questions the same way.
        VOCABULARY: kb.vocabulary.model_dump_json(),
    }
    if kb.scoreboard is not None:
        meta[SCOREBOARD] = kb.scoreboard.model_dump_json()
    return meta


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


# Claim figures are single quotes, not series: coverage lists only measured history.
COVERAGE_SQL = (
    "select series, metric, framework, segment, source_id, count(*), min(date), max(date) "
    "from points where substr(series, 1, 6) <> 'claim:' "
    "group by series, metric, framework, segment, source_id order by metric, framework, series"
)


def coverage_from_row(row: Sequence[Any]) -> SeriesCoverage:
    """A COVERAGE_SQL row (ISO text from SQLite, dates from PostgreSQL) as a model."""
    first, last = (d if isinstance(d, date) else date.fromisoformat(d) for d in row[6:8])
    return SeriesCoverage(
        series=row[0],
        metric=row[1],
        framework=row[2],
        segment=row[3],
        source_id=row[4],
        points=row[5],
        first=first,
        last=last,
    )
