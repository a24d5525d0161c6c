"""Typos: the closest known word for each unknown one, and the whole question corrected."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.understand.vocabulary import MIN_TYPO, Vocabulary, norm

# Under this similarity a known word is no longer offered as what was meant.
SUGGEST_SIMILARITY = 0.72
# The shortest words fixed without asking, by what they are corrected to.
MIN_SILENT = {"framework": 5, "metric": 6}


@dataclass(frozen=True)
class Fix:
    """What an unknown word probably was."""

    word: str
    replacement: str
    kind: str
    confident: bool
    suggestions: tuple[str, ...]


def correct(word: str, vocab: Vocabulary) -> Fix | None:
    """The likely intended word, or None when nothing known is close."""
    key = norm(word)
    if len(key.replace(" ", "")) < MIN_TYPO or key.replace(" ", "").isdigit():
        return None
    pool = vocab.spellings
    matches = process.extract(
        key,
        list(pool),
        scorer=OSA.normalized_similarity,
        score_cutoff=SUGGEST_SIMILARITY,
        limit=8,
    )
    if not matches:
        return None
    targets: list[tuple[str, str, int, str]] = []
    for phrase, _, _ in matches:
        kind, slug = pool[phrase]
        if slug not in [t[1] for t in targets]:
            # The corrected question shows the name as typed ("github"), or its slug.
            shown = slug if norm(slug) == phrase else phrase
            targets.append((kind, slug, OSA.distance(key, phrase), shown))
    kind, best, distance, shown = min(targets, key=lambda t: t[2])
    rivals = [t for t in targets if t[1] != best and t[2] <= distance + 1]
    # Only framework names and long metric names are fixed silently: short common words
    # ("works" vs "forks") may be meant as they are.
    confident = (
        distance == 1
        and not rivals
        and kind in MIN_SILENT
        and len(key.replace(" ", "")) >= MIN_SILENT[kind]
    )
    suggestions = tuple(t[1] for t in sorted(targets, key=lambda t: t[2]))
    return Fix(word, shown, kind, confident, suggestions[:4])


def corrected_question(tokens: list[str], fixes: dict[str, Fix], question: bool) -> str:
    """The whole question with every typo replaced by its most likely meaning."""
    text = " ".join(fixes[t].replacement if t in fixes else t for t in tokens)
    return text + ("?" if question else "")
