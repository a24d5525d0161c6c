"""The answer workers' plumbing on its own: frames, work after the response, a worker that
cannot start."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

import pytest

from bot.server import after_response as after
from bot.server.replies import Origin
from bot.workers import pool as pool_module
from bot.workers.jobs import ATOMIC_FRAME, HEADER, Job, JobResult, encode, frame
from bot.workers.pool import AnswerPool

ORIGIN = Origin(user_id="U1", channel_id="C1", response_url="https://hooks.example/x")


# ---------------------------------------------------------------- frames


def test_a_frame_is_a_length_then_the_job_as_json() -> None:
    job = Job(kind="converse", origin=ORIGIN, text="pytorch github-stars since 2020")
    data = frame(job)
    (length,) = HEADER.unpack(data[: HEADER.size])
    assert length == len(data) - HEADER.size
    assert Job.model_validate_json(data[HEADER.size :]) == job
    # A typical job fits one atomic pipe write, so request threads need no lock.
    assert len(data) < ATOMIC_FRAME // 2


def test_a_lone_surrogate_crosses_as_a_question_mark() -> None:
    job = Job(kind="converse", origin=ORIGIN, text="jax\ud800 stars é")
    assert Job.model_validate_json(encode(job)).text == "jax? stars é"


def test_job_ids_differ() -> None:
    assert len({Job(kind="stop").id for _ in range(1000)}) == 1000


# ---------------------------------------------------------------- after the response


def _start_response(status: str, headers: list[tuple[str, str]]) -> None:
    pass


def test_work_handed_on_runs_only_when_the_response_is_closed() -> None:
    ran: list[str] = []

    def app(environ: dict[str, object], start_response: Callable[..., None]) -> Iterable[bytes]:
        after.after_response(lambda: ran.append("job"))
        return [b"ack"]

    body = after.serve_then_run(app, {}, _start_response)  # type: ignore[arg-type]
    assert list(body) == [b"ack"] and ran == []
    body.close()  # type: ignore[attr-defined]
    assert ran == ["job"]
    after.after_response(lambda: ran.append("outside"))  # no request: runs at once
    assert ran == ["job", "outside"]


def test_work_handed_on_still_runs_when_the_app_fails_or_a_call_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[str] = []

    def boom() -> None:
        raise RuntimeError("hand-off failed")

    def app(environ: dict[str, object], start_response: Callable[..., None]) -> Iterable[bytes]:
        after.after_response(boom)
        after.after_response(lambda: ran.append("second"))
        raise ValueError("the app broke")

    with caplog.at_level(logging.ERROR), pytest.raises(ValueError):
        after.serve_then_run(app, {}, _start_response)  # type: ignore[arg-type]
    assert ran == ["second"]  # the failing call did not drop the next
    assert "work handed on after a response failed" in caplog.text


# ---------------------------------------------------------------- a worker that cannot start


def test_a_worker_that_cannot_start_is_retried_with_a_pause_and_its_job_apologised_for(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Under pytest no SLACK_* settings reach the worker, so it exits at start-up, every time.
    monkeypatch.setattr(pool_module, "START_TIMEOUT", 4.0)
    lost: list[tuple[Origin, str]] = []
    pool = AnswerPool(1, socket=False, on_lost=lambda origin, why: lost.append((origin, why)))
    with caplog.at_level(logging.INFO, logger="fwtrend"):
        pool.start()
        pool.submit(Job(kind="converse", origin=ORIGIN, text="pytorch github-stars"))
        deadline = time.monotonic() + 10
        while "next try in" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.1)
        pool.drain(1.0)
    assert "not every answer worker was ready" in caplog.text
    assert "before it was ready; next try in 1 s" in caplog.text
    # One start and one retry at most in these seconds: a back-off, not a tight loop.
    assert caplog.text.count("before it was ready") <= 3
    assert lost == [(ORIGIN, "unfinished at shutdown")] or lost == [
        (ORIGIN, "answer workers died twice")
    ]
    assert "answer workers stopped" in caplog.text
    submitted_late: list[tuple[Origin, str]] = []
    pool._on_lost = lambda origin, why: submitted_late.append((origin, why))
    pool.submit(Job(kind="command", origin=ORIGIN))
    assert submitted_late == [(ORIGIN, "the web process is shutting down")]


def test_job_results_say_ready_or_done() -> None:
    ready = JobResult.model_validate_json(encode(JobResult(pid=7, ready=True)))
    assert ready.ready and ready.job_id == ""
    done = JobResult.model_validate_json(encode(JobResult(pid=7, job_id="abc")))
    assert not done.ready and done.job_id == "abc"
