"""An answer worker process: opens its own engine, store and Slack client once, then runs jobs."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

from bot.jobs import Job, JobResult
from bot.replies import Replier
from bot.reply_charts import LateChart

log = logging.getLogger("fwtrend.worker")

# Workers yield the CPU to the acknowledging process: on a small dyno, an ack that waits for a
# core behind an answer would miss the floor the whole design is for.
WORKER_NICENESS = 10

# A worker whose acknowledging process is gone (SIGKILLed, OOM-killed, restarted by gunicorn)
# has nobody to take its results, and it ignores SIGTERM: it finishes the job it is running,
# for at most as long as a deploy's drain, then exits instead of lingering as an orphan.
PARENT_POLL_SECONDS = 0.5
ORPHAN_GRACE_SECONDS = 20.0

_replier: Replier | None = None
_late: list[LateChart] = []
_idle = threading.Event()
_idle.set()


def init_worker(socket: bool) -> None:
    """Run once per worker process (ProcessPoolExecutor's initializer)."""
    global _replier
    # A platform's SIGTERM reaches every process of the dyno; the acknowledging process decides
    # when a worker stops (after the answers in flight), so a worker finishes what it runs.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(WORKER_NICENESS)
    parent = os.getppid()
    threading.Thread(
        target=_exit_when_orphaned, args=(parent,), name="fwtrend-orphan-watch", daemon=True
    ).start()

    from bot.cli import load_settings, open_engine
    from bot.serve import build_replier, configure_logging, freeze_startup_objects

    configure_logging()
    settings = load_settings()
    _replier = build_replier(settings, open_engine(settings), socket=socket, late=_late.append)
    freeze_startup_objects()
    log.info("answer worker ready (pid %d)", os.getpid())


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    log.warning("answer worker %d: its web process %d is gone; exiting", os.getpid(), parent)
    _idle.wait(ORPHAN_GRACE_SECONDS)  # let a reply that is under way reach the user
    os._exit(0)


def run_job(job: Job) -> JobResult:
    """Do one job and deliver its reply; a failure is reported to the user, never raised."""
    _idle.clear()
    try:
        return _run_job(job)
    finally:
        _idle.set()


def _run_job(job: Job) -> JobResult:
    replier = _replier
    assert replier is not None, "init_worker runs first"
    _late.clear()
    if job.kind == "late_chart":
        assert job.late is not None
        try:
            again = replier.late_chart_step(job.late)
        except Exception:  # noqa: BLE001 - the answer itself went; only its chart is lost
            log.exception("late chart %s failed", job.late.file_id)
            again = None
        follow = [job.model_copy(update={"late": again})] if again else []
        return JobResult(job_id=job.id, pid=os.getpid(), follow_up=follow)
    if job.kind != "ping":
        assert job.origin is not None
        _run(replier, job)
    follow = [Job(kind="late_chart", origin=job.origin, late=late) for late in _late]
    return JobResult(job_id=job.id, pid=os.getpid(), follow_up=follow)


def _run(replier: Replier, job: Job) -> None:
    origin = job.origin
    assert origin is not None
    try:
        if job.kind == "command":
            assert job.triage is not None
            replier.run(job.triage, origin)
        elif job.kind == "converse":
            replier.run(replier.triage(job.text, origin.user_id), origin)
        elif job.kind == "share":
            replier.share(job.value, origin)
        elif job.kind == "data":
            replier.send_data(job.value, origin)
    except Exception:  # noqa: BLE001 - the user must hear back, whatever broke
        replier.report_failure(origin)
