"""The bot's in-process caches keep the most recently used values, up to their bound."""

from __future__ import annotations

from bot.recent import Recent, RecentFor


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


class _Unhashable:
    __hash__ = None  # type: ignore[assignment]


def test_recent_for_finds_values_by_the_very_object_and_its_extra_key() -> None:
    kept: RecentFor[_Unhashable, str] = RecentFor(2)
    one, two = _Unhashable(), _Unhashable()
    kept.put(one, "one, bare")
    kept.put(one, "one, with chart", ("chart",))
    assert kept.get(one, ("chart",)) == "one, with chart"
    assert kept.get(one) == "one, bare"  # now the most recently used
    assert kept.get(two) is None  # another object, even an equal one, is another entry
    kept.put(two, "two")  # past the bound: the least recently used ("one, with chart") goes
    assert kept.get(one, ("chart",)) is None and kept.get(one) == "one, bare"
