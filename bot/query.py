"""Parse what a user typed after `/fwtrend` (or `fwtrend ask`) into a Query; pure."""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.models import DateWindow, ErrorInfo, Framework, Metric, Query

MAX_QUERY_CHARS = 400
MAX_PHRASE_WORDS = 4

KEYWORDS = ("help", "sources", "metrics", "frameworks", "claims", "compare")

# Words that carry no meaning for matching; seeing them also marks the text as a free question.
STOPWORDS = frozenset(
    """a an the of in on at to for and or vs versus v than with by from about is are was were be
    been did do does what which who how why when where much many more most less fewer share
    percent percentage per used use uses using there their its it this that these those has have
    had me show tell give i we you your our still really now today currently compared against
    number count any some all over between""".split()
)
QUESTION_WORDS = frozenset("what which who how why when where is are did does do".split())
CONNECTORS = frozenset({"vs", "versus", "v", "and", "&", ",", "or", "against"})

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_name) if name})

_TOKEN = re.compile(r"[a-z0-9][a-z0-9.+#/-]*|&", re.IGNORECASE)
_YEAR = re.compile(r"^(19|20)\d{2}$")
_YEAR_MONTH = re.compile(r"^((?:19|20)\d{2})-(\d{1,2})$")
_YEAR_RANGE = re.compile(r"^((?:19|20)\d{2})(?:-|–|\.\.)((?:19|20)\d{2})$")
_SHORT_SPAN = re.compile(r"^(\d{1,3})(d|w|m|mo|y|yr)$")
_UNITS = {
    "day": "d",
    "days": "d",
    "week": "w",
    "weeks": "w",
    "month": "m",
    "months": "m",
    "year": "y",
    "years": "y",
    "d": "d",
    "w": "w",
    "m": "m",
    "mo": "m",
    "y": "y",
    "yr": "y",
}


class QueryError(Exception):
    """The text cannot be understood; ``info`` says why and what was probably meant."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.info = ErrorInfo(message=message, suggestions=suggestions or [])


@dataclass
class Vocabulary:
    """Every phrase fwtrend recognises, mapped to what it names."""

    frameworks: dict[str, Framework]
    metrics: dict[str, Metric]
    topics: set[str] = field(default_factory=set)
    phrases: dict[str, tuple[str, str]] = field(default_factory=dict)
    topic_phrases: dict[str, tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for fw in self.frameworks.values():
            for name in [fw.slug, fw.name, *fw.aliases]:
                self.phrases.setdefault(_norm(name), ("framework", fw.slug))
        for metric in self.metrics.values():
            for name in [metric.slug, metric.label, *metric.aliases]:
                self.phrases.setdefault(_norm(name), ("metric", metric.slug))
        for topic in self.topics:
            self.phrases.setdefault(_norm(topic), ("topic", topic))
            self.topic_phrases[_norm(topic)] = ("topic", topic)

    def suggest(self, word: str) -> list[str]:
        """Close matches for an unknown word, as the canonical names to type."""
        matches = difflib.get_close_matches(_norm(word), list(self.phrases), n=6, cutoff=0.72)
        matches += difflib.get_close_matches(word.lower(), KEYWORDS, n=2, cutoff=0.75)
        suggestions: list[str] = []
        for match in matches:
            kind, slug = self.phrases.get(match, ("keyword", match))
            if slug not in suggestions:
                suggestions.append(slug)
        return suggestions[:4]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[-_/]+", " ", text.lower()).split())


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens; punctuation other than inside words is dropped."""
    return [tok.rstrip(".").lower() for tok in _TOKEN.findall(text) if tok.rstrip(".")]


# ---------------------------------------------------------------- periods


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _date_at(token: str, end: bool) -> date | None:
    if _YEAR.match(token):
        return date(int(token), 12, 31) if end else date(int(token), 1, 1)
    match = _YEAR_MONTH.match(token)
    if match and 1 <= int(match.group(2)) <= 12:
        year, month = int(match.group(1)), int(match.group(2))
        return _month_end(year, month) if end else date(year, month, 1)
    return None


def _span(count: int, unit: str, today: date) -> date:
    if unit == "d":
        return today - timedelta(days=count)
    if unit == "w":
        return today - timedelta(weeks=count)
    months = count * (12 if unit == "y" else 1)
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def _parse_window(tokens: list[str], i: int, today: date) -> tuple[DateWindow, int] | None:
    """Try to read a period starting at tokens[i]; return it and the tokens consumed."""
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    third = tokens[i + 2] if i + 2 < len(tokens) else ""
    fourth = tokens[i + 3] if i + 3 < len(tokens) else ""
    if tok in {"since", "after", "from"} and _date_at(nxt, end=False):
        if tok == "from" and third in {"to", "until", "through"} and _date_at(fourth, end=True):
            return DateWindow(
                start=_date_at(nxt, False),
                end=_date_at(fourth, True),
                text=f"from {nxt} to {fourth}",
            ), 4
        return DateWindow(start=_date_at(nxt, False), text=f"since {nxt}"), 2
    if tok == "between" and third == "and" and _date_at(nxt, False) and _date_at(fourth, True):
        return DateWindow(
            start=_date_at(nxt, False), end=_date_at(fourth, True), text=f"{nxt} to {fourth}"
        ), 4
    if tok in {"until", "before", "through", "till"} and _date_at(nxt, end=True):
        return DateWindow(end=_date_at(nxt, True), text=f"until {nxt}"), 2
    if tok in {"in", "during"} and _date_at(nxt, end=False):
        return DateWindow(start=_date_at(nxt, False), end=_date_at(nxt, True), text=nxt), 2
    if tok in {"last", "past"}:
        if nxt.isdigit() and third in _UNITS:
            start = _span(int(nxt), _UNITS[third], today)
            return DateWindow(start=start, text=f"last {nxt} {third}"), 3
        if nxt in _UNITS and _UNITS[nxt] != "d" or nxt in {"day", "week", "month", "year"}:
            return DateWindow(start=_span(1, _UNITS[nxt], today), text=f"last {nxt}"), 2
    if tok.isdigit() and nxt in _UNITS and len(tok) <= 3:
        return DateWindow(start=_span(int(tok), _UNITS[nxt], today), text=f"last {tok} {nxt}"), 2
    match = _SHORT_SPAN.match(tok)
    if match:
        unit = _UNITS[match.group(2)]
        return DateWindow(start=_span(int(match.group(1)), unit, today), text=f"last {tok}"), 1
    match = _YEAR_RANGE.match(tok)
    if match and match.group(1) <= match.group(2):
        return DateWindow(
            start=date(int(match.group(1)), 1, 1), end=date(int(match.group(2)), 12, 31), text=tok
        ), 1
    if _date_at(tok, end=False):
        return DateWindow(start=_date_at(tok, False), end=_date_at(tok, True), text=tok), 1
    return None


# ---------------------------------------------------------------- parsing


@dataclass
class _Scan:
    frameworks: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    window: DateWindow | None = None
    unknown: list[str] = field(default_factory=list)
    stopwords: int = 0


def _scan(tokens: list[str], vocab: Vocabulary, today: date, topics_first: bool = False) -> _Scan:
    # After `claims`, "hugging-face" is a topic before it is the hf-models alias.
    lookups = [vocab.topic_phrases, vocab.phrases] if topics_first else [vocab.phrases]
    scan = _Scan()
    i = 0
    while i < len(tokens):
        window = _parse_window(tokens, i, today)
        if window is not None:
            scan.window, used = window
            i += used
            continue
        for width in range(min(MAX_PHRASE_WORDS, len(tokens) - i), 0, -1):
            phrase = _norm(" ".join(tokens[i : i + width]))
            hit = next((table[phrase] for table in lookups if phrase in table), None)
            if hit is None and width == 1 and phrase.endswith("s"):
                hit = vocab.phrases.get(phrase[:-1])  # plural of a known word
            if hit is not None:
                kind, slug = hit
                target = {
                    "framework": scan.frameworks,
                    "metric": scan.metrics,
                    "topic": scan.topics,
                }[kind]
                if slug not in target:
                    target.append(slug)
                i += width
                break
        else:
            tok = tokens[i]
            if tok in CONNECTORS or tok in STOPWORDS:
                scan.stopwords += tok in STOPWORDS
            elif len(tok) < 2 or (tok.isdigit() and len(tok) < 3):
                pass  # stray letters and numbers ("1=1") match everything and mean nothing
            else:
                scan.unknown.append(tok)
            i += 1
    return scan


def _describe(query: Query, vocab: Vocabulary) -> str:
    names = [vocab.frameworks[f].name for f in query.frameworks]
    who = ", ".join(names) if names else "every framework that has it"
    when = f" ({query.window.text})" if query.window and query.window.text else ""
    if query.kind in {"figures", "compare"} and query.metric:
        return f"{vocab.metrics[query.metric].label} for {who}{when}"
    if query.kind == "claims":
        about = query.topic or (", ".join(names) if names else "all topics")
        return f"claims about {about}{when}"
    if query.kind == "search":
        if not query.terms:
            return f"claims about {who}"
        return f"claims matching {' '.join(query.terms)!r}" + (f" for {who}" if names else "")
    return query.kind


def _typo_error(scan: _Scan, vocab: Vocabulary) -> QueryError:
    word = scan.unknown[0]
    suggestions = vocab.suggest(word)
    if suggestions:
        return QueryError(
            f"I don't know {word!r}. Did you mean {' or '.join(suggestions)}?", suggestions
        )
    return QueryError(
        f"I don't know {word!r}. Try `metrics` or `frameworks` for what I can answer.",
        ["help", "metrics", "frameworks"],
    )


def parse_query(text: str, vocab: Vocabulary, today: date) -> Query:
    """Understand one question; raise QueryError with suggestions when it cannot be."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"That question is {len(text)} characters long; please keep it under "
            f"{MAX_QUERY_CHARS}.",
            ["help"],
        )
    tokens = tokenize(text)
    if not tokens:
        return Query(kind="help", text=text, understood="help")
    head, rest = tokens[0], tokens[1:]
    if head in {"help", "sources", "metrics", "frameworks"} and not rest:
        return Query(kind=head, text=text, understood=head)
    scan = _scan(
        rest if head in {"claims", "compare"} else tokens,
        vocab,
        today,
        topics_first=head == "claims",
    )
    if head == "claims":
        return _claims_query(text, scan, vocab)
    if head == "compare":
        return _compare_query(text, scan, vocab)
    is_question = bool(scan.stopwords) or tokens[0] in QUESTION_WORDS or "?" in text
    if scan.unknown and not is_question and len(tokens) <= 6 and vocab.suggest(scan.unknown[0]):
        raise _typo_error(scan, vocab)
    if len(scan.metrics) > 1 and not is_question:
        labels = " or ".join(scan.metrics)
        raise QueryError(f"Please ask about one metric at a time: {labels}?", scan.metrics)
    query = Query(
        kind="figures" if scan.metrics else "search",
        text=text,
        frameworks=scan.frameworks,
        metric=scan.metrics[0] if scan.metrics else None,
        window=scan.window,
        topic=scan.topics[0] if scan.topics else None,
        terms=scan.unknown + scan.topics,
    )
    if query.kind == "search" and not (query.terms or query.frameworks):
        raise QueryError("Ask about a framework or a metric, e.g. `pytorch hf-models`.", ["help"])
    query.understood = _describe(query, vocab)
    return query


def _claims_query(text: str, scan: _Scan, vocab: Vocabulary) -> Query:
    if scan.unknown and not scan.topics and vocab.suggest(scan.unknown[0]):
        raise _typo_error(scan, vocab)
    query = Query(
        kind="claims",
        text=text,
        frameworks=scan.frameworks,
        metric=scan.metrics[0] if scan.metrics else None,
        window=scan.window,
        topic=scan.topics[0] if scan.topics else None,
        terms=scan.unknown + scan.topics,
    )
    query.understood = _describe(query, vocab)
    return query


def _compare_query(text: str, scan: _Scan, vocab: Vocabulary) -> Query:
    if scan.unknown:
        raise _typo_error(scan, vocab)
    if len(scan.frameworks) < 2:
        raise QueryError(
            "`compare` needs two frameworks, e.g. `compare pytorch tensorflow github-stars`.",
            sorted(vocab.frameworks),
        )
    query = Query(
        kind="compare",
        text=text,
        frameworks=scan.frameworks,
        metric=scan.metrics[0] if scan.metrics else None,
        window=scan.window,
    )
    query.understood = (
        _describe(query, vocab)
        if query.metric
        else "every metric for " + " and ".join(vocab.frameworks[f].name for f in scan.frameworks)
    )
    return query
