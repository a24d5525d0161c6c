"""From raw text to meaningful words: mentions, control characters, possessives, chatter."""

from __future__ import annotations

import re
import unicodedata

from bot.understand.vocabulary import Phrase, Vocabulary

_TOKEN = re.compile(r"[a-z0-9][a-z0-9.+#/-]*|&", re.IGNORECASE)
# Slack's own markup for users, channels and @here (<@U123ABC>, <#C1|general>, <!here>).
_SLACK_MENTION = re.compile(r"<[@#!][^>]*>")
# A typed mention of the bot or anyone else ("@fwtrend", "@here").
_AT_NAME = re.compile(r"(?<![\w.])@[\w.-]+")
_POSSESSIVE = re.compile(r"(\w)['’]s\b", re.IGNORECASE)
_PLURAL_POSSESSIVE = re.compile(r"(\w)s['’](?=\s|$)", re.IGNORECASE)
_APOSTROPHE = re.compile(r"(\w)['’](\w)")


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
