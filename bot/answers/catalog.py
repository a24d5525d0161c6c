"""What fwtrend knows: help, and listings of its sources, metrics and frameworks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.formatting import format_number
from bot.helptext import HELP_EXAMPLES, PERIOD_HELP
from bot.models import Answer, Query, SeriesCoverage, TableRow

if TYPE_CHECKING:
    from bot.answers.desk import Desk


def answer_help(engine: Desk, query: Query) -> Answer:
    """What fwtrend can be asked, with examples."""
    rows = [TableRow(key=example, label=what) for example, what in HELP_EXAMPLES]
    return Answer(
        ok=True,
        title="fwtrend: where the deep-learning frameworks stand",
        summary=PERIOD_HELP,
        rows=rows,
    )


def coverage_line(cov: SeriesCoverage, *, with_source: bool = False) -> str:
    """'jax 190 pts 2020-11-30→2025-06-26': one series' size and first and last date."""
    name = cov.segment if cov.segment and cov.segment.islower() else cov.framework
    if cov.segment and not cov.segment.islower():
        name += f" [{cov.segment}]"
    source = f" ({cov.source_id})" if with_source else ""
    return f"{name}{source} {cov.points:,} pts {cov.first}→{cov.last}"


def coverage_by_metric(series: list[SeriesCoverage]) -> str:
    """'github-stars: jax 318 pts …, pytorch …; github-forks: …' for one source's series."""
    groups: dict[str, list[str]] = {}
    for cov in series:
        groups.setdefault(cov.metric, []).append(coverage_line(cov))
    return "; ".join(f"{metric}: {', '.join(lines)}" for metric, lines in groups.items())


def answer_sources(engine: Desk, query: Query) -> Answer:
    """Every source, newest first, with the first and last date and size of each of its series."""
    refs = sorted(
        (engine.source_ref(s) for s in engine.sources), key=lambda s: s.published, reverse=True
    )
    by_source: dict[str, list[SeriesCoverage]] = {}
    for cov in engine.store.series_coverage():
        by_source.setdefault(cov.source_id, []).append(cov)
    rows = []
    for r in refs:
        detail = engine.sources[r.id].summary
        series = by_source.get(r.id, [])
        if series:
            detail += f" Series — {coverage_by_metric(series)}."
        rows.append(TableRow(key=r.id, label=r.title, detail=detail))
    return Answer(
        ok=True, title="Sources", summary=f"{len(refs)} sources.", rows=rows, sources=refs
    )


def answer_metrics(engine: Desk, query: Query) -> Answer:
    """Every metric with its unit and how many points the store holds for it."""
    coverage = engine.store.metric_coverage()
    by_metric: dict[str, list[SeriesCoverage]] = {}
    for cov in engine.store.series_coverage():
        by_metric.setdefault(cov.metric, []).append(cov)
    rows = []
    for m in engine.metrics.values():
        count, newest = coverage.get(m.slug, (0, None))
        seen = f"{format_number(count)} points, newest {newest}" if count else "claims only"
        series = by_metric.get(m.slug, [])
        if series:
            lines = [coverage_line(c, with_source=True) for c in series]
            seen += f"; series: {'; '.join(lines)}"
        aliases = ", ".join(m.aliases[:5])
        rows.append(
            TableRow(
                key=m.slug,
                label=m.label,
                detail=f"{m.unit}; {seen}" + (f"; also: {aliases}" if aliases else ""),
            )
        )
    return Answer(ok=True, title="Metrics", summary=f"{len(rows)} metrics.", rows=rows)


def answer_frameworks(engine: Desk, query: Query) -> Answer:
    """Every framework with the names people use for it."""
    rows = [
        TableRow(key=f.slug, label=f.name, detail="also: " + ", ".join(f.aliases))
        for f in engine.frameworks.values()
    ]
    return Answer(ok=True, title="Frameworks", summary=f"{len(rows)} frameworks.", rows=rows)
