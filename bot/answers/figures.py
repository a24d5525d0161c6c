"""Figures for one metric: each framework's newest figure, its change, notes, claims and chart.

One honest figure per line: a figure's change comes from its own series; a quoted claim gets
no change from another series, the measured series is shown as its own line instead. Other
measurements of the same thing (snapshot vs rebuilt stars, other packages, other bases)
stand beside the headline, each with its method and base.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.answers.claims import related_claims
from bot.answers.crosscheck import verdict_notes
from bot.answers.data import data_rows, unique_rows
from bot.answers.doubts import doubt_notes
from bot.answers.evidence import (
    breaks_in,
    compute_change,
    disagreements,
    headline,
    is_claim,
    series_of,
    within,
)
from bot.answers.figure_chart import figures_chart, series_line
from bot.answers.gaps import gap_lead, races_from_figures
from bot.answers.ranking import rank_points
from bot.formatting import format_change, format_day, format_figure, join_and
from bot.models import (
    Answer,
    ChartBreak,
    ChartSeries,
    DataPoint,
    DataRow,
    DateWindow,
    FigureOut,
    Metric,
    Note,
    Query,
    SourceRef,
)
from bot.understand import QueryError

if TYPE_CHECKING:
    from bot.answers.desk import Desk

BESIDE_WITHIN = timedelta(days=2 * 365)  # older measurements are history, not a second view
MAX_BESIDE = 3
# Questions after a winner ("which has the most stars", "who leads in downloads"): the answer
# opens with who leads, and the figures follow in that order.
RANKING_INTENTS = frozenset({"superlative", "popularity"})


def _primary(engine: Desk, metric: str, framework: str) -> str:
    """The segment that stands for the framework: its main PyPI package for downloads."""
    fw = engine.frameworks.get(framework)
    if fw and metric.startswith("pypi") and fw.pypi_package:
        return fw.pypi_package
    return ""


def _comparable(point: DataPoint, metric: Metric, primary: str) -> bool:
    """A series that measures the whole framework (or a declared base), not a subset of it."""
    return point.segment in ("", primary) or metric.kind != "share" or bool(metric.base)


def _beside(
    mine: Sequence[DataPoint], best: DataPoint, metric: Metric, primary: str
) -> list[DataPoint]:
    """The newest point of each other measured series, recent enough to stand beside."""
    newest: dict[str, DataPoint] = {}
    for p in mine:
        if is_claim(p) or p.excluded or p.series == best.series:
            continue
        if not _comparable(p, metric, primary) or best.date - p.date > BESIDE_WITHIN:
            continue
        if p.series not in newest or p.date > newest[p.series].date:
            newest[p.series] = p
    return sorted(newest.values(), key=lambda p: (-p.date.toordinal(), p.series))[:MAX_BESIDE]


def _one_per_series(points: Sequence[DataPoint]) -> list[DataPoint]:
    seen: set[str] = set()
    out = []
    for p in points:
        if p.series not in seen:
            seen.add(p.series)
            out.append(p)
    return out


def _figure(engine: Desk, point: DataPoint, series: list[DataPoint], query: Query) -> FigureOut:
    fig = engine.figure_out(point)
    if not is_claim(point):
        fig.change = compute_change(series, query.window)
    return fig


def answer_figures(engine: Desk, query: Query) -> Answer:
    """The figures of one metric for the frameworks asked about (all that have it when none)."""
    assert query.metric is not None
    metric = engine.metrics[query.metric]
    frameworks = query.frameworks or engine.store.frameworks_with(metric.slug)
    end = query.window.end if query.window else None
    start = query.window.start if query.window else None
    points = engine.store.points(metric.slug, frameworks, end=end)
    asked = query.window
    around = None
    if asked is not None and asked.end is not None and not within(points, asked):
        # Nothing measured in the period (a year between two surveys, one past a series): the
        # nearest figures on either side answer better than no figure, and say so.
        around = _around(engine.store.points(metric.slug, frameworks), asked)
        if around is not None:
            query = query.model_copy(update={"window": around})
            start, end = around.start, around.end
            points = engine.store.points(metric.slug, frameworks, end=end)
    figures: list[FigureOut] = []
    lines: list[ChartSeries] = []
    breaks: list[ChartBreak] = []
    notes: list[Note] = []
    data: list[DataRow] = []
    for fw in frameworks:
        # "in 2019": the figure must come from inside that period.
        mine = within([p for p in points if p.framework == fw], query.window)
        primary = _primary(engine, metric.slug, fw)
        best = headline(mine, primary)
        if best is None:
            continue
        shown = [best]
        if is_claim(best):
            # A quoted figure keeps no change; the measured series is its own line.
            measured = headline([p for p in mine if not is_claim(p)], primary)
            if measured is not None and _comparable(measured, metric, primary):
                shown.append(measured)
        shown += _beside(mine, shown[-1], metric, primary)
        drawn_lines = []
        for point in _one_per_series(shown):
            series = series_of(mine, point.series)
            figures.append(_figure(engine, point, series, query))
            data += data_rows([point], "figure") + data_rows(series, "history")
            drawn_lines.append([p for p in series if not start or p.date >= start])
        for drawn in drawn_lines:
            name = engine.framework_name(fw)
            line = series_line(
                name, drawn, labelled=len(drawn_lines) > 1 and drawn is not drawn_lines[0]
            )
            if line is not None:
                lines.append(line)
                breaks += breaks_in(drawn)
        notes += _excluded_notes(mine, start, engine.framework_name)
        if primary and any(p.segment not in ("", primary) for p in mine):
            notes.append(_package_note(engine, fw, primary, mine))
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
    notes = disagreements(claim_points, periods, metric, engine.sources) + notes
    verdicts = engine.verdicts(points)
    names = {v.framework: engine.framework_name(v.framework) for v in verdicts}
    notes += verdict_notes(verdicts, engine.sources, names)
    checked = {v.claim_id for v in verdicts}
    # One doubt per article and date, naming every framework whose figure it gave: the same
    # contradicted total casts the same doubt on all of them.
    quoted: dict[tuple[str, str], tuple[SourceRef, list[str]]] = {}
    for fig in figures:
        if fig.provenance.startswith("claim:"):
            _, whose = quoted.setdefault((fig.source.id, fig.as_of_label), (fig.source, []))
            if fig.framework_name not in whose:
                whose.append(fig.framework_name)
    for (_, as_of), (source, whose) in quoted.items():
        owners = join_and([f"{name}'s" for name in whose])
        said = f"{owners} {metric.label} ({as_of})"
        notes += doubt_notes(engine, metric.slug, source, said, checked, plural=len(whose) > 1)
    notes += _break_notes(breaks)
    measured_on = [f.as_of for f in figures if not f.provenance.startswith("claim:")]
    if start and measured_on and max(measured_on) < start:
        # "last 6 months" past the newest data: the figures shown are from before the period.
        period = query.window.text if query.window and query.window.text else f"from {start}"
        notes.insert(
            0,
            Note(
                kind="stale",
                text=f"Nothing was measured in the period asked ({period}): the newest figures "
                f"are from {format_day(max(measured_on))}, before it began.",
            ),
        )
    if around is not None and asked is not None:
        notes.insert(0, _around_note(figures, asked))
    if missing:
        notes.append(
            Note(kind="caveat", text=f"No {metric.label} figures for {', '.join(missing)}.")
        )
    notes += figure_caveats(figures, metric.caveat)
    lead = ""
    if query.intent in RANKING_INTENTS and len({f.framework for f in figures}) >= 2:
        primaries = {fw: _primary(engine, metric.slug, fw) for fw in frameworks}
        lead, order = rank_points(engine, points, metric.label, primaries)
        # Each framework's figures stay together, the leader's first.
        figures.sort(key=lambda f: order.index(f.framework) if f.framework in order else len(order))
    if query.intent == "catchup":
        subject = query.frameworks[0] if query.frameworks else None
        chaser = engine.framework_name(subject) if subject else None
        lead = gap_lead(races_from_figures(metric.label, figures, subject), chaser)
    answer = Answer(
        ok=True,
        title=f"{metric.label}: {', '.join(dict.fromkeys(f.framework_name for f in figures))}",
        summary=_summary(figures),
        lead=lead,
        figures=figures,
        claims=related_claims(engine, metric.slug, frameworks, query.terms),
        notes=notes,
        metric_label=metric.label,
        metric_definition=metric.definition,
        chart=figures_chart(metric.label, metric.unit, figures, lines, breaks),
        data=unique_rows(data),
    )
    return engine.cite(answer)


def _around(points: Sequence[DataPoint], asked: DateWindow) -> DateWindow | None:
    """The period asked, widened to the nearest point before it and the nearest after it."""
    assert asked.end is not None
    first = asked.start or asked.end
    before = max((p.date for p in points if p.date < first), default=None)
    after = min((p.date for p in points if p.date > asked.end), default=None)
    if before is None and after is None:
        return None
    return DateWindow(start=before or asked.end, end=after or asked.end, text=asked.text)


def _around_note(figures: Sequence[FigureOut], asked: DateWindow) -> Note:
    """Say that the figures shown lie outside the period asked, and on which side."""
    assert asked.end is not None
    first = asked.start or asked.end
    sides = []
    for side, labels in (
        ("before it", [f.as_of_label for f in figures if f.as_of < first]),
        ("after it", [f.as_of_label for f in figures if f.as_of > asked.end]),
    ):
        if labels:
            sides.append(f"{side} ({join_and(list(dict.fromkeys(labels)))})")
    period = asked.text or f"to {format_day(asked.end)}"
    return Note(
        kind="stale",
        text=f"Nothing was measured in the period asked ({period}): these are the nearest "
        f"figures, from {' and '.join(sides)}.",
    )


def _excluded_notes(
    points: Sequence[DataPoint], start: date | None, name_of: Callable[[str], str]
) -> list[Note]:
    """Say which points were left out of the trend, and why, once per reason."""
    left_out: dict[str, list[DataPoint]] = {}
    for p in points:
        if p.excluded and (start is None or p.date >= start):
            left_out.setdefault(p.excluded, []).append(p)
    notes = []
    for reason, items in left_out.items():
        days = sorted({p.date for p in items})
        when = ", ".join(f"{d:%b %Y}" for d in days[:6]) + (" …" if len(days) > 6 else "")
        name = name_of(items[0].framework)
        count = f"{len(days)} point{'s' if len(days) > 1 else ''}"
        notes.append(Note(kind="caveat", text=f"{name}: {count} ({when}) {reason}."))
    return notes


def _package_note(engine: Desk, fw: str, primary: str, points: Sequence[DataPoint]) -> Note:
    others = sorted({p.segment for p in points if p.segment not in ("", primary)})
    return Note(
        kind="caveat",
        text=f"{engine.framework_name(fw)}: the headline counts the PyPI package {primary} "
        f"only; {', '.join(others)} are separate packages, shown as their own lines and "
        "never added in.",
    )


def _break_notes(breaks: Sequence[ChartBreak]) -> list[Note]:
    # The dates, and the rule the latest figures follow; what each rule was is the series'
    # own caveat (knowledge/series.yaml), so it is not spelled out twice.
    if not breaks:
        return []
    days = sorted({b.date for b in breaks})
    latest = max(breaks, key=lambda b: b.date).label.rpartition(" → ")[2]
    on = join_and([format_day(d) for d in days])
    return [
        Note(
            kind="break",
            text=f"The counting rule changed on {on} (now: {latest}). A change across such a "
            "break is not growth; changes shown start after the last break unless the period "
            "asked spans it.",
        )
    ]


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
