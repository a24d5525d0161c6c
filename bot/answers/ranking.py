"""The one sentence that answers "which has the most …": who leads on one metric, like for like."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from bot.answers.desk import point_label
from bot.answers.evidence import is_claim
from bot.formatting import format_number, format_value, join_and, ordinal
from bot.models import DataPoint
from bot.series import FLOORS

if TYPE_CHECKING:
    from bot.answers.desk import Desk

# (source id, day, base): measured together on one base, so comparable.
Snapshot = tuple[str, date, str]


def _snapshots(
    points: Sequence[DataPoint], primary: dict[str, str]
) -> dict[Snapshot, list[DataPoint]]:
    """Each snapshot's points, one per framework, largest first. Quoted claims, points left out
    of trends, a framework's side packages and the site-wide "all" are not ranked."""
    found: dict[Snapshot, dict[str, DataPoint]] = defaultdict(dict)
    for p in points:
        if is_claim(p) or p.excluded or p.framework == "all":
            continue
        main = primary.get(p.framework, "")
        if main and p.segment not in ("", main):
            continue  # a framework with a main package (PyPI) is ranked by that package
        found[(p.source_id, p.date, "" if main else p.segment)].setdefault(p.framework, p)
    return {key: sorted(ps.values(), key=lambda p: -p.value) for key, ps in found.items()}


def _amount(p: DataPoint, with_unit: bool) -> str:
    if with_unit or p.qualifier != "exact":
        return format_value(p.value, p.unit, p.qualifier, p.value_high)
    return format_number(p.value) + ("%" if p.unit.startswith("%") else "")


def rank_points(
    engine: Desk, points: Sequence[DataPoint], label: str, primary: dict[str, str]
) -> tuple[str, list[str]]:
    """('TensorFlow leads on GitHub stars: …', the frameworks in that order), from the newest
    snapshot that measured two or more frameworks the same way on the same day. A framework it
    lacks is told with its own newest figure, and where that stood on its day. ('', []) when
    no snapshot measured two frameworks together, or the leader's figure is only a floor."""
    snapshots = _snapshots(points, primary)
    shared = [key for key, ps in snapshots.items() if len(ps) >= 2]
    if not shared:
        return "", []
    ranked = snapshots[max(shared, key=lambda key: (key[1], len(snapshots[key])))]
    top, second = ranked[0], ranked[1]
    if top.qualifier in FLOORS:
        return "", []  # "over 5,000" leads nothing: the others could be anywhere above it

    frameworks = sorted({p.framework for p in points if p.framework in engine.frameworks})
    missing = [fw for fw in frameworks if fw not in {p.framework for p in ranked}]
    scope = "" if not missing else f"Of those counted together on {point_label(top)}, "
    name = engine.framework_name
    if top.value == second.value:
        lead = f"{name(top.framework)} and {name(second.framework)} tie on {label}"
    else:
        lead = f"{name(top.framework)} leads on {label}"
    behind = join_and([f"{name(p.framework)} ({_amount(p, False)})" for p in ranked[1:]])
    lead = f"{scope}{lead}: {_amount(top, True)}"
    lead += f"{'' if scope else ' on ' + point_label(top)}, ahead of {behind}."
    order = [p.framework for p in ranked]
    for fw in missing:
        mine = [(key, ps) for key, ps in snapshots.items() if any(p.framework == fw for p in ps)]
        if not mine:
            continue
        _, ps = max(mine, key=lambda item: item[0][1])
        own = next(p for p in ps if p.framework == fw)
        where = f", {ordinal(ps.index(own) + 1)} of {len(ps)} that day" if len(ps) > 1 else ""
        age = "older" if own.date < top.date else "from a count of its own"
        lead += (
            f" {name(fw)} is not in that count; its newest figure is {age}: "
            f"{_amount(own, True)} on {point_label(own)}{where}."
        )
        order.append(fw)
    return lead, order
