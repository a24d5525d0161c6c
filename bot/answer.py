"""Turn a question into an Answer from the store and the knowledge base; no Slack, no network."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from bot.evidence import (
    compute_change,
    cross_checks,
    disagreements,
    headline,
    is_claim,
    series_of,
)
from bot.formatting import format_change, format_day, format_figure, format_number
from bot.helptext import HELP_EXAMPLES, PERIOD_HELP
from bot.models import (
    Answer,
    ChartBar,
    ChartSeries,
    ChartSpec,
    Claim,
    ClaimOut,
    DataPoint,
    ErrorInfo,
    FigureOut,
    Note,
    Query,
    SourceRef,
    TableRow,
)
from bot.periods import describe_age, format_period
from bot.query import QueryError, Vocabulary, parse_query
from bot.series import FLOW_METRICS
from bot.store import LIVE_VERSION, Store

MAX_CLAIMS = 6
ALL_LABEL = "All (site-wide)"


class Engine:
    """Answers questions from one open store; build it once, ask many times."""

    def __init__(self, store: Store, today: date | None = None, stale_after_days: int = 14):
        self.store = store
        self._pinned_today = today
        self.stale_after = timedelta(days=stale_after_days)
        self.frameworks = store.frameworks()
        self.metrics = store.metrics()
        self.sources = store.sources()
        self._live_version = store.meta(LIVE_VERSION)
        self.claims = store.claims()
        topics = {t for claim in self.claims.values() for t in claim.topics}
        self.vocab = Vocabulary(self.frameworks, self.metrics, topics)

    @property
    def today(self) -> date:
        """The pinned date, or the real one: a long-running server must not freeze at start."""
        return self._pinned_today or date.today()

    # ------------------------------------------------------------ entry points

    def ask(self, text: str) -> Answer:
        """Answer free text; bad input gives an Answer with ok=False and an error."""
        try:
            return self.answer(self.parse(text))
        except QueryError as exc:
            return self.error_answer(exc.info)

    def parse(self, text: str) -> Query:
        """Only understand the question (fast, no store reads); raises QueryError."""
        return parse_query(text, self.vocab, self.today)

    def error_answer(self, error: ErrorInfo) -> Answer:
        """The answer to a question that could not be understood."""
        return Answer(
            ok=False, title="Sorry, I couldn't answer that", error=error, generated_on=self.today
        )

    def answer(self, query: Query) -> Answer:
        """Answer a parsed query."""
        self._follow_refreshes()
        handler = {
            "help": self._help,
            "sources": self._sources,
            "metrics": self._metrics,
            "frameworks": self._frameworks,
            "claims": self._claims,
            "search": self._search,
            "figures": self._figures,
            "compare": self._compare,
        }[query.kind]
        answer = handler(query)
        answer.query = query
        answer.generated_on = self.today
        return answer

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

    def _figure_out(self, point: DataPoint) -> FigureOut:
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
            as_of_label=claim_label or _point_label(point),
            segment=point.segment,
            source=self.source_ref(point.source_id),
            provenance=point.provenance,
            origin=point.origin,
            fetched_at=point.fetched_at,
            stale=stale,
            caveat=point.caveat,
        )

    def _cite(self, answer: Answer) -> Answer:
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

    # ------------------------------------------------------------ figures

    def _claim_periods(self, points: Iterable[DataPoint]) -> dict[str, tuple[date, date]]:
        periods = {}
        for point in points:
            if is_claim(point):
                claim_id, index = point.series.split(":")[1:3]
                as_of = self.claims[claim_id].figures[int(index)].as_of
                periods[point.series] = (as_of.start, as_of.end)
        return periods

    def _figures(self, query: Query) -> Answer:
        assert query.metric is not None
        metric = self.metrics[query.metric]
        frameworks = query.frameworks or self.store.frameworks_with(metric.slug)
        end = query.window.end if query.window else None
        points = self.store.points(metric.slug, frameworks, end=end)
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
            fig = self._figure_out(best)
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
            self.framework_name(f)
            for f in frameworks
            if f not in {fig.framework for fig in figures}
        ]
        if not figures:
            raise QueryError(
                f"I have no {metric.label} figures for {', '.join(missing) or 'any framework'}"
                f"{' in ' + query.window.text if query.window else ''}.",
                [f"{f} {metric.slug}" for f in self.store.frameworks_with(metric.slug)][:4],
            )
        claim_points = [p for p in points if is_claim(p)]
        periods = self._claim_periods(claim_points)
        measured = [p for p in points if not is_claim(p)]
        notes = disagreements(claim_points, periods, metric, self.sources)
        notes += cross_checks(claim_points, periods, measured, self.sources)
        if missing:
            notes.append(
                Note(kind="caveat", text=f"No {metric.label} figures for {', '.join(missing)}.")
            )
        notes += self._caveats(figures, metric.caveat)
        claims = self._related_claims(metric.slug, frameworks, query.terms)
        answer = Answer(
            ok=True,
            title=f"{metric.label}: {', '.join(f.framework_name for f in figures)}",
            summary=self._summary(figures),
            figures=figures,
            claims=claims,
            notes=notes,
            metric_label=metric.label,
            metric_definition=metric.definition,
            chart=self._chart(metric.label, metric.unit, figures, lines),
        )
        return self._cite(answer)

    def _caveats(self, figures: Sequence[FigureOut], metric_caveat: str | None) -> list[Note]:
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

    def _summary(self, figures: Sequence[FigureOut]) -> str:
        parts = []
        for fig in figures:
            text = f"{fig.framework_name}: {format_figure(fig)}"
            if fig.change:
                text += f", {format_change(fig.change)}"
            parts.append(text)
        return "; ".join(parts)

    def _chart(
        self, label: str, unit: str, figures: Sequence[FigureOut], lines: list[ChartSeries]
    ) -> ChartSpec | None:
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

    def _related_claims(
        self, metric: str | None, frameworks: Sequence[str], terms: Sequence[str]
    ) -> list[ClaimOut]:
        ranked = self.store.search_claims(terms) if terms else []
        chosen: list[Claim] = [self.claims[c] for c in ranked if c in self.claims]
        for claim in self.claims.values():
            if any(
                f.metric == metric
                and (f.framework in frameworks or not frameworks or f.framework is None)
                for f in claim.figures
            ):
                if claim not in chosen:
                    chosen.append(claim)
        if not ranked:
            chosen.sort(key=lambda c: self.sources[c.source].published.end, reverse=True)
        return [self.claim_out(c) for c in chosen[:MAX_CLAIMS]]

    # ------------------------------------------------------------ compare

    def _compare(self, query: Query) -> Answer:
        if query.metric:
            return self._figures(query)
        figures: list[FigureOut] = []
        for slug in self.metrics:
            picks = [headline(self.store.latest(slug, fw)) for fw in query.frameworks]
            if all(picks):
                figures += [self._figure_out(p) for p in picks if p is not None]
        names = " vs ".join(self.frameworks[f].name for f in query.frameworks)
        if not figures:
            raise QueryError(f"No metric has figures for all of {names}.", ["metrics"])
        answer = Answer(
            ok=True,
            title=f"{names}: every shared metric",
            figures=figures,
            summary=f"{len(figures) // len(query.frameworks)} metrics compared.",
            claims=self._related_claims(None, query.frameworks, list(query.frameworks)),
        )
        return self._cite(answer)

    # ------------------------------------------------------------ claims and search

    def _claims(self, query: Query) -> Answer:
        chosen = self._filter_claims(query)
        if not chosen:
            raise QueryError(
                f"No claims match {query.understood!r}.",
                sorted({t for c in self.claims.values() for t in c.topics})[:8],
            )
        answer = Answer(
            ok=True,
            title=f"Claims: {query.understood}",
            summary=f"{len(chosen)} claims, newest sources first.",
            claims=[self.claim_out(c) for c in chosen],
        )
        return self._cite(answer)

    def _filter_claims(self, query: Query) -> list[Claim]:
        claims = list(self.claims.values())
        if query.topic:
            claims = [c for c in claims if query.topic in c.topics]
        if query.frameworks:
            claims = [c for c in claims if _mentions(c, query.frameworks, self.vocab)]
        if query.metric:
            claims = [c for c in claims if any(f.metric == query.metric for f in c.figures)]
        free = [t for t in query.terms if t != query.topic]
        if free:
            ranked = self.store.search_claims(free, limit=50)
            keep = {c.id for c in claims}
            claims = [self.claims[c] for c in ranked if c in keep]
        else:
            claims.sort(key=lambda c: self.sources[c.source].published.end, reverse=True)
        return claims

    def _search(self, query: Query) -> Answer:
        claims = self._filter_claims(query)[:MAX_CLAIMS]
        if not claims:
            raise QueryError(
                f"I found nothing about {' '.join(query.terms) or query.text!r}.",
                [example for example, _ in HELP_EXAMPLES[:3]],
            )
        answer = Answer(
            ok=True,
            title=f"What the sources say: {query.understood}",
            summary=f"{len(claims)} related claims.",
            claims=[self.claim_out(c) for c in claims],
        )
        return self._cite(answer)

    # ------------------------------------------------------------ listings

    def _help(self, query: Query) -> Answer:
        rows = [TableRow(key=example, label=what) for example, what in HELP_EXAMPLES]
        return Answer(
            ok=True,
            title="fwtrend: where the deep-learning frameworks stand",
            summary=PERIOD_HELP,
            rows=rows,
        )

    def _sources(self, query: Query) -> Answer:
        refs = sorted(
            (self.source_ref(s) for s in self.sources), key=lambda s: s.published, reverse=True
        )
        rows = [TableRow(key=r.id, label=r.title, detail=self.sources[r.id].summary) for r in refs]
        return Answer(
            ok=True, title="Sources", summary=f"{len(refs)} sources.", rows=rows, sources=refs
        )

    def _metrics(self, query: Query) -> Answer:
        coverage = self.store.metric_coverage()
        rows = []
        for m in self.metrics.values():
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

    def _frameworks(self, query: Query) -> Answer:
        rows = [
            TableRow(key=f.slug, label=f.name, detail="also: " + ", ".join(f.aliases))
            for f in self.frameworks.values()
        ]
        return Answer(ok=True, title="Frameworks", summary=f"{len(rows)} frameworks.", rows=rows)


def _point_label(point: DataPoint) -> str:
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


def _mentions(claim: Claim, frameworks: Sequence[str], vocab: Vocabulary) -> bool:
    if any(f.framework in frameworks or f.relative_to in frameworks for f in claim.figures):
        return True
    text = claim.statement.lower()
    return any(vocab.frameworks[fw].name.lower() in text for fw in frameworks)
