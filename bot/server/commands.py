"""What a Slack user typed (slash command, mention or DM) → a Command; pure, no Slack."""

from __future__ import annotations

import html
import re
from typing import Literal

from pydantic import BaseModel

Action = Literal["ask", "help", "admin", "digest"]

# Subcommands of `/fwtrend admin …`; later issues add to this tuple, the gate covers them all.
ADMIN_ACTIONS: tuple[str, ...] = ("status", "refresh")
HELP_WORDS = {"help", "?", "-h", "--help", "usage"}

_USER_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]*)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[^|>]*)?(?:\|[^>]*)?>")


class Command(BaseModel):
    """One request to the bot, before any answer is computed."""

    action: Action
    text: str = ""
    admin_action: str | None = None
    admin_args: list[str] = []


def clean_slack_text(text: str) -> str:
    """Plain text from Slack's message markup: mentions of the bot gone, links as their label.

    Slack escapes &, < and > and wraps mentions, channels and links in <…>; the parser must
    see what the user typed, never markup (and never ping anyone by echoing it back).
    """
    text = _USER_MENTION.sub(" ", text)
    text = _CHANNEL.sub(lambda m: "#" + m.group(1), text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _SPECIAL.sub(" ", text)
    return " ".join(html.unescape(text).split())


def parse_command(text: str) -> Command:
    """Route the text: help, an admin subcommand, or a question for the answer engine."""
    cleaned = clean_slack_text(text)
    words = cleaned.split()
    if not words or (len(words) == 1 and words[0].lower() in HELP_WORDS):
        return Command(action="help")
    if len(words) == 1 and words[0].lower() == "digest":
        return Command(action="digest", text=cleaned)
    if words[0].lower() == "admin":
        sub = words[1].lower() if len(words) > 1 else None
        return Command(action="admin", text=cleaned, admin_action=sub, admin_args=words[2:])
    return Command(action="ask", text=cleaned)
