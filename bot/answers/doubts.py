"""Doubts about a quoted source: its own figure on the same metric is contradicted elsewhere."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from bot.models import Note, SourceRef

if TYPE_CHECKING:
    from bot.answers.desk import Desk

# Verdicts that put an article's numbers on a metric in doubt.
DOUBTFUL = frozenset({"contradicted", "disagrees"})
_MEASURED_KINDS = frozenset({"dataset", "api"})


def doubt_notes(
    engine: Desk,
    metric: str,
    source: SourceRef,
    shown: str,
    already: Collection[str] = (),
    *,
    plural: bool = False,
) -> list[Note]:
    """Notes for figures of ``metric`` quoted from ``source`` (described by ``shown``) when the
    measured series contradict one of that source's own figures on the same metric.

    A figure no series can check (say, one framework's Hub count) is as doubtful as the
    source's checked total beside it; ``already`` holds claim ids whose verdict is shown anyway.
    """
    if source.kind in _MEASURED_KINDS:
        return []
    notes = []
    for verdict in engine.check_all():
        if (
            verdict.verdict in DOUBTFUL
            and verdict.metric == metric
            and verdict.claim_id not in already
            and engine.claims[verdict.claim_id].source == source.id
        ):
            notes.append(
                Note(
                    kind="disagreement",
                    text=f"{shown} {'come' if plural else 'comes'} from {source.title}, whose "
                    "own figure for the same "
                    f"metric is {verdict.verdict} by the measured series: {verdict.text}",
                    claim_ids=[verdict.claim_id],
                    source_ids=[source.id],
                )
            )
    return notes
