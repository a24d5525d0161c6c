"""Understanding questions as people type them: normalising, vocabulary, intents, typos, periods."""

from bot.understand.errors import QueryError
from bot.understand.normalize import tokenize
from bot.understand.parse import MAX_QUERY_CHARS, parse_query
from bot.understand.vocabulary import Vocabulary

__all__ = ["MAX_QUERY_CHARS", "QueryError", "Vocabulary", "parse_query", "tokenize"]
