"""An answer worker process: opens its own engine, store and Slack client once, then runs the
jobs its acknowledging process writes to its pipes (`python -m bot.workers.worker`)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection, wait

from bot.server.replies import Replier
from bot.slack.charts import LateChart
from bot.workers.jobs import Job, JobResult, encode

log = logging.getLogger("fwtrend.worker")

# Workers yield the CPU to the acknowledging process: on a small dyno, an ack that waits for a
# core behind an answer would miss the floor the whole design is for.
WORKER_NICENESS = 10

# A worker whose acknowledging process is gone (SIGKILLed, OOM-killed, restarted by gunicorn)
# has nobody to take its results, and it ignores SIGTERM: it finishes the job it is running,
# for at most as long as a deploy's drain, then exits instead of lingering as an orphan.
PARENT_POLL_SECONDS = 0.5
ORPHAN_GRACE_SECONDS = 20.0

_PARENT = os.getppid()  # the acknowledging process that started this one
_replier: Replier | None = None
_late: list[LateChart] = []
_idle = threading.Event()
_idle.set()


def init_worker(socket: bool) -> None:
    """Open everything a job needs, once per worker process."""
    global _replier
    # A platform's SIGTERM reaches every process of the dyno; the acknowledging process decides
    # when a worker stops (after the answers in flight), so a worker finishes what it runs.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(WORKER_NICENESS)
    threading.Thread(target=_exit_when_orphaned, name="fwtrend-orphan-watch", daemon=True).start()

    from bot.cli import load_settings, open_engine
    from bot.server.serve import build_replier, configure_logging, freeze_startup_objects

    configure_logging()
    settings = load_settings()
    _replier = build_replier(settings, open_engine(settings), socket=socket, late=_late.append)
    freeze_startup_objects()
    log.info("answer worker ready (pid %d)", os.getpid())


def serve_jobs(jobs: Connection, bulk: Connection, results: Connection) -> None:
    """Run each job as it comes, on either pipe, until a stop job or the pipes' end."""
    results.send_bytes(encode(JobResult(pid=os.getpid(), ready=True)))
    open_pipes = [jobs, bulk]
    while open_pipes:
        for pipe in wait(open_pipes):
            assert isinstance(pipe, Connection)
            try:
                job = Job.model_validate_json(pipe.recv_bytes())
            except EOFError:  # the acknowledging process is gone
                open_pipes.remove(pipe)
                continue
            if job.kind == "stop":
                return
            results.send_bytes(encode(run_job(job)))
    _say_orphaned()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.workers.worker")
    for name in ("jobs", "bulk", "results"):
        parser.add_argument(f"--{name}", type=int, required=True, help="an inherited pipe fd")
    parser.add_argument("--socket", action="store_true", help="the bot runs in Socket Mode")
    args = parser.parse_args(argv)
    jobs = Connection(args.jobs, writable=False)
    bulk = Connection(args.bulk, writable=False)
    results = Connection(args.results, readable=False)
    try:
        init_worker(args.socket)
    except Exception as exc:  # noqa: BLE001 - one line; the pool starts another after a pause
        # The first line only: the settings were checked by the web process already, and a
        # validation error's later lines would echo the values it read.
        why = str(exc).splitlines()[0] if str(exc) else ""
        log.error("answer worker %d could not start: %s: %s", os.getpid(), type(exc).__name__, why)
        return 1
    try:
        serve_jobs(jobs, bulk, results)
    except (BrokenPipeError, EOFError):
        pass  # the acknowledging process is gone; nobody is left to report to
    return 0


def _say_orphaned() -> None:
    log.warning("answer worker %d: its web process %d is gone; exiting", os.getpid(), _PARENT)


def _exit_when_orphaned() -> None:
    # While a job runs the pipes are not read, so only this notices the parent's death then.
    while os.getppid() == _PARENT:
        time.sleep(PARENT_POLL_SECONDS)
    _say_orphaned()
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


if __name__ == "__main__":
    sys.exit(main())
