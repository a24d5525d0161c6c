"""What crosses between the acknowledging process and an answer worker: jobs, results, frames."""

from __future__ import annotations

import json
import random
import select
import struct
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_core import PydanticSerializationError

from bot.server.replies import Origin, Triage
from bot.slack.charts import LateChart

# command: a triaged slash command; converse: text still to triage (mentions, DMs, the
# "Run …" button); share / data: a saved answer's buttons; late_chart: check once on an upload
# Slack is still processing; stop: finish what is queued before this, then exit (shutdown).
JobKind = Literal["command", "converse", "share", "data", "late_chart", "stop"]

# A frame is a length and JSON, as multiprocessing.connection frames a message, so either end
# reads it with Connection.recv_bytes.
HEADER = struct.Struct("!i")
# The kernel writes a pipe write of at most PIPE_BUF bytes whole, never interleaved with
# another writer's: frames this small go from any request thread without a lock.
ATOMIC_FRAME = select.PIPE_BUF


class Job(BaseModel):
    """One piece of work after the acknowledgement, plain data so it crosses as JSON."""

    kind: JobKind
    origin: Origin | None = None
    # Only needs to be unique among jobs in flight (it names them in logs and pipes); the
    # secrets module would read the kernel's entropy in a syscall on every acknowledgement.
    id: str = Field(default_factory=lambda: f"{random.getrandbits(48):012x}")
    triage: Triage | None = None
    text: str = Field(default="", description="converse: what the user typed.")
    value: str = Field(default="", description="share / data: the saved answer's id.")
    late: LateChart | None = None
    attempt: int = Field(default=0, description="0, or 1 for the retry after a crashed worker.")


class JobResult(BaseModel):
    """What a worker hands back: that it is ready, or that a job is done and what follows it."""

    pid: int
    job_id: str = Field(default="", description="The finished job; empty in the ready notice.")
    ready: bool = Field(default=False, description="Sent once, when the worker can take jobs.")
    follow_up: list[Job] = Field(default_factory=list)


def encode(message: BaseModel) -> bytes:
    """``message`` as UTF-8 JSON."""
    try:
        return message.model_dump_json().encode()
    except PydanticSerializationError:
        # A lone surrogate (Slack's JSON may escape one into a message) has no UTF-8 form; it
        # crosses as "?" rather than losing the whole question.
        data = message.model_dump(mode="json")
        return json.dumps(data, ensure_ascii=False).encode("utf-8", "replace")


def frame(message: BaseModel) -> bytes:
    """``message`` as one frame (length, then JSON)."""
    payload = encode(message)
    return HEADER.pack(len(payload)) + payload
