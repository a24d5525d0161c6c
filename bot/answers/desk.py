"""What every answer kind shares: the open store and knowledge, and helpers to name, date, cite."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from bot.answers.crosscheck import Verdict, check_claims
from bot.answers.evidence import is_claim
from bot.formatting import format_day
from bot.knowledge import ScoreboardConfig
from bot.models import (
    Answer,
    Claim,
    ClaimOut,
    DataPoint,
    FigureOut,
    Query,
    SourceRef,
)
from bot.periods import describe_age, format_period
from bot.series import FLOW_METRICS
from bot.store import LIVE_VERSION, SCOREBOARD, VOCABULARY, Store
from bot.understand import Vocabulary
from bot.understand.lexicon import Lexicon

MAX_CLAIMS = 6
# A negative monthly "new" count is not a move: more were removed than added that month.
_NEGATIVE = {
    "github-new-forks": "more un-forks than forks that month (deleted forks outnumber new ones)",
    "github-new-stars": "more un-stars than stars that month (removed stars outnumber new ones)",
}
ALL_LABEL = "All (site-wide)"

AnswerKind = Callable[["Desk", Query], Answer]


class Desk:
    """The store and knowledge one engine answers from, and the helpers every kind shares."""

    def __init__(
        self,
        store: Store,
        today: date | None = None,
        stale_after_days: int = 14,
    ):
        self.store = store
        self._pinned_today = today
        self.stale_after = timedelta(days=stale_after_days)
        self.frameworks = store.frameworks()
        self.metrics = store.metrics()
        self.sources = store.sources()
        self._live_version = store.meta(LIVE_VERSION)
        self.claims = store.claims()
        stored = store.meta(VOCABULARY)
        lexicon = Lexicon.model_validate_json(stored) if stored else None
        self.vocab = Vocabulary.build(self.frameworks, self.metrics, self.claims.values(), lexicon)
        # Every framework's points of a metric, for the scoreboard's many rows: a store only
        # changes on a refresh or a knowledge reload, which _follow_refreshes notices.
        self._metric_points: dict[str, list[DataPoint]] = {}
        self._checks: list[Verdict] | None = None  # the whole cross-check table, once
        self._digest = store.meta("knowledge_digest")
        config = store.meta(SCOREBOARD)
        # A store loaded before scoreboard.yaml existed has no families: no rows, not an error.
        self.scoreboard = (
            ScoreboardConfig.model_validate_json(config)
            if config
            else ScoreboardConfig.model_construct(families=[], stances=[], decline_terms=[])
        )

    @property
    def today(self) -> date:
        """The pinned date, or the real one: a long-running server must not freeze at start."""
        return self._pinned_today or date.today()

    # ------------------------------------------------------------ references

    def source_ref(self, source_id: str) -> SourceRef:
        """A source as answers cite it, with the age of its evidence."""
        if source_id not in self.sources:
            self._follow_refreshes()  # a refresh (maybe elsewhere) added this live source
        src = self.sources[source_id]
        return SourceRef(
            id=src.id,
            title=src.title,
            author=src.author,
            publisher=src.publisher,
            published=src.published.text,
            published_label=format_period(src.published),
            url=str(src.url) if src.url else None,
            kind=src.kind,
            age=describe_age(src.published.end, self.today),
        )

    def _follow_refreshes(self) -> None:
        # A refresh (in this process or another) may have added live sources; one indexed
        # read per answer tells.
        version = self.store.meta(LIVE_VERSION)
        if version != self._live_version:
            self.store.invalidate()
            self.sources = self.store.sources()
            self._live_version = version
            self._metric_points.clear()
            self._checks = None

    def metric_points(self, metric: str) -> list[DataPoint]:
        """All frameworks' points of one metric, oldest first, read once between refreshes."""
        if metric not in self._metric_points:
            self._metric_points[metric] = self.store.points(metric, list(self.frameworks))
        return self._metric_points[metric]

    def framework_name(self, slug: str) -> str:
        """A framework's name; site-wide live totals are stored under the pseudo-slug "all"."""
        framework = self.frameworks.get(slug)
        return framework.name if framework else ALL_LABEL if slug == "all" else slug

    def claim_out(self, claim: Claim) -> ClaimOut:
        """A claim as answers show it."""
        return ClaimOut(
            id=claim.id,
            statement=claim.statement,
            figures=claim.figures,
            source=self.source_ref(claim.source),
            caveats=claim.caveats,
            topics=claim.topics,
        )

    def figure_out(self, point: DataPoint) -> FigureOut:
        """A stored point as answers show it: named, cited, dated and flagged when stale."""
        claim_label = None
        if is_claim(point):
            claim_id, index = point.series.split(":")[1:3]
            claim_label = self.claims[claim_id].figures[int(index)].as_of.label
        stale = False
        if point.origin == "live" and point.fetched_at is not None:
            fetched = point.fetched_at
            if fetched.tzinfo is None:
                fetched = fetched.replace(tzinfo=UTC)
            now = datetime.combine(self.today, datetime.min.time(), tzinfo=UTC)
            stale = now - fetched > self.stale_after
        return FigureOut(
            framework=point.framework,
            framework_name=self.framework_name(point.framework),
            metric=point.metric,
            value=point.value,
            value_high=point.value_high,
            qualifier=point.qualifier,
            unit=point.unit,
            as_of=point.date,
            as_of_label=claim_label or point_label(point),
            segment=point.segment,
            source=self.source_ref(point.source_id),
            provenance=point.provenance,
            origin=point.origin,
            fetched_at=point.fetched_at,
            stale=stale,
            caveat=point.excluded or point.caveat,
            method=point.method,
            quote=point.quote,
            note=_NEGATIVE.get(point.metric) if point.value < 0 else None,
        )

    def cite(self, answer: Answer) -> Answer:
        """Fill the answer's source list from everything it shows, newest first."""
        seen: dict[str, SourceRef] = {}
        for fig in answer.figures:
            seen.setdefault(fig.source.id, fig.source)
        for claim in answer.claims:
            seen.setdefault(claim.source.id, claim.source)
        for note in answer.notes:
            for source_id in note.source_ids:
                if source_id not in seen and source_id in self.sources:
                    seen[source_id] = self.source_ref(source_id)
        answer.sources = sorted(seen.values(), key=lambda s: s.published, reverse=True)
        return answer

    def verdicts(self, points: Sequence[DataPoint]) -> list[Verdict]:
        """Every claim among ``points`` checked against the measured points among them."""
        claim_points = [p for p in points if is_claim(p) and p.framework != ""]
        measured = [p for p in points if not is_claim(p)]
        relative = {}
        for p in claim_points:
            claim_id, index = p.series.split(":")[1:3]
            fig = self.claims[claim_id].figures[int(index)]
            if fig.relative_to:
                relative[p.series] = fig.relative_to
        # A ratio ("twice PyTorch's") needs the other framework's series too.
        have = {p.framework for p in measured}
        for series, other in relative.items():
            if other not in have:
                metric = next(p.metric for p in claim_points if p.series == series)
                measured += self.store.points(metric, [other])
                have.add(other)
        names = {slug: fw.name for slug, fw in self.frameworks.items()}
        periods = self.claim_periods(claim_points)
        return check_claims(claim_points, periods, measured, self.metrics, names, relative)

    def check_all(self) -> list[Verdict]:
        """The whole cross-check table: every claimed figure against every overlapping series."""
        if self._checks is None:
            verdicts = []
            for metric in self.metrics:
                frameworks = self.store.frameworks_with(metric)
                verdicts += self.verdicts(self.store.points(metric, frameworks))
            self._checks = verdicts
        return list(self._checks)

    def claim_periods(self, points: Iterable[DataPoint]) -> dict[str, tuple[date, date]]:
        """The period each claim figure covers, by its point's series key."""
        periods = {}
        for point in points:
            if is_claim(point):
                claim_id, index = point.series.split(":")[1:3]
                as_of = self.claims[claim_id].figures[int(index)].as_of
                periods[point.series] = (as_of.start, as_of.end)
        return periods


def point_label(point: DataPoint) -> str:
    """When a measured point was true, as answers date it ('31 Jul 2026', 'Jul 2026' for a
    month's flow, or when a live figure was fetched)."""
    if point.origin == "live" and point.fetched_at is not None:
        # Live figures say when they were fetched, to the minute: that is their evidence date.
        at = point.fetched_at.astimezone(UTC)
        if point.date == at.date():
            return f"{format_day(at)}, fetched {at:%H:%M} UTC"
        return f"{point.date:%b %Y}, fetched {format_day(at)} {at:%H:%M} UTC"
    # A monthly flow ("new stars") describes the whole month, a total its last day.
    if point.metric in FLOW_METRICS:
        return f"{point.date:%b %Y}"
    return format_day(point.date)
