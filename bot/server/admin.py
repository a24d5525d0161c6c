"""The admin gate: who may run `/fwtrend admin …`; every admin command passes through here."""

from __future__ import annotations

import logging
from collections.abc import Iterable

log = logging.getLogger("fwtrend.admin")

REFUSAL = (
    "Sorry, `/fwtrend admin {action}` is only for fwtrend admins. "
    "If you need it, ask an admin to add your Slack user id to `FWTREND_ADMINS`."
)
NO_ADMINS = (
    "`/fwtrend admin {action}` is switched off: no admins are configured. "
    "Set `FWTREND_ADMINS` to a comma-separated list of Slack user ids."
)


class AdminGate:
    """Checks a Slack user id against ``FWTREND_ADMINS``; refusals are logged."""

    def __init__(self, admins: Iterable[str]) -> None:
        self.admins = frozenset(a.strip() for a in admins if a.strip())

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admins

    def refusal(self, user_id: str, action: str) -> str | None:
        """None when ``user_id`` may run ``action``; otherwise the polite message to show."""
        if self.is_admin(user_id):
            log.info("admin %s by %s", action, user_id)
            return None
        # Ids only: they identify the attempt without putting names or message text in logs.
        log.warning("refused admin %s for non-admin user %s", action, user_id)
        template = REFUSAL if self.admins else NO_ADMINS
        return template.format(action=action or "…")
