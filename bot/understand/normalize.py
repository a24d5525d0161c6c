"""From raw text to meaningful words: mentions, control characters, possessives, chatter."""

from __future__ import annotations

import re
import unicodedata

from bot.understand.vocabulary import Phrase, Vocabulary, norm

# "&" and "%" stand alone: "pytorch & jax", "what % of models" (a share, not a count).
_TOKEN = re.compile(r"[a-z0-9][a-z0-9.+#/-]*|[&%]", re.IGNORECASE)
# Slack's own markup for users, channels and @here (<@U123ABC>, <#C1|general>, <!here>).
_SLACK_MENTION = re.compile(r"<[@#!][^>]*>")
# A typed mention of the bot or anyone else ("@fwtrend", "@here").
_AT_NAME = re.compile(r"(?<![\w.])@[\w.-]+")
_POSSESSIVE = re.compile(r"(\w)['’]s\b", re.IGNORECASE)
_PLURAL_POSSESSIVE = re.compile(r"(\w)s['’](?=\s|$)", re.IGNORECASE)
_APOSTROPHE = re.compile(r"(\w)['’](\w)")
_COMPOUND = re.compile(r"[a-z]+(?:[-/][a-z]+)+")


def clean_text(text: str) -> str:
    """Text without mentions, control characters or possessives, for tokenizing."""
    text = _SLACK_MENTION.sub(" ", text)
    text = _AT_NAME.sub(" ", text)
    # Control and format characters (NUL, zero-width spaces, bidi marks) are never words.
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    text = _POSSESSIVE.sub(r"\1", text)
    text = _PLURAL_POSSESSIVE.sub(r"\1s", text)
    # "don't", "what're": keep the word before the apostrophe, drop the contraction.
    return _APOSTROPHE.sub(r"\1 ", text)


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens; punctuation other than inside words is dropped."""
    tokens = (tok.rstrip(".").lower() for tok in _TOKEN.findall(clean_text(text)))
    return [tok for tok in tokens if tok]


def _strip(tokens: list[str], phrases: set[Phrase], at_start: bool) -> list[str]:
    longest = max((len(p) for p in phrases), default=0)
    changed = True
    while changed and tokens:
        changed = False
        for width in range(min(longest, len(tokens)), 0, -1):
            part = tuple(tokens[:width] if at_start else tokens[-width:])
            if part in phrases:
                tokens = tokens[width:] if at_start else tokens[:-width]
                changed = True
                break
    return tokens


def strip_chatter(tokens: list[str], vocab: Vocabulary) -> list[str]:
    """The tokens without greetings, politeness and asides at either end."""
    tokens = _strip(tokens, vocab.chatter_start, at_start=True)
    return _strip(tokens, vocab.chatter_end, at_start=False)


def split_compounds(tokens: list[str], vocab: Vocabulary) -> list[str]:
    """Hyphenated words that name a framework inside an unknown whole, as their parts:
    "pytorch-only", "tensorflow-based", "jax-vs-pytorch". Known ones ("hf-models"), a typo of
    one ("hf-mdls", corrected later as a whole) and anything with a digit (a range
    "2018-2021", a version "keras-3") stay whole."""
    out: list[str] = []
    for tok in tokens:
        parts = re.split(r"[-/]", tok)
        if (
            _COMPOUND.fullmatch(tok)
            and norm(tok) not in vocab.phrases
            and not vocab.known_word(tok)
            and any(vocab.phrases.get(part, ("",))[0] == "framework" for part in parts)
        ):
            out += parts
        else:
            out.append(tok)
    return out
