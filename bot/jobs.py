"""What crosses from the acknowledging process to an answer worker: jobs and their results."""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import BaseModel, Field

from bot.replies import Origin, Triage
from bot.reply_charts import LateChart

# command: a triaged slash command; converse: text still to triage (mentions, DMs, the
# "Run …" button); share / data: a saved answer's buttons; late_chart: check once on an upload
# Slack is still processing; ping: start a worker (and its engine) before traffic comes.
JobKind = Literal["command", "converse", "share", "data", "late_chart", "ping"]


class Job(BaseModel):
    """One piece of work after the acknowledgement, plain data so it pickles across processes."""

    kind: JobKind
    origin: Origin | None = None
    id: str = Field(default_factory=lambda: secrets.token_hex(6))
    triage: Triage | None = None
    text: str = Field(default="", description="converse: what the user typed.")
    value: str = Field(default="", description="share / data: the saved answer's id.")
    late: LateChart | None = None
    attempt: int = Field(default=0, description="0, or 1 for the retry after a crashed worker.")


class JobResult(BaseModel):
    """What a worker hands back: who ran it, and any work to do again later."""

    job_id: str
    pid: int
    follow_up: list[Job] = Field(default_factory=list)
