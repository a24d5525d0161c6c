"""The curated knowledge base: knowledge/ loaded and validated, and the scoreboard's config."""

from bot.knowledge.load import (
    ALL,
    KnowledgeBase,
    KnowledgeError,
    check_knowledge,
    default_knowledge_dir,
    knowledge_digest,
    knowledge_files,
    load_knowledge,
)
from bot.knowledge.scoreboard import (
    ScoreboardConfig,
    ScoreFamily,
    Stance,
    TrendSpec,
    check_scoreboard,
)

__all__ = [
    "ALL",
    "KnowledgeBase",
    "KnowledgeError",
    "ScoreFamily",
    "ScoreboardConfig",
    "Stance",
    "TrendSpec",
    "check_knowledge",
    "check_scoreboard",
    "default_knowledge_dir",
    "knowledge_digest",
    "knowledge_files",
    "load_knowledge",
]
