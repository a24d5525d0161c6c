"""fwtrend: deep-learning framework trends with figures, charts and sources."""

__version__ = "0.1.0"
