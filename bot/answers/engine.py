"""The answer engine: parses each question and routes its Query to its answer kind."""

from __future__ import annotations

from datetime import date

from bot.answers.desk import Desk
from bot.answers.kinds import KINDS
from bot.answers.overview import overview_instead
from bot.models import Answer, ErrorInfo, Query
from bot.recent import Recent
from bot.store import Store
from bot.understand import QueryError, parse_query

ANSWERS_KEPT = 128  # recent answers kept per engine (a few KB each)

# Kinds that answer about no framework, or are already the last resort.
_NO_FALLBACK = frozenset({"help", "sources", "metrics", "frameworks", "overview"})


class Engine(Desk):
    """Answers questions from one open store; build it once, ask many times.

    The kinds get the engine as their Desk (desk.py): they use its store and helpers, and
    never route, so no kind imports this module.
    """

    def __init__(
        self,
        store: Store,
        today: date | None = None,
        stale_after_days: int = 14,
        *,
        cache_answers: bool = True,
    ):
        super().__init__(store, today, stale_after_days)
        # Answers to recent queries: an answer depends only on the query, the store and the
        # date, and the store changes only on a refresh, which clears this (_follow_refreshes).
        # Popular questions come back all day; each costs ~10 ms of CPU an answer worker
        # could spend on the next one.
        self._answers: Recent[str, Answer] = Recent(ANSWERS_KEPT)
        self._cache_answers = cache_answers  # off where the work itself is measured

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
        """Answer a parsed query: the engine only routes, each kind lives in its own module."""
        self._follow_refreshes()
        if not self._cache_answers:
            return self._answer(query)
        key = f"{self.today.isoformat()} {query.model_dump_json()}"
        kept = self._answers.get(key)
        if kept is not None:
            # Shared, not copied: an answer is finished once the engine returns it (nothing
            # downstream changes one, a test checks), and a deep copy of one with its history
            # (100-200 KB) cost more than answering afresh.
            return kept
        answer = self._answer(query)
        self._answers.put(key, answer)
        return answer

    def _answer(self, query: Query) -> Answer:
        try:
            answer = KINDS[query.kind](self, query)
        except QueryError as exc:
            if not query.frameworks or query.kind in _NO_FALLBACK:
                raise
            # A question naming a framework never ends in "nothing": the least is its overview.
            answer = overview_instead(self, query, exc.info.message)
            query = query.model_copy(update={"kind": "overview", "view": None})
        answer.query = query
        answer.generated_on = self.today
        return answer

    def _follow_refreshes(self) -> None:
        version = self._live_version
        super()._follow_refreshes()
        if self._live_version != version:
            self._answers.clear()  # answered from the store as it was before the refresh
