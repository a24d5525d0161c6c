"""Scoreboard rows: per indicator family, values from one source at one date, standing and trend."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from bot.answers.data import data_rows
from bot.answers.evidence import evidence_rank, headline, within
from bot.formatting import format_day
from bot.knowledge import ScoreFamily, TrendSpec
from bot.models import Change, DataPoint, DataRow, DateWindow, Direction, ScoreCell, ScoreRow
from bot.series import FLOW_METRICS

if TYPE_CHECKING:
    from bot.answers.desk import Desk

# A trend's first point may start this long after the look-back date and still count.
_START_SLACK_DAYS = 92
# Qualifiers under which values may be summed into shares: floors and ranges may not.
_SUMMABLE = {"exact", "about"}

GroupKey = tuple[str, str, str]


def group_key(point: DataPoint, own: frozenset[str] = frozenset()) -> GroupKey:
    """Values that may stand in one row: the same source, segment (population) and unit.

    A segment in ``own`` names the framework's own package or tag (torch, tensorflow): that is
    its main population, so it stands beside the other frameworks' main populations. Series
    files are not part of the key: one source's snapshot may be shipped in two files.
    """
    segment = "" if point.segment in own else point.segment
    return point.source_id, segment, point.unit


@dataclass
class _Pick:
    metric: str
    key: GroupKey
    day: date
    values: dict[str, DataPoint]
    history: dict[str, list[DataPoint]]


def _groups(
    points: Sequence[DataPoint], own: dict[str, frozenset[str]]
) -> dict[GroupKey, dict[date, dict[str, DataPoint]]]:
    groups: dict[GroupKey, dict[date, dict[str, DataPoint]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for point in points:
        key = group_key(point, own.get(point.framework, frozenset()))
        slot = groups[key][point.date]
        other = slot.get(point.framework)
        slot[point.framework] = point if other is None else headline([other, point]) or point
    return groups


def pick_values(
    points_by_metric: Sequence[tuple[str, Sequence[DataPoint]]],
    focus: Sequence[str],
    shown: Sequence[str],
    own: dict[str, frozenset[str]] | None = None,
) -> _Pick | None:
    """The source and date where the most focus frameworks have a value, newest first.

    Ties go to the more preferred metric, then the newer date, then more frameworks shown,
    then the whole population (no segment), then the better kind of evidence.
    """
    Score = tuple[int, int, date, int, bool, int]
    best: tuple[Score, str, GroupKey, dict[date, dict[str, DataPoint]], date] | None = None
    for index, (metric, points) in enumerate(points_by_metric):
        # A ratio to another framework ("2× PyTorch") is not a value to rank or sum.
        usable = [p for p in points if p.framework in shown and not _ratio(p.unit)]
        groups = _groups(usable, own or {})
        for key, by_day in groups.items():
            for day, values in by_day.items():
                mine = sum(fw in values for fw in focus)
                if not mine:
                    continue
                rank = min(evidence_rank(p) for p in values.values())
                score = (mine, -index, day, len(values), key[1] == "", -rank)
                if best is None or score > best[0]:
                    best = (score, metric, key, by_day, day)
    if best is None:
        return None
    _, metric, key, by_day, day = best
    return _Pick(metric, key, day, by_day[day], _history(by_day, by_day[day]))


def _ratio(unit: str) -> bool:
    return unit.startswith(("×", "x "))


def _history(
    by_day: dict[date, dict[str, DataPoint]], values: dict[str, DataPoint]
) -> dict[str, list[DataPoint]]:
    end = next(iter(values.values())).date
    return {
        fw: [by_day[d][fw] for d in sorted(by_day) if d <= end and fw in by_day[d]] for fw in values
    }


def own_names(engine: Desk) -> dict[str, frozenset[str]]:
    """Each framework's own names for itself in the data: slug, package, tags."""
    return {
        slug: frozenset(
            name
            for name in (slug, fw.pypi_package, fw.stackoverflow_tag, fw.hf_library_tag)
            if name
        )
        for slug, fw in engine.frameworks.items()
    }


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (clamped to the month's length)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, last)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def trend(history: Sequence[DataPoint], spec: TrendSpec) -> tuple[Direction | None, Change | None]:
    """Rising, falling or flat over the last ``spec.months``, from one series, with the change.

    Points left out of trends are skipped, and only the newest counting rule counts: a move
    across a change of method is not growth.
    """
    if not history:
        return None, None
    method = history[-1].method
    history = [p for p in history if not p.excluded and p.method == method]
    if len(history) < spec.average + 1:
        return None, None
    end_points = history[-spec.average :]
    target = months_before(history[-1].date, spec.months)
    later = [i for i, p in enumerate(history) if p.date >= target]
    if not later:
        return None, None
    first = later[0]
    start_points = history[first : first + spec.average]
    if (start_points[0].date - target).days > _START_SLACK_DAYS or start_points[-1].date >= (
        end_points[0].date
    ):
        return None, None
    start = sum(p.value for p in start_points) / len(start_points)
    end = sum(p.value for p in end_points) / len(end_points)
    absolute = end - start
    percent = None if start == 0 else 100.0 * absolute / abs(start)
    change = Change(
        start_date=start_points[-1].date,
        start_value=start,
        end_date=end_points[-1].date,
        end_value=end,
        absolute=absolute,
        percent=percent,
        unit=end_points[-1].unit,
    )
    if percent is None:
        return ("flat" if absolute == 0 else "rising" if absolute > 0 else "falling"), change
    if abs(percent) < spec.flat_pct:
        return "flat", change
    return ("rising" if percent > 0 else "falling"), change


def _two_years_before(day: date) -> date:
    return months_before(day, 24)


def build_row(
    engine: Desk,
    family: ScoreFamily,
    focus: Sequence[str],
    shown: Sequence[str],
    window: DateWindow | None = None,
) -> tuple[ScoreRow, list[DataRow]] | None:
    """The family's row for the frameworks shown and the points it stands on; None without data."""
    candidates = [
        (slug, within(engine.metric_points(slug), window))
        for slug in family.metrics
        if slug in engine.metrics
    ]
    chosen = pick_values(candidates, focus, shown, own_names(engine))
    if chosen is None:
        return None
    metric = engine.metrics[chosen.metric]
    sample = next(iter(chosen.values.values()))
    cells = [_cell(engine, family, chosen, fw) for fw in shown]
    present = [c for c in cells if c.figure is not None]
    _standing(family, present)
    missing = [c.framework for c in cells if c.figure is None]
    leader = next((c for c in present if c.rank == 1), None) if len(present) > 1 else None
    notes = []
    if family.direction.average > 1:
        notes.append(f"Trend: {family.direction.average}-month averages a year apart.")
    if missing:
        names = ", ".join(engine.framework_name(f) for f in missing)
        notes.append(f"No {names} figure in this source for {format_day(chosen.day)}.")
    figure = present[0].figure
    assert figure is not None
    since = months_before(chosen.day, family.direction.months + 1)
    used = [p for hist in chosen.history.values() for p in hist if p.date >= since]
    data = data_rows(chosen.values.values(), "figure") + data_rows(used, "history")
    row = ScoreRow(
        family=family.id,
        label=family.label,
        short=family.short,
        metric=metric.slug,
        unit=sample.unit,
        base=chosen.key[1] or sample.unit,
        source=figure.source,
        as_of=chosen.day,
        as_of_label=figure.as_of_label,
        old=chosen.day < _two_years_before(engine.today),
        adds_up=family.adds_up,
        leader=leader.framework if leader else None,
        cells=cells,
        missing=missing,
        note=" ".join(notes) or None,
    )
    return row, data


def _cell(engine: Desk, family: ScoreFamily, chosen: _Pick, fw: str) -> ScoreCell:
    name = engine.framework_name(fw)
    point = chosen.values.get(fw)
    if point is None:
        return ScoreCell(framework=fw, framework_name=name, note="not in this source at this date")
    figure = engine.figure_out(point)
    direction, change = trend(chosen.history[fw], family.direction)
    figure.change = change
    note = None
    if point.metric in FLOW_METRICS and point.value < 0:
        # Rebuilt histories only see what still exists: more removed than added that month.
        note = f"negative: more {point.unit} removed than added that month"
    return ScoreCell(
        framework=fw,
        framework_name=name,
        figure=figure,
        direction=direction,
        note=note,
    )


def _standing(family: ScoreFamily, present: list[ScoreCell]) -> None:
    """Rank every present cell, and give shares when the values add up."""
    figures = [c.figure for c in present if c.figure is not None]
    ordered = sorted(present, key=lambda c: -(c.figure.value if c.figure else 0))
    for rank, cell in enumerate(ordered, 1):
        cell.rank = rank
    summable = all(
        f.qualifier in _SUMMABLE and f.value_high is None and f.value >= 0 for f in figures
    )
    total = sum(f.value for f in figures)
    if family.adds_up and len(figures) > 1 and summable and total > 0:
        for cell in present:
            assert cell.figure is not None
            cell.share = round(100.0 * cell.figure.value / total, 1)
