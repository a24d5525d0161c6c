"""The acknowledging side of the answer workers: hand jobs over, survive a crash, drain on exit."""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait

from bot.server.replies import Origin
from bot.slack.charts import LATE_CHART_POLL
from bot.workers.jobs import ATOMIC_FRAME, Job, JobResult, frame
from bot.workers.slot import WorkerGone, WorkerSlot

log = logging.getLogger("fwtrend.pool")

START_TIMEOUT = 60.0  # seconds for every worker to open its engine at start-up
# The reader sleeps this long after the first result of a batch, so that a burst of results
# costs the acknowledging process a few wake-ups a second, not one per answer. Nothing a user
# sees waits on it: workers deliver answers themselves.
GATHER_SECONDS = 0.02
TICK_SECONDS = 0.5  # the reader's longest sleep (late charts due, dead workers to clear)
# A dead worker's pipes stay open this long, so that a request thread that picked it a moment
# before it died gets EPIPE (and hands its job elsewhere), never a reused descriptor.
CLOSE_AFTER_SECONDS = 30.0
STOP_SECONDS = 3.0  # for idle workers to exit after their stop job, before SIGKILL
# A worker that dies before it is ready (a bad deploy, a missing database) is started again
# after 1, 2, 4 … 30 s, not in a tight loop.
MAX_BACKOFF_SECONDS = 30.0
# (origin, why): tell the user their answer is lost; never silence.
OnLost = Callable[[Origin, str], None]


class AnswerPool:
    """Answer worker processes fed by the request threads, replacing any worker that dies.

    The request thread that acknowledged a job writes it to the least-busy worker's pipe
    itself: no lock, no queue thread, no process pool manager competing for the GIL with the
    next acknowledgement. One reader thread collects what workers report (done, ready, late
    charts to look at again) in batches, and notices a worker's death by the end of its results
    pipe. A dead worker's jobs are retried once on another; a job that fails twice, or cannot
    finish before shutdown, gets the user an apology instead of silence.
    """

    def __init__(self, processes: int, *, socket: bool, on_lost: OnLost) -> None:
        self.processes = processes
        self._socket = socket
        self._on_lost = on_lost
        self._slots: tuple[WorkerSlot, ...] = ()  # replaced whole, never changed in place
        self._turn = itertools.count()  # which worker a tie goes to, in turn
        self._lock = threading.Lock()  # slot replacement and shutdown; never on the ack path
        self._spill: queue.SimpleQueue[tuple[Job, bytes] | None] = queue.SimpleQueue()
        self._spilled: dict[str, Job] = {}  # waiting for the spill thread
        self._due: list[tuple[float, int, Job]] = []  # late-chart checks; the reader's alone
        self._dead: list[tuple[float, WorkerSlot]] = []  # (close its pipes at, slot)
        self._wake, self._wake_in = os.pipe()  # a byte here wakes the reader (shutdown)
        self._all_ready = threading.Event()
        self._draining = False
        self._closed = False
        self._stop = False
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------ start

    def start(self) -> None:
        """Start every worker now (each opens its engine), so the first answers are not slow."""
        slots = tuple(WorkerSlot(n, socket=self._socket) for n in range(self.processes))
        for slot in slots:
            slot.start()
        self._slots = slots
        for target, name in ((self._read, "reader"), (self._write_spilled, "spill")):
            thread = threading.Thread(target=target, name=f"fwtrend-pool-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        if self._all_ready.wait(START_TIMEOUT):
            log.info("answer pool of %d worker process(es) is answering", self.processes)
        else:
            log.warning("not every answer worker was ready within %.0f s of start", START_TIMEOUT)

    # ------------------------------------------------------------ intake (request threads)

    def submit(self, job: Job) -> None:
        """Hand a job to a worker; returns at once (the acknowledgement is not kept waiting)."""
        if self._closed:
            self._lost(job, "the web process is shutting down")
            return
        data = frame(job)
        if len(data) <= ATOMIC_FRAME:
            for slot in self._by_load():
                slot.pending[job.id] = job
                try:
                    if slot.send_nowait(data):
                        return
                except WorkerGone:
                    pass  # died a moment ago: the reader will replace it
                if slot.pending.pop(job.id, None) is None:
                    return  # the reader took it from the dead worker and retries it
        # Too big for one atomic write, or every pipe is full: the spill thread waits for room.
        self._spilled[job.id] = job
        self._spill.put((job, data))

    def _by_load(self) -> list[WorkerSlot]:
        slots = self._slots
        turn = next(self._turn) % max(1, len(slots))
        rotated = slots[turn:] + slots[:turn]
        return sorted((s for s in rotated if not s.gone), key=lambda s: len(s.pending))

    def _write_spilled(self) -> None:
        while (item := self._spill.get()) is not None:
            job, data = item
            while self._spilled.get(job.id) is job:
                slots = self._by_load()
                if not slots:
                    time.sleep(0.1)  # every worker is being replaced
                    continue
                slot = slots[0]
                slot.pending[job.id] = job
                try:
                    slot.send(data)
                    self._spilled.pop(job.id, None)
                except WorkerGone:
                    if slot.pending.pop(job.id, None) is None:
                        self._spilled.pop(job.id, None)  # the reader retries it

    # ------------------------------------------------------------ what workers report

    def _read(self) -> None:
        while not self._stop:
            slots = [s for s in self._slots if not s.gone]
            timeout = TICK_SECONDS
            if self._due:
                timeout = max(0.0, min(timeout, self._due[0][0] - time.monotonic()))
            ready = wait([self._wake, *(s.results for s in slots)], timeout)
            if ready and ready != [self._wake]:
                time.sleep(GATHER_SECONDS)
            for slot in slots:
                self._collect(slot)
            if self._wake in ready:
                os.read(self._wake, 64)
            self._run_due()
            self._clear_dead()

    def _collect(self, slot: WorkerSlot) -> None:
        """Take every report waiting from ``slot``; a closed pipe means the worker is dead."""
        try:
            while slot.results.poll():
                self._reported(slot, JobResult.model_validate_json(slot.results.recv_bytes()))
        except (EOFError, OSError):
            self._died(slot)

    def _reported(self, slot: WorkerSlot, result: JobResult) -> None:
        if result.ready:
            slot.ready, slot.failures = True, 0
            if all(s.ready for s in self._slots):
                self._all_ready.set()
            return
        slot.pending.pop(result.job_id, None)
        for follow in result.follow_up:
            if self._draining:
                log.info("shutting down: not waiting for late chart of job %s", follow.id)
            else:
                heapq.heappush(self._due, (time.monotonic() + LATE_CHART_POLL, id(follow), follow))

    def _run_due(self) -> None:
        if self._draining:
            for _, _, job in self._due:
                log.info("shutting down: not waiting for late chart of job %s", job.id)
            self._due.clear()
        now = time.monotonic()
        while self._due and self._due[0][0] <= now:
            self.submit(heapq.heappop(self._due)[2])
        for slot in self._slots:
            if slot.process is None and slot.start_at <= now and not self._closed:
                slot.start()

    # ------------------------------------------------------------ crashes

    def _died(self, slot: WorkerSlot) -> None:
        slot.gone = True
        slot.kill()
        slot.reap(1.0)
        code = slot.process.returncode if slot.process else None
        failures = 0 if slot.ready else slot.failures + 1
        with self._lock:
            if not self._closed:
                delay = min(MAX_BACKOFF_SECONDS, 2.0 ** (failures - 1)) if failures else 0.0
                fresh = WorkerSlot(slot.number, socket=self._socket)
                fresh.failures, fresh.start_at = failures, time.monotonic() + delay
                self._slots = tuple(fresh if s is slot else s for s in self._slots)
                if delay:
                    log.warning(
                        "answer worker %s exited (%s) before it was ready; next try in %.0f s",
                        slot.pid,
                        code,
                        delay,
                    )
                else:
                    fresh.start()
            self._dead.append((time.monotonic() + CLOSE_AFTER_SECONDS, slot))
        self._rescue(slot)

    def _rescue(self, slot: WorkerSlot) -> None:
        """Retry once, elsewhere, every job a dead worker had not finished."""
        for job_id in list(slot.pending):
            job = slot.pending.pop(job_id, None)
            if job is None:
                continue  # finished, or a request thread took it back
            if job.attempt == 0 and not self._closed:
                log.warning("an answer worker died; retrying job %s on a fresh one", job.id)
                self.submit(job.model_copy(update={"attempt": 1}))
            else:
                self._lost(job, "answer workers died twice")

    def _clear_dead(self) -> None:
        now = time.monotonic()
        for close_at, slot in list(self._dead):
            # A job written in the instant the worker was exiting lands after the first rescue.
            self._rescue(slot)
            if close_at <= now:
                self._dead.remove((close_at, slot))
                slot.close()

    def _lost(self, job: Job, why: str) -> None:
        if job.origin is None or job.kind in ("late_chart", "stop"):
            log.warning("job %s (%s) dropped: %s", job.id, job.kind, why)
            return
        self._on_lost(job.origin, why)

    # ------------------------------------------------------------ shutdown

    def _in_flight(self) -> int:
        return len(self._spilled) + sum(len(s.pending) for s in self._slots)

    def drain(self, timeout: float) -> None:
        """Stop taking late charts, let jobs in flight finish for up to ``timeout`` seconds,
        apologise for any still unfinished, and stop the workers."""
        deadline = time.monotonic() + timeout
        self._draining = True
        os.write(self._wake_in, b"\0")  # the reader drops the late charts it was waiting for
        while self._in_flight() and time.monotonic() < deadline:
            time.sleep(0.05)
        with self._lock:
            self._closed = True
            slots = self._slots
        unfinished = list(self._spilled.values())
        self._spilled.clear()
        self._spill.put(None)
        for slot in slots:
            mine = [job for job_id in list(slot.pending) if (job := slot.pending.pop(job_id, None))]
            unfinished += mine
            if mine:
                slot.kill()  # none may deliver after its user has been told it is lost
                continue
            try:
                slot.send_nowait(frame(Job(kind="stop")))
            except WorkerGone:
                pass
        if unfinished:
            log.warning(
                "%d answer(s) unfinished after %.0f s of shutdown", len(unfinished), timeout
            )
        for job in unfinished:
            self._lost(job, "unfinished at shutdown")
        stop_by = time.monotonic() + STOP_SECONDS
        for slot in slots:
            if not slot.reap(max(0.0, stop_by - time.monotonic())):
                slot.kill()
                slot.reap(1.0)
        self._stop = True
        os.write(self._wake_in, b"\0")
        for thread in self._threads:
            thread.join(2.0)
        log.info("answer workers stopped")
