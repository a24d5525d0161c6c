"""The acknowledging side of the answer workers: hand jobs over, survive a crash, drain on exit."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_for
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from bot.answer_worker import init_worker, run_job
from bot.jobs import Job, JobResult
from bot.replies import Origin
from bot.reply_charts import LATE_CHART_POLL

log = logging.getLogger("fwtrend.pool")

START_TIMEOUT = 60.0  # seconds for every worker to open its engine at start-up
# (origin, why): tell the user their answer is lost; never silence.
OnLost = Callable[[Origin, str], None]


class AnswerPool:
    """A ProcessPoolExecutor of answer workers that replaces itself when a worker dies.

    A crashed worker breaks the whole executor (every job on it fails with BrokenProcessPool),
    so the executor is retired, its leftover workers are killed (none may deliver after the
    retry starts), and each job it had is retried once on a fresh executor. A job that fails
    twice, or cannot finish before shutdown, gets the user an apology instead of silence.
    """

    def __init__(self, processes: int, *, socket: bool, on_lost: OnLost) -> None:
        self.processes = processes
        self._socket = socket
        self._on_lost = on_lost
        # spawn, not fork: this process runs threads (Bolt's, gunicorn's), and a fork would
        # copy their held locks; a spawned worker imports and opens everything itself.
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._pending: dict[str, tuple[Job, Future[JobResult]]] = {}
        self._timers: set[threading.Timer] = set()
        self._draining = False
        self._closed = False

    # ------------------------------------------------------------ intake

    def start(self) -> None:
        """Spawn every worker now (each opens its engine), so the first answers are not slow."""
        with self._lock:
            executor = self._current()
            pings = [executor.submit(run_job, Job(kind="ping")) for _ in range(self.processes)]
        done, _ = wait_for(pings, timeout=START_TIMEOUT)
        # Each worker logs its own "ready" line; pings may all land on the first one up, so
        # their count says only that the pool answers.
        answered = sum(1 for f in done if not f.exception())
        if answered:
            log.info("answer pool of %d worker process(es) is answering", self.processes)
        else:
            log.warning("no answer worker replied within %.0f s of start", START_TIMEOUT)

    def submit(self, job: Job) -> None:
        """Hand a job to a worker; returns at once (the acknowledgement is not kept waiting)."""
        with self._lock:
            if self._closed:
                executor = None
            else:
                executor = self._current()
                try:
                    future = executor.submit(run_job, job)
                except (BrokenProcessPool, RuntimeError):
                    # Broken a moment ago, before its manager retired it: start afresh.
                    self._executor = None
                    executor = self._current()
                    future = executor.submit(run_job, job)
                self._pending[job.id] = (job, future)
        if executor is None:
            self._lost(job, "the web process is shutting down")
            return
        future.add_done_callback(partial(self._finished, job, executor))

    def _current(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.processes,
                mp_context=self._context,
                initializer=init_worker,
                initargs=(self._socket,),
            )
        return self._executor

    # ------------------------------------------------------------ outcomes

    def _finished(self, job: Job, executor: ProcessPoolExecutor, future: Future[JobResult]) -> None:
        with self._lock:
            mine = self._pending.get(job.id, (None, None))[1] is future
            if mine:
                del self._pending[job.id]
            elif self._closed:
                return  # drain already apologised for it
        try:
            result = future.result()
        except BrokenProcessPool:
            self._retire(executor)
            if job.attempt == 0 and not self._closed:
                log.warning("an answer worker died; retrying job %s on a fresh one", job.id)
                self.submit(job.model_copy(update={"attempt": 1}))
            else:
                self._lost(job, "answer workers died twice")
            return
        except CancelledError:
            self._lost(job, "cancelled at shutdown")
            return
        except Exception as exc:  # noqa: BLE001 - e.g. a job that would not pickle
            self._lost(job, f"{type(exc).__name__} handing the job over")
            return
        for follow in result.follow_up:
            self._later(follow)

    def _retire(self, executor: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is executor:
                self._executor = None
        # The executor only SIGTERMs its workers, which ignore that; SIGKILL, so no job of the
        # broken executor can still deliver while its retry runs.
        for process in list(getattr(executor, "_processes", {}).values()):
            if process.is_alive() and process.pid:
                try:
                    os.kill(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def _later(self, job: Job) -> None:
        """Run ``job`` again after a pause (a chart Slack is still processing)."""
        with self._lock:
            if self._draining:
                log.info("shutting down: not waiting for late chart of job %s", job.id)
                return
            timer = threading.Timer(LATE_CHART_POLL, self._fire, [job])
            timer.daemon = True
            self._timers.add(timer)
        timer.start()

    def _fire(self, job: Job) -> None:
        with self._lock:
            self._timers = {t for t in self._timers if t.is_alive()}
        self.submit(job)

    def _lost(self, job: Job, why: str) -> None:
        if job.origin is None or job.kind in ("late_chart", "ping"):
            log.warning("job %s (%s) dropped: %s", job.id, job.kind, why)
            return
        self._on_lost(job.origin, why)

    # ------------------------------------------------------------ shutdown

    def drain(self, timeout: float) -> None:
        """Stop taking late charts, let jobs in flight finish for up to ``timeout`` seconds,
        apologise for any still unfinished, and stop the workers."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._draining = True
            for timer in self._timers:
                timer.cancel()
        while True:
            with self._lock:
                futures = [future for _, future in self._pending.values()]
            left = deadline - time.monotonic()
            if not futures or left <= 0:
                break
            wait_for(futures, timeout=left)  # a retry adds a future: look again
        with self._lock:
            self._closed = True
            unfinished = [job for job, _ in self._pending.values()]
            self._pending.clear()
            executor, self._executor = self._executor, None
        if unfinished:
            log.warning(
                "%d answer(s) unfinished after %.0f s of shutdown", len(unfinished), timeout
            )
        for job in unfinished:
            self._lost(job, "unfinished at shutdown")
        if executor is not None:
            if unfinished:
                self._retire(executor)
            executor.shutdown(wait=not unfinished, cancel_futures=True)
        log.info("answer workers stopped")
