"""Dates with a precision: "2022", "2022-12", "2022-12-31" or a range "2023-01/2023-03"."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, model_validator

Precision = Literal["day", "month", "year", "range"]

_PART = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def _bounds(text: str) -> tuple[date, date, Precision]:
    match = _PART.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date like 2022, 2022-12 or 2022-12-31")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is None:
        return date(year, 1, 1), date(year, 12, 31), "year"
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} has no month {month}")
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return date(year, month, 1), date(year, month, last), "month"
    return date(year, month, day), date(year, month, day), "day"


class Period(BaseModel):
    """A point or span in time as precise as the evidence allows."""

    text: str
    start: date
    end: date
    precision: Precision

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, date):
            value = value.isoformat()
        if isinstance(value, int):
            value = str(value)
        if isinstance(value, str):
            return parse_period_fields(value)
        return value

    @property
    def label(self) -> str:
        """Human form: 'Dec 2022', '2022', '12 Mar 2023', 'Jan–Mar 2023'."""
        return format_period(self)

    def __str__(self) -> str:
        return self.text


def parse_period_fields(text: str) -> dict[str, Any]:
    """Split a period string into its fields; raises ValueError on bad input."""
    text = str(text).strip()
    if "/" in text:
        left, right = text.split("/", 1)
        start, _, _ = _bounds(left)
        _, end, _ = _bounds(right)
        if end < start:
            raise ValueError(f"{text!r} ends before it starts")
        return {"text": text, "start": start, "end": end, "precision": "range"}
    start, end, precision = _bounds(text)
    return {"text": text, "start": start, "end": end, "precision": precision}


def parse_period(text: str) -> Period:
    """Parse a period string such as '2022-12' into a Period."""
    return Period.model_validate(text)


def format_period(period: Period) -> str:
    """Human-readable form of a period."""
    start, end = period.start, period.end
    if period.precision == "year":
        return str(start.year)
    if period.precision == "month":
        return start.strftime("%b %Y")
    if period.precision == "day":
        return f"{start.day} {start.strftime('%b %Y')}"
    if start.year == end.year:
        return f"{start.strftime('%b')}–{end.strftime('%b %Y')}"
    return f"{start.strftime('%b %Y')}–{end.strftime('%b %Y')}"


def describe_age(then: date, today: date) -> str:
    """How old a piece of evidence is, in words: '3 months old', '6 years old'."""
    days = (today - then).days
    if days < 0:
        return "dated in the future"
    if days < 2:
        return "current"
    if days < 60:
        return f"{days} days old"
    months = round(days / 30.44)
    if months < 24:
        return f"{months} months old"
    years = days / 365.25
    return f"{years:.0f} years old" if years >= 3 else f"{years:.1f} years old"
