"""Renderers that draw an Answer as a picture (charts)."""
