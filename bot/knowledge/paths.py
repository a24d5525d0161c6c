"""Where the knowledge base lives, for the loader and the lexicon alike (no other imports)."""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).parent.parent / "_knowledge"
_CHECKOUT = Path(__file__).parent.parent.parent / "knowledge"


def default_knowledge_dir() -> Path:
    """The knowledge base shipped in the wheel, or the checkout's when running from source."""
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT
