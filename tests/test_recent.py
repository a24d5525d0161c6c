"""The bot's in-process caches keep the most recently used values, up to their bound."""

from __future__ import annotations

from bot.recent import Recent


def test_recent_drops_the_least_recently_used_past_its_bound() -> None:
    kept: Recent[str, int] = Recent(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the newest
    kept.put("c", 3)  # so "b" goes
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)
    kept.put("a", 4)  # replacing a value makes it the newest too
    kept.put("d", 5)
    assert (kept.get("a"), kept.get("c"), kept.get("d")) == (4, None, 5)
    kept.pop("a")
    kept.pop("missing")  # forgetting what is not there is fine
    assert kept.get("a") is None and kept.get("d") == 5
    kept.clear()
    assert kept.get("d") is None
