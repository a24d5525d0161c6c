"""Figures for one metric: each framework's newest figure, its change, notes, claims and chart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.answers.claims import related_claims
from bot.evidence import compute_change, cross_checks, disagreements, headline, is_claim, series_of
from bot.formatting import format_change, format_figure
from bot.models import Answer, ChartBar, ChartSeries, ChartSpec, FigureOut, Note, Query
from bot.query import QueryError

if TYPE_CHECKING:
    from bot.answers.engine import Engine


def answer_figures(engine: Engine, query: Query) -> Answer:
    """The figures of one metric for the frameworks asked about (all that have it when none)."""
    assert query.metric is not None
    metric = engine.metrics[query.metric]
    frameworks = query.frameworks or engine.store.frameworks_with(metric.slug)
    end = query.window.end if query.window else None
    points = engine.store.points(metric.slug, frameworks, end=end)
    figures: list[FigureOut] = []
    lines: list[ChartSeries] = []
    for fw in frameworks:
        mine = [p for p in points if p.framework == fw]
        if query.window and query.window.start and query.window.end:
            # "in 2019": the figure must come from inside that period.
            mine = [p for p in mine if p.date >= query.window.start]
        best = headline(mine)
        if best is None:
            continue
        fig = engine.figure_out(best)
        series = series_of(mine, best.series)
        if len(series) < 2:
            # The newest word is a quoted figure; the trend comes from a measured series.
            trend = headline([p for p in mine if not is_claim(p) and not p.segment])
            if trend is not None:
                series = series_of(mine, trend.series)
        fig.change = compute_change(series, query.window)
        figures.append(fig)
        shown = [
            p
            for p in series
            if not (query.window and query.window.start) or p.date >= query.window.start
        ]
        if len(shown) >= 3:
            lines.append(
                ChartSeries(
                    label=fig.framework_name,
                    dates=[p.date for p in shown],
                    values=[p.value for p in shown],
                )
            )
    missing = [
        engine.framework_name(f) for f in frameworks if f not in {fig.framework for fig in figures}
    ]
    if not figures:
        raise QueryError(
            f"I have no {metric.label} figures for {', '.join(missing) or 'any framework'}"
            f"{' in ' + query.window.text if query.window else ''}.",
            [f"{f} {metric.slug}" for f in engine.store.frameworks_with(metric.slug)][:4],
        )
    claim_points = [p for p in points if is_claim(p)]
    periods = engine.claim_periods(claim_points)
    measured = [p for p in points if not is_claim(p)]
    notes = disagreements(claim_points, periods, metric, engine.sources)
    notes += cross_checks(claim_points, periods, measured, engine.sources)
    if missing:
        notes.append(
            Note(kind="caveat", text=f"No {metric.label} figures for {', '.join(missing)}.")
        )
    notes += figure_caveats(figures, metric.caveat)
    answer = Answer(
        ok=True,
        title=f"{metric.label}: {', '.join(f.framework_name for f in figures)}",
        summary=_summary(figures),
        figures=figures,
        claims=related_claims(engine, metric.slug, frameworks, query.terms),
        notes=notes,
        metric_label=metric.label,
        metric_definition=metric.definition,
        chart=figures_chart(metric.label, metric.unit, figures, lines),
    )
    return engine.cite(answer)


def figure_caveats(figures: Sequence[FigureOut], metric_caveat: str | None) -> list[Note]:
    """The metric's caveat, each figure's own caveat once, and a note per stale live figure."""
    notes = []
    texts = [metric_caveat] if metric_caveat else []
    texts += [f.caveat for f in figures if f.caveat]
    for text in dict.fromkeys(texts):
        notes.append(Note(kind="caveat", text=text))
    for fig in figures:
        if fig.stale:
            notes.append(
                Note(
                    kind="stale",
                    text=f"{fig.framework_name}: the live figure was "
                    f"fetched {fig.fetched_at:%Y-%m-%d} and may be out of date.",
                    source_ids=[fig.source.id],
                )
            )
    return notes


def _summary(figures: Sequence[FigureOut]) -> str:
    parts = []
    for fig in figures:
        text = f"{fig.framework_name}: {format_figure(fig)}"
        if fig.change:
            text += f", {format_change(fig.change)}"
        parts.append(text)
    return "; ".join(parts)


def figures_chart(
    label: str, unit: str, figures: Sequence[FigureOut], lines: list[ChartSeries]
) -> ChartSpec | None:
    """A line chart of the series shown, else bars when the figures share one unit."""
    names = {f.source.publisher or f.source.author or f.source.title for f in figures}
    footnote = "Source: " + "; ".join(sorted(names))
    as_of = max(f.as_of for f in figures).isoformat()
    if lines:
        return ChartSpec(
            kind="line", title=label, unit=unit, as_of=as_of, footnote=footnote, series=lines
        )
    units = {f.unit for f in figures}
    if len(figures) >= 2 and len(units) == 1:
        bars = [
            ChartBar(label=f.framework_name, value=f.value, note=f.as_of_label) for f in figures
        ]
        return ChartSpec(
            kind="bar", title=label, unit=units.pop(), as_of=as_of, footnote=footnote, bars=bars
        )
    return None
