"""What a question is after, from its intents and what it names: the answer kind and view."""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import QueryIntent, QueryKind, QueryView
from bot.understand.scan import Scan
from bot.understand.vocabulary import Vocabulary

# Which intent names the question when several are present, most specific first.
PRECEDENCE: tuple[QueryIntent, ...] = (
    "why",
    "release",
    "who",
    "catchup",
    "verdict",
    "trend",
    "superlative",
    "popularity",
    "overview",
)


@dataclass(frozen=True)
class Route:
    """The answer kind a question gets, and how that answer should look."""

    kind: QueryKind
    metric: str | None = None
    view: QueryView | None = None
    intent: QueryIntent | None = None


def main_intent(scan: Scan) -> QueryIntent | None:
    """The intent that decides the answer."""
    return next((i for i in PRECEDENCE if i in scan.intents), None)


def _is_event(metric: str | None, vocab: Vocabulary) -> bool:
    # Year-valued metrics (release, adoption) date an event; they are no indicator to rank by.
    return metric is not None and vocab.metrics[metric].unit == "year"


def route(scan: Scan, vocab: Vocabulary) -> Route:
    """The answer a question gets, from what it names and what it is after."""
    intents = scan.intents
    metric = scan.metrics[0] if scan.metrics else None
    intent = main_intent(scan)
    if "why" in intents:
        return Route("search", metric, intent="why")
    release = vocab.lexicon.release_metrics
    if "release" in intents and release:
        versioned = any(fw in scan.versions for fw in scan.frameworks)
        slug = release.get("version" if versioned else "first") or next(iter(release.values()))
        return Route("figures", slug, intent="release")
    if "who" in intents:
        return Route("search", None if _is_event(metric, vocab) else metric, intent="who")
    if intent == "catchup" and not (metric and _is_event(metric, vocab)):
        # Is the gap to the one ahead closing: that metric's figures, or every indicator.
        if metric is not None:
            return Route("figures", metric, intent="catchup")
        return Route("scoreboard", view="standing", intent="catchup")
    if metric is not None and not (
        _is_event(metric, vocab) and intents & {"popularity", "verdict", "trend"}
    ):
        changing = bool(intents & {"trend", "verdict"})
        return Route("figures", metric, view="change" if changing else None, intent=intent)
    if not scan.frameworks and scan.unknown:
        # Words fwtrend doesn't know and no framework: the sources' claims, not a verdict.
        return Route("search", intent=intent)
    if intents & {"verdict", "trend"}:
        return Route("scoreboard", view="momentum", intent=intent)
    if intents & {"popularity", "superlative"} or len(scan.frameworks) >= 2:
        return Route("scoreboard", view="standing", intent=intent or "popularity")
    if scan.frameworks and ("overview" in intents or not (scan.topics or scan.unknown)):
        return Route("overview", intent="overview")
    if "overview" in intents and not (scan.topics or scan.unknown):
        return Route("scoreboard", view="standing", intent="overview")
    return Route("search", intent=intent)
