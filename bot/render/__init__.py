"""Renderers that turn an Answer into something to show: terminal text, JSON, charts."""
