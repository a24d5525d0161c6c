"""The question parser's public names, kept here for older imports; see bot/understand/."""

from bot.understand import MAX_QUERY_CHARS, QueryError, Vocabulary, parse_query, tokenize

__all__ = ["MAX_QUERY_CHARS", "QueryError", "Vocabulary", "parse_query", "tokenize"]
