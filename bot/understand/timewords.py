"""Periods in a question: `since 2020`, `2018-2021`, `over the last two years`, `since tf 2.0`."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from bot.models import DateWindow
from bot.understand.errors import QueryError
from bot.understand.vocabulary import Vocabulary, norm

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_name) if name})
MONTHS["sept"] = 9

_YEAR = re.compile(r"^(19|20)\d{2}$")
_YEAR_MONTH = re.compile(r"^((?:19|20)\d{2})-(\d{1,2})$")
_YEAR_RANGE = re.compile(r"^((?:19|20)\d{2})(?:-|–|\.\.)((?:19|20)\d{2})$")
_SHORT_SPAN = re.compile(r"^(\d{1,3})(d|w|m|mo|y|yr|yrs)$")
_VERSION = re.compile(r"^v?(\d{1,2})(?:\.\d+)*$")
_TRAILING_VERSION = re.compile(r"(\d{1,2})(?:\.\d+)*$")
# A unit word and how many of the base unit (d, w, m) it spans.
_UNITS: dict[str, tuple[str, float]] = {
    "day": ("d", 1),
    "days": ("d", 1),
    "d": ("d", 1),
    "week": ("w", 1),
    "weeks": ("w", 1),
    "w": ("w", 1),
    "month": ("m", 1),
    "months": ("m", 1),
    "m": ("m", 1),
    "mo": ("m", 1),
    "quarter": ("m", 3),
    "quarters": ("m", 3),
    "year": ("m", 12),
    "years": ("m", 12),
    "y": ("m", 12),
    "yr": ("m", 12),
    "yrs": ("m", 12),
    "decade": ("m", 120),
    "decades": ("m", 120),
}
_RELEASE_WORDS = frozenset({"release", "come", "launch", "create", "debut"})


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _date_at(token: str, end: bool) -> date | None:
    if _YEAR.match(token):
        return date(int(token), 12, 31) if end else date(int(token), 1, 1)
    match = _YEAR_MONTH.match(token)
    if match and 1 <= int(match.group(2)) <= 12:
        year, month = int(match.group(1)), int(match.group(2))
        return month_end(year, month) if end else date(year, month, 1)
    return None


def _span(count: float, unit: str, today: date) -> date:
    if unit == "d":
        return today - timedelta(days=round(count))
    if unit == "w":
        return today - timedelta(weeks=count)
    months = round(count)
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def _count(tokens: list[str], i: int, vocab: Vocabulary) -> tuple[float, int] | None:
    """A number at tokens[i], in digits or words ("18", "two", "a couple of")."""
    if i < len(tokens) and tokens[i].isdigit() and len(tokens[i]) <= 3:
        return float(tokens[i]), 1
    for width in (3, 2, 1):
        words = tuple(tokens[i : i + width])
        if len(words) == width and words in vocab.numbers:
            return vocab.numbers[words], width
    return None


def _relative(
    tokens: list[str], i: int, today: date, vocab: Vocabulary
) -> tuple[DateWindow, int] | None:
    """`last 2 years`, `past eighteen months`, `last year`, `the past decade` at tokens[i]."""
    count = _count(tokens, i + 1, vocab) or (1.0, 0)
    j = i + 1 + count[1]
    unit = tokens[j] if j < len(tokens) else ""
    if unit not in _UNITS or (count[1] == 0 and _UNITS[unit][0] == "d" and unit != "day"):
        return None
    base, size = _UNITS[unit]
    words = " ".join(tokens[i + 1 : j + 1])
    return DateWindow(start=_span(count[0] * size, base, today), text=f"last {words}"), j + 1 - i


def framework_version(words: list[str], tokens: list[str], end: int) -> tuple[str | None, int]:
    """A major version a framework name carries ("tf2", "pytorch 2") or that follows it
    ("tf 2.0" at tokens[end]), and how many more tokens it takes."""
    last = words[-1]
    if not last.isalpha():
        match = _TRAILING_VERSION.search(last)
        if match:
            return match.group(1), 0
    nxt = tokens[end] if end < len(tokens) else ""
    match = _VERSION.match(nxt)
    if match and not _YEAR.match(nxt):
        return match.group(1), 1
    return None, 0


def _release_window(tokens: list[str], i: int, vocab: Vocabulary) -> tuple[DateWindow, int] | None:
    """`since tf 2.0`, `since pytorch 2`, `since pytorch came out`: dated by a claim."""
    for width in (3, 2, 1):
        words = tokens[i + 1 : i + 1 + width]
        hit = vocab.phrases.get(norm(" ".join(words))) if len(words) == width else None
        if hit is None or hit[0] != "framework":
            continue
        framework = hit[1]
        major, extra = framework_version(words, tokens, i + 1 + width)
        used = 1 + width + extra
        after = [vocab.canonical(t) for t in tokens[i + used : i + used + 3]]
        said = [k for k, word in enumerate(after) if word in _RELEASE_WORDS]
        if major is None and not said:
            return None  # "since pytorch is popular": a cause, not a date
        if said:
            # "since pytorch came out", "since jax was released": the period takes those words.
            used += said[-1] + 1 + (after[said[-1] + 1 : said[-1] + 2] == ["out"])
        name = vocab.frameworks[framework].name + (f" {major}" if major else "")
        release = vocab.release(framework, major)
        if release is None:
            raise QueryError(
                f"None of my sources dates {name}'s release, so I can't start there; "
                "give a year instead, e.g. `since 2023`.",
                ["help"],
            )
        label = release.label if major else f"{name}'s {release.label}"
        return DateWindow(start=release.start, text=f"since {label}"), used
    return None


_UNTIL_WORDS = {"to", "until", "through", "till", "thru"}
_VERSUS_WORDS = frozenset({"vs", "versus", "and", "or"})


def parse_window(
    tokens: list[str], i: int, today: date, vocab: Vocabulary
) -> tuple[DateWindow, int] | None:
    """Try to read a period starting at tokens[i]; return it and the tokens consumed."""
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    third = tokens[i + 2] if i + 2 < len(tokens) else ""
    fourth = tokens[i + 3] if i + 3 < len(tokens) else ""
    if nxt in MONTHS and _YEAR.match(third) and tok in {"since", "after", "from", "in", "during"}:
        start = date(int(third), MONTHS[nxt], 1)
        if tok in {"in", "during"}:
            return DateWindow(
                start=start, end=month_end(start.year, start.month), text=f"{nxt} {third}"
            ), 3
        if tok == "after":  # "after march 2021": from April on
            after = month_end(start.year, start.month) + timedelta(days=1)
            return DateWindow(start=after, text=f"after {nxt} {third}"), 3
        return DateWindow(start=start, text=f"since {nxt} {third}"), 3
    # "after 2021" starts in 2022 and "before 2021" ends in 2020; "since", "from" and "until"
    # include the year they name.
    if tok == "before" and (named_start := _date_at(nxt, end=False)):
        return DateWindow(end=named_start - timedelta(days=1), text=f"before {nxt}"), 2
    if tok in {"since", "after", "from"} and (named_start := _date_at(nxt, end=False)):
        begins = named_start
        if tok == "after" and (named_end := _date_at(nxt, end=True)):
            begins = named_end + timedelta(days=1)
        if third in _UNTIL_WORDS and _date_at(fourth, end=True):
            return DateWindow(
                start=begins,
                end=_date_at(fourth, True),
                text=f"{'after' if tok == 'after' else 'from'} {nxt} to {fourth}",
            ), 4
        return DateWindow(start=begins, text=f"{'after' if tok == 'after' else 'since'} {nxt}"), 2
    if tok in {"since", "after"} and nxt in {"last", "past"} and third == "year":
        return DateWindow(start=date(today.year - 1, 1, 1), text=f"since {today.year - 1}"), 3
    if tok == "since":
        return _release_window(tokens, i, vocab)
    if tok == "this" and nxt == "year":
        return DateWindow(start=date(today.year, 1, 1), text=f"since {today.year}"), 2
    if tok == "ytd":
        return DateWindow(start=date(today.year, 1, 1), text=f"since {today.year}"), 1
    if tok == "between" and third == "and" and _date_at(nxt, False) and _date_at(fourth, True):
        return DateWindow(
            start=_date_at(nxt, False), end=_date_at(fourth, True), text=f"{nxt} to {fourth}"
        ), 4
    if tok in {"until", "through", "till"} and _date_at(nxt, end=True):
        return DateWindow(end=_date_at(nxt, True), text=f"until {nxt}"), 2
    if tok in {"in", "during"} and _date_at(nxt, end=False):
        return DateWindow(start=_date_at(nxt, False), end=_date_at(nxt, True), text=nxt), 2
    if tok in {"last", "past", "previous"}:
        return _relative(tokens, i, today, vocab)
    if tok.isdigit() and nxt in _UNITS and len(tok) <= 3:
        base, size = _UNITS[nxt]
        return DateWindow(start=_span(int(tok) * size, base, today), text=f"last {tok} {nxt}"), 2
    match = _SHORT_SPAN.match(tok)
    if match:
        base, size = _UNITS[match.group(2)]
        return DateWindow(
            start=_span(int(match.group(1)) * size, base, today), text=f"last {tok}"
        ), 1
    match = _YEAR_RANGE.match(tok)
    if match and match.group(1) <= match.group(2):
        return DateWindow(
            start=date(int(match.group(1)), 1, 1), end=date(int(match.group(2)), 12, 31), text=tok
        ), 1
    if nxt in _UNTIL_WORDS | _VERSUS_WORDS and _date_at(tok, False) and _date_at(third, True):
        # "2021 to 2023", "2019 through 2021": one period, not two years of which the last
        # wins; "2023 to 2021" is the same period said backwards. "2018 vs 2020" asks how the
        # two years compare: the same period, whose change runs from one to the other.
        first, last = sorted([tok, third], key=lambda t: _date_at(t, end=False) or date.min)
        return DateWindow(
            start=_date_at(first, False), end=_date_at(last, True), text=f"{first} to {last}"
        ), 3
    if _date_at(tok, end=False):
        return DateWindow(start=_date_at(tok, False), end=_date_at(tok, True), text=tok), 1
    return None
