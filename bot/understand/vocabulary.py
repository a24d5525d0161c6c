"""Every phrase fwtrend recognises: names from the knowledge base plus the phrasing lexicon."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.models import Claim, Framework, Metric
from bot.understand.lexicon import Lexicon, default_lexicon

Phrase = tuple[str, ...]
KEYWORDS = ("help", "sources", "metrics", "frameworks", "claims", "compare")
# Typos shorter than this are not corrected: they are as close to everything as to anything.
MIN_TYPO = 4
_VERSION = re.compile(r"(\d+)(?:\.\d+)*")


def norm(text: str) -> str:
    """A phrase as the tables key it: lowercase words, hyphens and slashes as spaces."""
    return " ".join(re.sub(r"[-_/]+", " ", text.lower()).split())


@dataclass(frozen=True)
class Release:
    """When a framework (or one major version of it) came out, per a claim in the knowledge."""

    framework: str
    major: str | None
    start: date
    label: str
    claim_id: str


def release_dates(
    claims: Iterable[Claim], metrics: dict[str, str]
) -> dict[tuple[str, str | None], Release]:
    """Release dates the claims state: (framework, None) for the first release, (fw, "2")
    for version 2; the earliest stated date wins. ``metrics`` is lexicon.release_metrics."""
    found: dict[tuple[str, str | None], Release] = {}
    for claim in claims:
        for fig in claim.figures:
            if fig.framework is None:
                continue
            if fig.metric == metrics.get("first"):
                major, label = None, f"first release ({fig.as_of.label})"
            elif fig.metric == metrics.get("version") and fig.segment:
                match = _VERSION.search(fig.segment)
                if not match:
                    continue
                major = match.group(1)
                label = f"{fig.segment.split('(')[0].strip()} ({fig.as_of.label})"
            else:
                continue
            key = (fig.framework, major)
            if key not in found or fig.as_of.start < found[key].start:
                found[key] = Release(fig.framework, major, fig.as_of.start, label, claim.id)
    return found


@dataclass
class Vocabulary:
    """Every phrase fwtrend recognises, mapped to what it names."""

    frameworks: dict[str, Framework]
    metrics: dict[str, Metric]
    topics: set[str] = field(default_factory=set)
    lexicon: Lexicon = field(default_factory=default_lexicon)
    releases: dict[tuple[str, str | None], Release] = field(default_factory=dict)
    phrases: dict[str, tuple[str, str]] = field(default_factory=dict)
    topic_phrases: dict[str, tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lex = self.lexicon
        for fw in self.frameworks.values():
            for name in [fw.slug, fw.name, *fw.aliases]:
                self.phrases.setdefault(norm(name), ("framework", fw.slug))
        # Labels and aliases before slugs: "pypi downloads" is an alias of the per-day metric,
        # though the raw one's slug "pypi-downloads" reads the same once hyphens are spaces
        # (the slug typed as one token still names its own metric: see scan._lookup).
        for metric in self.metrics.values():
            for name in [metric.label, *metric.aliases]:
                self.phrases.setdefault(norm(name), ("metric", metric.slug))
        for metric in self.metrics.values():
            self.phrases.setdefault(norm(metric.slug), ("metric", metric.slug))
        for phrase, slug in lex.metric_phrases.items():
            if slug in self.metrics:
                self.phrases.setdefault(norm(phrase), ("metric", slug))
        for phrase in lex.plain_phrases:
            self.phrases.setdefault(norm(phrase), ("word", phrase))
        for topic in self.topics:
            self.phrases.setdefault(norm(topic), ("topic", topic))
            self.topic_phrases[norm(topic)] = ("topic", topic)
        for phrase, topic in lex.topic_phrases.items():
            if topic in self.topics:
                self.phrases.setdefault(norm(phrase), ("topic", topic))
        self.forms = {form: canon for canon, forms in lex.words.items() for form in forms}
        self.stopwords = frozenset(lex.stopwords)
        self.chatter_start = {tuple(p.split()) for p in lex.chatter.start}
        self.chatter_end = {tuple(p.split()) for p in lex.chatter.end}
        self.numbers = {tuple(p.split()): n for p, n in lex.numbers.items()}
        self.intent_phrases: dict[Phrase, set[str]] = {}
        for intent, phrases in lex.intents.items():
            for phrase in phrases:
                self.intent_phrases.setdefault(tuple(phrase.split()), set()).add(intent)
        self.listing = frozenset(lex.listing)
        self.share_words = frozenset(lex.share_words)
        self.exclusive_words = frozenset(lex.exclusive_words)
        self.exclusive_after_framework = frozenset(lex.exclusive_after_framework)
        self.longest = max([4, *(len(p) for p in self.intent_phrases)])
        # Every spelling a typo may be corrected to: (kind, what to type instead).
        self.spellings: dict[str, tuple[str, str]] = dict(self.phrases)
        for keyword in KEYWORDS:
            self.spellings.setdefault(keyword, ("keyword", keyword))
        words = [*lex.words, *self.forms, *(" ".join(p) for p in self.intent_phrases)]
        for word in words + [w for w in self.stopwords if len(w) >= MIN_TYPO]:
            self.spellings.setdefault(norm(word), ("word", word))

    @classmethod
    def build(
        cls,
        frameworks: dict[str, Framework],
        metrics: dict[str, Metric],
        claims: Iterable[Claim],
        lexicon: Lexicon | None = None,
    ) -> Vocabulary:
        """The vocabulary of a knowledge base: its names, claim topics and release dates."""
        claims = list(claims)
        lexicon = lexicon or default_lexicon()
        return cls(
            frameworks,
            metrics,
            topics={t for claim in claims for t in claim.topics},
            lexicon=lexicon,
            releases=release_dates(claims, lexicon.release_metrics),
        )

    def canonical(self, token: str) -> str:
        """The canonical word for a word form ("growing" -> "grow"); other words unchanged."""
        return self.forms.get(token, token)

    def known_word(self, token: str) -> bool:
        """Whether a word means something to the lexicon (a stopword, form or intent word)."""
        return (
            token in self.stopwords
            or token in self.forms
            or token in self.lexicon.words
            or (token,) in self.intent_phrases
        )

    def expand(self, terms: Sequence[str]) -> list[str]:
        """Search terms plus every form and synonym of each, for claim search."""
        out: list[str] = []
        for term in terms:
            canon = self.canonical(term)
            for word in [term, canon, *self.lexicon.words.get(canon, [])]:
                if word not in out:
                    out.append(word)
        return out

    def release(self, framework: str, major: str | None) -> Release | None:
        """When the framework (or its major version) came out, if a claim says."""
        return self.releases.get((framework, major))
