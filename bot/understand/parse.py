"""Parse what a user typed after `/fwtrend` (or `fwtrend ask`) into a Query; pure."""

from __future__ import annotations

from datetime import date

from bot.models import Query
from bot.understand.errors import QueryError
from bot.understand.intents import route
from bot.understand.normalize import split_compounds, strip_chatter, tokenize
from bot.understand.scan import Scan, scan_tokens
from bot.understand.typos import Fix, correct, corrected_question
from bot.understand.vocabulary import Vocabulary

MAX_QUERY_CHARS = 400
LISTINGS = ("help", "sources", "metrics", "frameworks")
QUESTION_WORDS = frozenset("what which who how why when where is are did does do will has".split())


def parse_query(text: str, vocab: Vocabulary, today: date) -> Query:
    """Understand one question; raise QueryError with suggestions when it cannot be."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"That question is {len(text)} characters long; please keep it under "
            f"{MAX_QUERY_CHARS}.",
            ["help"],
        )
    tokens = split_compounds(strip_chatter(tokenize(text), vocab), vocab)
    if not tokens:
        return Query(kind="help", text=text, understood="help")
    listing = _listing(tokens, vocab)
    if listing:
        return Query(kind=listing, text=text, understood=listing)
    head = tokens[0] if tokens[0] in {"claims", "compare"} else None
    body = tokens[1:] if head else tokens
    question = "?" in text or tokens[0] in QUESTION_WORDS
    scan = scan_tokens(body, vocab, today, topics_first=head == "claims")
    question = question or bool(scan.stopwords)
    fixes = {w: fix for w in scan.unknown if (fix := correct(w, vocab))}
    silent = {w: f for w, f in fixes.items() if f.confident}
    if silent:
        body = [silent[t].replacement if t in silent else t for t in body]
        scan = scan_tokens(body, vocab, today, topics_first=head == "claims")
    # A word closest to a stopword ("lite" ~ "like") carries no meaning we could miss: it stays
    # a search word instead of stopping the question with a pointless "did you mean".
    meaningless = {
        w for w, f in fixes.items() if f.kind == "word" and f.replacement in vocab.stopwords
    }
    fixes = {w: f for w, f in fixes.items() if w not in meaningless}
    unsure = {w: f for w, f in fixes.items() if not f.confident and w in scan.unknown}
    corrected = corrected_question(tokens, fixes, question) if fixes else None
    share_note = _prefer_exclusive(scan, vocab) + _prefer_shares(scan, vocab)
    if head == "claims":
        if unsure and not scan.topics:
            raise _typo_error(unsure, fixes, corrected)
        query = _query("claims", text, scan)
    elif head == "compare":
        query = _compare_query(text, scan, vocab, unsure, fixes, corrected)
    else:
        if unsure and (not question and len(tokens) <= 6 or not _anchored(scan)):
            raise _typo_error(unsure, fixes, corrected)
        if len(scan.metrics) > 1 and not question:
            labels = " or ".join(scan.metrics)
            raise QueryError(f"Please ask about one metric at a time: {labels}?", scan.metrics)
        way = route(scan, vocab)
        if way.kind != "search":
            scan.words = []  # intent words steer a claim search, not a figure's related claims
        query = _query(way.kind, text, scan, way.metric)
        query.view, query.intent = way.view, way.intent
        if query.kind == "search" and not (query.terms or query.frameworks):
            raise QueryError(
                "Ask about a framework or a metric, e.g. `pytorch hf-models`.", ["help"]
            )
    query.understood = describe(query, vocab) + _fixed_note(silent) + share_note
    query.corrected = corrected if silent else None
    return query


def _listing(tokens: list[str], vocab: Vocabulary) -> str | None:
    """`metrics`, or a question that only asks for a listing ("which frameworks do you know?")."""
    named = [t for t in tokens if t in LISTINGS]
    if len(named) != 1:
        return None
    rest = [t for t in tokens if t != named[0]]
    # "how are the frameworks doing" asks about them, not for their list.
    plain = (t for t in rest if (t,) not in vocab.intent_phrases)
    if len(list(plain)) == len(rest) and all(
        t in vocab.stopwords or t in vocab.listing for t in rest
    ):
        return named[0]
    return None


def _prefer_shares(scan: Scan, vocab: Vocabulary) -> str:
    """A question after a share ("what % of hub models are pytorch") means the share metric of
    the count it names (knowledge/vocabulary.yaml, share_metrics); where no source gives one,
    what is said instead: that these are the figures themselves."""
    if not scan.asks_share or not scan.metrics:
        return ""
    shares = vocab.lexicon.share_metrics
    scan.metrics = list(dict.fromkeys(shares.get(m, m) for m in scan.metrics))
    others = [vocab.metrics[m].label for m in scan.metrics if vocab.metrics[m].kind != "share"]
    if not others:
        return ""
    return f"; no source gives {' or '.join(others)} as a share, so these are the figures"


def _prefer_exclusive(scan: Scan, vocab: Vocabulary) -> str:
    """A question after what only one framework has ("pytorch-only models") means the exclusive
    counterpart of the metric it names (knowledge/vocabulary.yaml, exclusive_metrics)."""
    if not scan.asks_exclusive or not scan.metrics:
        return ""
    exclusive = vocab.lexicon.exclusive_metrics
    swapped = [m for m in scan.metrics if m in exclusive]
    if not swapped:
        return ""
    scan.metrics = list(dict.fromkeys(exclusive.get(m, m) for m in scan.metrics))
    labels = " or ".join(vocab.metrics[m].label for m in swapped)
    return f"; {labels} would count what other frameworks have too, so this is what only it has"


def _anchored(scan: Scan) -> bool:
    # Something to answer about even with a word left unknown.
    return bool(scan.frameworks or scan.metrics or scan.intents or scan.topics)


def _query(kind: str, text: str, scan: Scan, metric: str | None = None) -> Query:
    terms = scan.unknown + scan.topics + [w for w in scan.words if w not in scan.unknown]
    return Query.model_validate(
        {
            "kind": kind,
            "text": text,
            "frameworks": scan.frameworks,
            "metric": metric if kind != "claims" else (scan.metrics[0] if scan.metrics else None),
            "window": scan.window,
            "topic": scan.topics[0] if scan.topics else None,
            "terms": terms,
        }
    )


def _compare_query(
    text: str,
    scan: Scan,
    vocab: Vocabulary,
    unsure: dict[str, Fix],
    fixes: dict[str, Fix],
    corrected: str | None,
) -> Query:
    if unsure:
        raise _typo_error(unsure, fixes, corrected)
    if len(scan.frameworks) < 2:
        raise QueryError(
            "`compare` needs two frameworks, e.g. `compare pytorch tensorflow github-stars`.",
            sorted(vocab.frameworks),
        )
    if scan.metrics:
        return _query("compare", text, scan, scan.metrics[0])
    # Without a metric a comparison weighs every indicator: the scoreboard.
    query = _query("scoreboard", text, scan)
    query.view, query.intent = "standing", "popularity"
    return query


def _typo_error(unsure: dict[str, Fix], fixes: dict[str, Fix], corrected: str | None) -> QueryError:
    words = " or ".join(repr(w) for w in unsure)
    # Every correction, the sure ones first, so a button or a hint can offer each.
    ordered = sorted(fixes.values(), key=lambda f: not f.confident)
    suggestions = list(dict.fromkeys(s for fix in ordered for s in fix.suggestions[:2]))
    return QueryError(
        f"I don't know {words}. Did you mean `{corrected}`?", suggestions[:6], corrected
    )


def _fixed_note(silent: dict[str, Fix]) -> str:
    if not silent:
        return ""
    fixed = ", ".join(f"“{w}” as {f.replacement}" for w, f in silent.items())
    return f" (read {fixed})"


def _names(query: Query, vocab: Vocabulary, default: str) -> str:
    names = [vocab.frameworks[f].name for f in query.frameworks]
    return " and ".join(names) if names else default


def describe(query: Query, vocab: Vocabulary) -> str:
    """How fwtrend understood the question, in words, as answers restate it."""
    who = _names(query, vocab, "every framework that has it")
    when = f" ({query.window.text})" if query.window and query.window.text else ""
    if query.intent == "catchup" and query.kind in {"figures", "scoreboard"}:
        on = vocab.metrics[query.metric].label if query.metric else "every indicator"
        if not query.frameworks:
            return f"whether the runner-up is closing in on the leader, on {on}{when}"
        chaser = vocab.frameworks[query.frameworks[0]].name
        return f"whether {chaser} is closing the gap to the framework ahead, on {on}{when}"
    if query.kind in {"figures", "compare"} and query.metric:
        label = vocab.metrics[query.metric].label
        if query.view == "change":
            return f"how {label} changed for {who}{when}"
        return f"{label} for {who}{when}"
    if query.kind == "scoreboard":
        everyone = _names(query, vocab, "all four frameworks")
        if query.view == "momentum":
            return f"which indicators rise and which fall for {everyone}{when}"
        verb = "stands" if len(query.frameworks) == 1 else "stand"
        return f"where {everyone} {verb} across every indicator{when}"
    if query.kind == "overview":
        return f"{_names(query, vocab, '')} across every indicator{when}"
    if query.kind == "claims":
        about = query.topic or _names(query, vocab, "all topics")
        return f"claims about {about}{when}"
    if query.kind == "search":
        lead = {"why": "the reasons the sources give about", "who": "who uses or switched to"}.get(
            query.intent or "", ""
        )
        if lead:
            # The words left over only rank the claims; they are search words, not a filter.
            return f"{lead} {_names(query, vocab, 'the frameworks')}" + (
                f", most relevant to {' '.join(query.terms)!r} first" if query.terms else ""
            )
        if not query.terms:
            return f"claims about {who}"
        return f"claims matching {' '.join(query.terms)!r}" + (
            f" for {who}" if query.frameworks else ""
        )
    return query.kind
