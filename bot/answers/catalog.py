"""What fwtrend knows: help, and listings of its sources, metrics and frameworks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.formatting import format_number
from bot.helptext import HELP_EXAMPLES, PERIOD_HELP
from bot.models import Answer, Query, TableRow

if TYPE_CHECKING:
    from bot.answers.engine import Engine


def answer_help(engine: Engine, query: Query) -> Answer:
    """What fwtrend can be asked, with examples."""
    rows = [TableRow(key=example, label=what) for example, what in HELP_EXAMPLES]
    return Answer(
        ok=True,
        title="fwtrend: where the deep-learning frameworks stand",
        summary=PERIOD_HELP,
        rows=rows,
    )


def answer_sources(engine: Engine, query: Query) -> Answer:
    """Every source, newest first."""
    refs = sorted(
        (engine.source_ref(s) for s in engine.sources), key=lambda s: s.published, reverse=True
    )
    rows = [TableRow(key=r.id, label=r.title, detail=engine.sources[r.id].summary) for r in refs]
    return Answer(
        ok=True, title="Sources", summary=f"{len(refs)} sources.", rows=rows, sources=refs
    )


def answer_metrics(engine: Engine, query: Query) -> Answer:
    """Every metric with its unit and how many points the store holds for it."""
    coverage = engine.store.metric_coverage()
    rows = []
    for m in engine.metrics.values():
        count, newest = coverage.get(m.slug, (0, None))
        seen = f"{format_number(count)} points, newest {newest}" if count else "claims only"
        aliases = ", ".join(m.aliases[:5])
        rows.append(
            TableRow(
                key=m.slug,
                label=m.label,
                detail=f"{m.unit}; {seen}" + (f"; also: {aliases}" if aliases else ""),
            )
        )
    return Answer(ok=True, title="Metrics", summary=f"{len(rows)} metrics.", rows=rows)


def answer_frameworks(engine: Engine, query: Query) -> Answer:
    """Every framework with the names people use for it."""
    rows = [
        TableRow(key=f.slug, label=f.name, detail="also: " + ", ".join(f.aliases))
        for f in engine.frameworks.values()
    ]
    return Answer(ok=True, title="Frameworks", summary=f"{len(rows)} frameworks.", rows=rows)
