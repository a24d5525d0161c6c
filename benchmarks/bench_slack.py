"""Slack path under load: 200 signed slash commands, 20 at a time, against the real web process.

Reports acknowledgement latency p50/p99 and time until the answer reaches response_url
(p50/p95), for fwtrend (charts served from FWTREND_PUBLIC_URL, and charts uploaded to Slack)
and for a bare Bolt app that only acknowledges, under the same gunicorn settings (the floor);
plus the server's peak memory (gunicorn master + worker RSS).
Targets: ack p99 < 100 ms and within 1.5x of the bare app; answer p95 < 500 ms; RSS < 250 MB.

The fake Slack runs in a process of its own: answering the bot's uploads and response_url
posts in the load generator's process would slow the generator's own threads (one GIL) and be
measured as the server's acknowledgement latency.

Run: python benchmarks/bench_slack.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.managers import BaseManager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for name in list(os.environ):  # loopback only: a proxy would take the requests elsewhere
    if name.lower().endswith("_proxy"):
        del os.environ[name]

from bot.knowledge import default_knowledge_dir  # noqa: E402
from bot.store import open_store  # noqa: E402
from tests.bot_process import BotProcess, bot_env, free_port  # noqa: E402
from tests.fakes.slack_api import FakeSlack, slash_command_body  # noqa: E402

COMMANDS = 200
CONCURRENCY = 20
QUESTIONS = [
    "pytorch tensorflow github-stars since 2020",
    "pytorch hf-models",
    "github-stars",
    "compare pytorch tensorflow",
    "pytorch conference-share",
    "keras github-forks 2018-2021",
    "so-questions",
    "claims hugging-face",
]


class SlackElsewhere:
    """A FakeSlack living in the manager's process; methods return plain, picklable values."""

    def __init__(self) -> None:
        self.fake = FakeSlack().start()

    def api_url(self) -> str:
        return self.fake.api_url

    def response_url(self, name: str) -> str:
        return self.fake.response_url(name)

    def wait_for_hook(self, name: str, timeout: float) -> None:
        self.fake.wait_for_hook(name, timeout=timeout)

    def arrival(self, name: str) -> float:
        """When the answer (the first successful post) reached response_url(name)."""
        path = "/hooks/" + name
        for _ in range(100):  # the fake records the call a moment after it stores the payload
            calls = self.fake.calls_to("hook")
            times = [c.time for c in calls if c.status == 200 and c.path == path]
            if times:
                return min(times)
            time.sleep(0.01)
        raise RuntimeError(f"no recorded call for {name}")

    def reset(self) -> None:
        self.fake.reset()

    def stop(self) -> None:
        self.fake.stop()


class SlackManager(BaseManager):
    pass


SlackManager.register("Slack", SlackElsewhere)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def process_tree_rss(pid: int) -> int:
    """RSS in bytes of a process and its children (gunicorn master + worker)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, process_tree_rss(self.pid))
            self._done.wait(0.02)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


def fire(post, fake: SlackElsewhere, label: str, *, answers: str) -> dict[str, float]:
    """Send COMMANDS commands from CONCURRENCY senders.

    answers="each": a sender waits for its answer before its next command (20 people asking);
    answers="end": senders only wait for the ack (a burst), answers are collected at the end;
    answers="none": acks only (the bare app has no answers).
    """
    sent: dict[str, float] = {}
    acks: list[float] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        hook = f"{label}-{i}"
        question = QUESTIONS[i % len(QUESTIONS)]
        body = slash_command_body(question, response_url=fake.response_url(hook))
        started = time.monotonic()
        status, _, seconds = post(body)
        if status != 200:
            raise RuntimeError(f"{label}: HTTP {status}")
        with lock:
            sent[hook] = started
            acks.append(seconds)
        if answers == "each":
            fake.wait_for_hook(hook, 60)
            with lock:
                latencies.append(fake.arrival(hook) - started)

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, range(COMMANDS)))
    if answers == "end":
        for hook, started in sent.items():
            fake.wait_for_hook(hook, 120)
            latencies.append(fake.arrival(hook) - started)
    result = {"ack_p50": percentile(acks, 50), "ack_p99": percentile(acks, 99)}
    if latencies:
        result |= {"answer_p50": percentile(latencies, 50), "answer_p95": percentile(latencies, 95)}
    return result


def where(fake: SlackElsewhere) -> Any:
    """What BotProcess and bot_env read of a fake: its API URL."""
    return SimpleNamespace(api_url=fake.api_url())


def run_fwtrend(
    fake: SlackElsewhere, db: Path, *, public: bool, answers: str
) -> tuple[dict[str, float], int]:
    bot = BotProcess(where(fake), db)
    if public:
        bot.env["FWTREND_PUBLIC_URL"] = bot.url
    with bot:
        fire(bot.post, fake, "warmup", answers="end")  # first charts, caches, thread start
        fake.reset()
        sampler = RssSampler(bot.pid)
        sampler.start()
        result = fire(bot.post, fake, "fwtrend", answers=answers)
        return result, sampler.stop()


def run_bare(fake: SlackElsewhere, db: Path) -> dict[str, float]:
    port = free_port()
    env = bot_env(where(fake), db, port)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    argv = [
        gunicorn,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        "32",
        "--no-control-socket",
        "benchmarks.bare_bolt_app:api",
    ]
    process = subprocess.Popen(
        argv,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    bot = BotProcess(where(fake), db)
    bot.url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if bot.post(b"x", secret="0" * 32)[0] == 401:  # up, verifying signatures
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the bare Bolt app did not start")
            time.sleep(0.1)
        fire(bot.post, fake, "bare-warmup", answers="none")
        return fire(bot.post, fake, "bare", answers="none")
    finally:
        os.killpg(process.pid, 15)
        process.wait(10)


def main() -> None:
    runs: list[tuple[str, dict[str, float], int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "fwtrend.db"
        open_store(db, default_knowledge_dir()).close()
        manager = SlackManager()
        manager.start()
        fake = manager.Slack()  # type: ignore[attr-defined]
        try:
            for public in (True, False):
                for answers in os.environ.get("BENCH_MODES", "each,end").split(","):
                    result, rss = run_fwtrend(fake, db, public=public, answers=answers)
                    charts = "served charts" if public else "uploaded charts"
                    load = "20 askers" if answers == "each" else "burst"
                    runs.append((f"fwtrend, {charts}, {load}", result, rss))
                    fake.reset()
            bare = run_bare(fake, db)
        finally:
            fake.stop()
            manager.shutdown()
        shutil.rmtree(Path(tmp) / "fwtrend-charts", ignore_errors=True)
    runs.append(("bare Bolt app (ack only)", bare, 0))
    ms = 1000
    print(
        f"{COMMANDS} signed slash commands from {CONCURRENCY} concurrent senders on loopback, "
        f"{len(QUESTIONS)} different questions.\n'20 askers': each sender waits for its answer "
        "before the next command; 'burst': senders only wait for the ack."
    )
    print(f"{'':42}{'ack p50':>9}{'ack p99':>9}{'answer p50':>12}{'answer p95':>12}{'RSS':>8}")
    for label, r, rss in runs:
        answer = (
            f"{r['answer_p50'] * ms:>10.1f}ms{r['answer_p95'] * ms:>10.1f}ms"
            if "answer_p50" in r
            else f"{'—':>12}{'—':>12}"
        )
        memory = f"{rss / 2**20:>6.0f}MB" if rss else f"{'—':>8}"
        print(f"{label:42}{r['ack_p50'] * ms:>7.1f}ms{r['ack_p99'] * ms:>7.1f}ms{answer}{memory}")
    askers = [r for label, r, _ in runs if "askers" in label]
    worst_ack = max(r["ack_p99"] for r in askers)
    worst_answer = max(r["answer_p95"] for r in askers)
    peak = max(rss for _, _, rss in runs)
    print(
        f"20 askers: worst ack p99 {worst_ack * ms:.1f} ms (target < 100 ms), "
        f"{worst_ack / bare['ack_p99']:.2f}x the bare app's p99 (target ≤ 1.5x); "
        f"worst answer p95 {worst_answer * ms:.0f} ms (target < 500 ms)"
    )
    print(f"peak server RSS (master + worker) {peak / 2**20:.0f} MB (target < 250 MB)")


if __name__ == "__main__":
    main()
