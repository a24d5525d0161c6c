"""One answer worker process and the pipes to it, as the acknowledging process sees them."""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
import time
from multiprocessing.connection import Connection

from bot.workers.jobs import Job

log = logging.getLogger("fwtrend.pool")

WORKER_MODULE = "bot.workers.worker"
# Room for about a thousand queued jobs per worker before a request thread would have to hand
# its job to the spill thread (the default pipe holds 64 KB). Linux caps it at
# /proc/sys/fs/pipe-max-size (1 MB unless raised); a smaller pipe only spills sooner.
PIPE_BYTES = 1 << 20


class WorkerGone(Exception):
    """The worker process has exited: nothing written to it now will be read."""


class WorkerSlot:
    """A worker process with three pipes: small jobs, large jobs, and results coming back.

    Small jobs are written by the request threads themselves, each frame in one non-blocking
    write (whole or not at all: see ATOMIC_FRAME), so an acknowledgement never waits on a lock
    or another thread. Larger frames, and frames for a full pipe, go through the pool's one
    spill thread on the second pipe, where a blocking write can't hold up a request.
    """

    def __init__(self, number: int, *, socket: bool, start_at: float = 0.0) -> None:
        self.number = number
        self.socket = socket
        self.start_at = start_at  # monotonic time to start at (0: now); a crash loop backs off
        # job id → job: written to this worker and not reported done. Request threads add,
        # the pool's reader removes; whoever pops a job owns what happens to it next.
        self.pending: dict[str, Job] = {}
        self.ready = False
        self.gone = False
        self.failures = 0  # deaths in a row before becoming ready (for the back-off)
        self.process: subprocess.Popen[bytes] | None = None
        jobs_in, self._jobs = os.pipe()
        bulk_in, self._bulk = os.pipe()
        results, results_out = os.pipe()
        try:
            fcntl.fcntl(self._jobs, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        except OSError:
            pass  # over this system's pipe-max-size: the default size still works
        os.set_blocking(self._jobs, False)
        self.results = Connection(results, writable=False)
        self._child_fds: tuple[int, ...] = (jobs_in, bulk_in, results_out)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        """Start the worker process; jobs written before it is up wait in its pipes."""
        jobs_in, bulk_in, results_out = self._child_fds
        argv = [sys.executable, "-m", WORKER_MODULE]
        argv += ["--jobs", str(jobs_in), "--bulk", str(bulk_in), "--results", str(results_out)]
        if self.socket:
            argv.append("--socket")
        # fork+exec happens in C (no Python runs in the child before exec), so starting it
        # from a process full of threads is safe; close_fds leaves the child only these three.
        self.process = subprocess.Popen(argv, pass_fds=self._child_fds, stdin=subprocess.DEVNULL)
        for fd in self._child_fds:
            os.close(fd)
        self._child_fds = ()

    # ------------------------------------------------------------ writing jobs

    def send_nowait(self, data: bytes) -> bool:
        """Write one frame of at most ATOMIC_FRAME bytes; False if the pipe is full."""
        try:
            written = os.write(self._jobs, data)
        except BlockingIOError:
            return False
        except OSError as exc:  # EPIPE: the worker has exited
            raise WorkerGone from exc
        if written != len(data):  # the kernel promises whole writes up to PIPE_BUF
            raise RuntimeError(f"pipe took {written} of {len(data)} bytes")
        return True

    def send(self, data: bytes) -> None:
        """Write a frame of any size on the large-job pipe, waiting for room (spill thread)."""
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._bulk, view) :]
        except OSError as exc:
            raise WorkerGone from exc

    # ------------------------------------------------------------ ending

    def kill(self) -> None:
        """SIGKILL the worker: none of its jobs may still deliver once they are retried."""
        if self.process and self.process.poll() is None:
            try:
                os.kill(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def reap(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for the process to exit; True if it has."""
        if self.process is None:
            return True
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def close(self) -> None:
        """Close this side's pipes, once no request thread can still be writing to them."""
        for fd in (self._jobs, self._bulk, *self._child_fds):
            try:
                os.close(fd)
            except OSError:
                pass
        self._child_fds = ()
        self.results.close()
