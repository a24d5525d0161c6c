"""One pass over a question's words: frameworks, metrics, topics, a period, intents, the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.models import DateWindow
from bot.understand.timewords import framework_version, parse_window
from bot.understand.vocabulary import Vocabulary, norm

CONNECTORS = frozenset({"vs", "versus", "v", "and", "&", ",", "or", "against"})
MAX_PHRASE_WORDS = 4


@dataclass
class Scan:
    """What one pass found, in the order the question names it."""

    frameworks: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    window: DateWindow | None = None
    unknown: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    intents: set[str] = field(default_factory=set)
    versions: dict[str, str] = field(default_factory=dict)
    stopwords: int = 0
    asks_share: bool = False  # "what share / percent / % of …": a share, not a count
    asks_exclusive: bool = False  # "pytorch-only models", "exclusively": only one framework's


def find_intents(tokens: list[str], vocab: Vocabulary) -> tuple[set[str], set[int]]:
    """Every intent a phrase of the question signals, and the positions those phrases cover."""
    canon = [vocab.canonical(t) for t in tokens]
    intents: set[str] = set()
    covered: set[int] = set()
    for i in range(len(tokens)):
        for width in range(min(vocab.longest, len(tokens) - i), 0, -1):
            for words in (tuple(tokens[i : i + width]), tuple(canon[i : i + width])):
                if words in vocab.intent_phrases:
                    intents |= vocab.intent_phrases[words]
                    covered.update(range(i, i + width))
    return intents, covered


def _lookup(words: list[str], vocab: Vocabulary, topics_first: bool) -> tuple[str, str] | None:
    if len(words) == 1 and words[0] in vocab.metrics:
        return ("metric", words[0])  # a slug as typed ("pypi-downloads") is that metric
    tables = [vocab.topic_phrases, vocab.phrases] if topics_first else [vocab.phrases]
    phrase = norm(" ".join(words))
    canonical = norm(" ".join(vocab.canonical(w) for w in words))
    for key in (phrase, canonical):
        hit = next((table[key] for table in tables if key in table), None)
        if hit is not None:
            return hit
    if len(words) == 1 and len(phrase) > 3:
        # A plural of a known word ("models"), or a singular of one ("download").
        return (
            vocab.phrases.get(phrase[:-1])
            if phrase.endswith("s")
            else vocab.phrases.get(phrase + "s")
        )
    return None


def scan_tokens(
    tokens: list[str], vocab: Vocabulary, today: date, topics_first: bool = False
) -> Scan:
    """Read every word of the question once, longest known phrase first."""
    scan = Scan(
        asks_share=any(t in vocab.share_words for t in tokens),
        asks_exclusive=any(t in vocab.exclusive_words for t in tokens),
    )
    plain: list[int] = []
    in_window: set[int] = set()
    i = 0
    while i < len(tokens):
        window = parse_window(tokens, i, today, vocab)
        if window is not None:
            scan.window, used = window
            in_window.update(range(i, i + used))
            i += used
            continue
        for width in range(min(MAX_PHRASE_WORDS, len(tokens) - i), 0, -1):
            hit = _lookup(tokens[i : i + width], vocab, topics_first)
            if hit is None:
                continue
            kind, slug = hit
            if kind == "word":
                scan.stopwords += 1
                _content_words(scan, tokens[i : i + width], vocab)
                i += width
                break
            target = {"framework": scan.frameworks, "metric": scan.metrics, "topic": scan.topics}[
                kind
            ]
            if slug not in target:
                target.append(slug)
            i += width
            if kind == "framework":
                if i < len(tokens) and tokens[i] in vocab.exclusive_after_framework:
                    scan.asks_exclusive = True
                version, extra = framework_version(tokens[i - width : i], tokens, i)
                if version:
                    scan.versions[slug] = version
                i += extra
            break
        else:
            plain.append(i)
            i += 1
    # A period's words ("since pytorch came out") say when, not what the question is after.
    scan.intents, covered = find_intents(
        ["" if j in in_window else t for j, t in enumerate(tokens)], vocab
    )
    for j in plain:
        _plain_word(scan, tokens[j], j in covered, vocab)
    return scan


def _content_words(scan: Scan, tokens: list[str], vocab: Vocabulary) -> None:
    # Content words ("switch", "reason") help claim search find what the question is about.
    for tok in tokens:
        canon = vocab.canonical(tok)
        if canon in vocab.lexicon.words and canon not in scan.words:
            scan.words.append(canon)


def _plain_word(scan: Scan, tok: str, in_intent: bool, vocab: Vocabulary) -> None:
    _content_words(scan, [tok], vocab)
    if tok in vocab.stopwords or tok in CONNECTORS:
        scan.stopwords += 1
    elif in_intent or vocab.known_word(tok) or tok in vocab.listing:
        pass
    elif len(tok) < 2 or (tok.isdigit() and len(tok) < 3):
        pass  # stray letters and numbers ("1=1") match everything and mean nothing
    else:
        scan.unknown.append(tok)
