"""Slack path under load: 200 signed slash commands, 20 at a time, against the real web process.

Reports acknowledgement latency p50/p99 and time until the answer reaches response_url
(p50/p95), for fwtrend (charts served from FWTREND_PUBLIC_URL, and charts uploaded to Slack)
and for a bare Bolt app that only acknowledges, under the same gunicorn command line (the floor);
plus the peak memory of every fwtrend process together (gunicorn master, the acknowledging
worker and its answer worker processes): the sum of their RSS, and of their PSS (shared pages
counted once). The targets are on the client's clock, which is what Slack sees; the same
acknowledgements on the server's own clock (gunicorn's access log) are printed beside them,
because on a 2-core machine the load generator and the fake Slack share the cores with the bot
and the answer work, and the difference between the two clocks is where that shows.
Targets, per mode (20 askers; a burst of 200): ack p99 <= 1.25x the bare app's in the same run;
answer p95 < 300 ms with askers, < 1.0 s for the burst; peak RSS of all processes < 300 MB.

The fake Slack runs in a process of its own: answering the bot's uploads and response_url
posts in the load generator's process would slow the generator's own threads (one GIL) and be
measured as the server's acknowledgement latency.

Run: python benchmarks/bench_slack.py
(BENCH_ANSWER_PROCESSES=N sets FWTREND_ANSWER_PROCESSES for the bot; BENCH_MODES=each or end
runs one load only.)
"""

from __future__ import annotations

import os
import re
import shutil
import socket
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
from bot.server.serve import gunicorn_argv  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import open_store  # noqa: E402
from tests.bot_process import SIGNING_SECRET, BotProcess, bot_env, free_port  # noqa: E402
from tests.fakes.slack_api import FakeSlack, signed_headers, slash_command_body  # noqa: E402

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

    def forget_calls(self) -> None:
        self.fake.forget_calls()

    def stop(self) -> None:
        self.fake.stop()


class SlackManager(BaseManager):
    pass


SlackManager.register("Slack", SlackElsewhere)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (gunicorn master, worker, answer workers, helpers)."""
    found, todo = [], [pid]
    while todo:
        each = todo.pop()
        found.append(each)
        try:
            for task in Path(f"/proc/{each}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _kib(path: str, field: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def process_tree_memory(pid: int) -> dict[int, tuple[int, int]]:
    """(RSS, PSS) in bytes of each process in the tree of ``pid``."""
    return {
        p: (_kib(f"/proc/{p}/status", "VmRSS:"), _kib(f"/proc/{p}/smaps_rollup", "Pss:"))
        for p in process_tree(pid)
    }


def role(pid: int, master: int) -> str:
    """What a process of the bot's tree is, from its command line."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return "gone"
    if pid == master:
        return "gunicorn master"
    for marker, name in (
        ("bot.workers.worker", "answer worker"),
        ("gunicorn", "acknowledging worker"),
    ):
        if marker in argv:
            return name
    return "other"


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.peak_pss, self._done = pid, 0, 0, threading.Event()
        self.each: dict[int, tuple[str, int, int]] = {}  # pid: (role, peak RSS, peak PSS)

    def run(self) -> None:
        while not self._done.is_set():
            memory = process_tree_memory(self.pid)
            rss = sum(r for r, _ in memory.values())
            pss = sum(p for _, p in memory.values())
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            for pid, (r, p) in memory.items():
                name, top_r, top_p = self.each.get(pid) or (role(pid, self.pid), 0, 0)
                self.each[pid] = (name, max(top_r, r), max(top_p, p))
            self._done.wait(0.1)

    def breakdown(self) -> str:
        """Each process's peak RSS/PSS by role (peaks need not coincide: the sums are sampled
        together, so they can be below the sum of these)."""
        mb = 2**20
        parts = sorted(self.each.values())
        return ", ".join(f"{name} {r / mb:.0f}/{p / mb:.0f}" for name, r, p in parts)

    def stop(self) -> tuple[int, int]:
        self._done.set()
        self.join()
        return self.peak, self.peak_pss


class Sender:
    """Sends pre-built, pre-signed requests over plain sockets and times each to its response.

    The load generator is Python on the same 2 cores as the bot: if building, signing and
    parsing each request (urllib, HMAC, the fake's proxy) ran inside the timed burst, 20
    sender threads would mostly be waiting for their own GIL, and the faster the server
    acknowledged, the more of them would be queued for it at once. Everything but the socket
    calls is done before the clock starts, so the times are the server's, as Slack sees them.
    """

    def __init__(self, url: str) -> None:
        host, _, port = url.removeprefix("http://").partition(":")
        self.address = (host, int(port))

    def request(self, body: bytes) -> bytes:
        headers = signed_headers(body, SIGNING_SECRET)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        return (
            f"POST /slack/events HTTP/1.1\r\nHost: {self.address[0]}:{self.address[1]}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n{head}\r\n"
        ).encode() + body

    def send(self, request: bytes) -> tuple[int, float]:
        """(HTTP status, seconds from connecting until the whole response has arrived)."""
        started = time.monotonic()
        with socket.create_connection(self.address, timeout=10) as sock:
            sock.sendall(request)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    raise RuntimeError("the server closed the connection before responding")
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            while length is None or len(rest) < int(length.group(1)):
                chunk = sock.recv(65536)
                if not chunk:  # no Content-Length: the body ends with the connection
                    break
                rest += chunk
        return int(head.split(None, 2)[1]), time.monotonic() - started


def fire(sender: Sender, fake: SlackElsewhere, label: str, *, answers: str) -> dict[str, float]:
    """Send COMMANDS commands from CONCURRENCY senders.

    answers="each": a sender waits for its answer before its next command (20 people asking);
    answers="end": senders only wait for the ack (a burst), answers are collected at the end;
    answers="none": acks only (the bare app has no answers).
    """
    hooks = [f"{label}-{i}" for i in range(COMMANDS)]
    requests = [
        sender.request(
            slash_command_body(
                QUESTIONS[i % len(QUESTIONS)], response_url=fake.response_url(hooks[i])
            )
        )
        for i in range(COMMANDS)
    ]
    sent: dict[str, float] = {}
    acks: list[float] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        started = time.monotonic()
        status, seconds = sender.send(requests[i])
        if status != 200:
            raise RuntimeError(f"{label}: HTTP {status}")
        with lock:
            sent[hooks[i]] = started
            acks.append(seconds)
        if answers == "each":
            fake.wait_for_hook(hooks[i], 60)
            with lock:
                latencies.append(fake.arrival(hooks[i]) - started)

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


class ServerClock:
    """The web server's own time per Slack request (gunicorn's access log, %(D)s: from the
    request's first byte read to its response's last byte written), beside the client's."""

    def __init__(self, directory: Path, name: str) -> None:
        self.path = directory / f"{name}-access.log"
        self.path.touch()
        self._offset = 0

    def env(self) -> str:
        """GUNICORN_CMD_ARGS that make gunicorn log each request's method, path and time."""
        return f"--access-logfile {self.path} --access-logformat '%(m)s %(U)s %(D)s'"

    def mark(self) -> None:
        """Count only the requests after this (not the warm-up)."""
        self._offset = self.path.stat().st_size

    def percentiles(self) -> dict[str, float]:
        with self.path.open() as log:
            log.seek(self._offset)
            times = [
                int(parts[2]) / 1e6
                for parts in (line.split() for line in log)
                if len(parts) == 3 and parts[:2] == ["POST", "/slack/events"]
            ]
        if not times:
            return {}
        return {"server_p50": percentile(times, 50), "server_p99": percentile(times, 99)}


def where(fake: SlackElsewhere) -> Any:
    """What BotProcess and bot_env read of a fake: its API URL."""
    return SimpleNamespace(api_url=fake.api_url())


def run_fwtrend(
    fake: SlackElsewhere, db: Path, *, public: bool, answers: str
) -> tuple[dict[str, float], tuple[int, int], str]:
    bot = BotProcess(where(fake), db)
    if public:
        bot.env["FWTREND_PUBLIC_URL"] = bot.url
    if os.environ.get("BENCH_ANSWER_PROCESSES"):  # default: the product's own default
        bot.env["FWTREND_ANSWER_PROCESSES"] = os.environ["BENCH_ANSWER_PROCESSES"]
    clock = ServerClock(db.parent, f"fwtrend-{public}-{answers}")
    bot.env["GUNICORN_CMD_ARGS"] = clock.env()
    with bot:
        fire(Sender(bot.url), fake, "warmup", answers="end")  # first charts, caches, thread start
        fake.forget_calls()  # the uploads stay, as they do in Slack
        clock.mark()
        sampler = RssSampler(bot.pid)
        sampler.start()
        result = fire(Sender(bot.url), fake, "fwtrend", answers=answers)
        memory = sampler.stop()
    return result | clock.percentiles(), memory, sampler.breakdown()


def bare_argv(port: int) -> list[str]:
    """fwtrend's own gunicorn command line (threads, timeouts, keep-alive) serving the bare app.

    Only the product's config hook (it drains answer workers the bare app doesn't have) and
    the app itself differ, so the floor is measured under exactly the web process's settings.
    """
    argv = gunicorn_argv(Settings(host="127.0.0.1", port=port))
    hook = argv.index("--config")
    del argv[hook : hook + 2]
    return [*argv[:-1], "benchmarks.bare_bolt_app:api"]


def run_bare(fake: SlackElsewhere, db: Path) -> dict[str, float]:
    port = free_port()
    env = bot_env(where(fake), db, port)
    clock = ServerClock(db.parent, "bare")
    env["GUNICORN_CMD_ARGS"] = clock.env()
    argv = bare_argv(port)
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
        fire(Sender(bot.url), fake, "bare-warmup", answers="none")
        clock.mark()
        return fire(Sender(bot.url), fake, "bare", answers="none") | clock.percentiles()
    finally:
        os.killpg(process.pid, 15)
        process.wait(10)


TARGET_RATIO = 1.25
TARGET_ANSWER = {"20 askers": 0.300, "burst": 1.0}
TARGET_RSS = 300 * 2**20


def main() -> None:
    runs: list[tuple[str, str, dict[str, float], tuple[int, int]]] = []
    breakdowns: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "fwtrend.db"
        open_store(db, default_knowledge_dir()).close()
        manager = SlackManager()
        manager.start()
        if os.environ.get("BENCH_NICE_SLACK"):
            os.setpriority(
                os.PRIO_PROCESS, manager._process.pid, int(os.environ["BENCH_NICE_SLACK"])
            )  # type: ignore[attr-defined]
        fake = manager.Slack()  # type: ignore[attr-defined]
        try:
            for public in (True, False):
                for answers in os.environ.get("BENCH_MODES", "each,end").split(","):
                    result, memory, each = run_fwtrend(fake, db, public=public, answers=answers)
                    charts = "served charts" if public else "uploaded charts"
                    load = "20 askers" if answers == "each" else "burst"
                    runs.append((f"fwtrend, {charts}, {load}", load, result, memory))
                    breakdowns.append((f"{charts}, {load}", each))
                    fake.reset()
            bare = run_bare(fake, db)
        finally:
            fake.stop()
            manager.shutdown()
        shutil.rmtree(Path(tmp) / "fwtrend-charts", ignore_errors=True)
    ms, mb = 1000, 2**20
    print(
        f"{COMMANDS} signed slash commands from {CONCURRENCY} concurrent senders on loopback, "
        f"{len(QUESTIONS)} different questions.\n'20 askers': each sender waits for its answer "
        "before the next command; 'burst': senders only wait for the ack."
    )
    print(
        f"{'':38}{'ack p50':>9}{'ack p99':>9}{'ratio':>7}{'answer p50':>12}{'answer p95':>12}"
        f"{'RSS':>8}{'PSS':>8}"
    )
    print(
        f"{'bare Bolt app (ack only)':38}"
        f"{bare['ack_p50'] * ms:>7.1f}ms{bare['ack_p99'] * ms:>7.1f}ms"
    )
    for label, _, r, (rss, pss) in runs:
        ratio = r["ack_p99"] / bare["ack_p99"]
        print(
            f"{label:38}{r['ack_p50'] * ms:>7.1f}ms{r['ack_p99'] * ms:>7.1f}ms{ratio:>6.2f}x"
            f"{r['answer_p50'] * ms:>10.1f}ms{r['answer_p95'] * ms:>10.1f}ms"
            f"{rss / mb:>6.0f}MB{pss / mb:>6.0f}MB"
        )
    print(
        "The same acknowledgements timed by the web server itself (gunicorn's access log: "
        "first byte read to last byte written; the client's time adds connecting, waiting to "
        "be accepted, and the load generator's own threads):"
    )
    for label, r in [("bare Bolt app (ack only)", bare)] + [(x[0], x[2]) for x in runs]:
        if "server_p99" in r:
            print(
                f"  {label:36}p50 {r['server_p50'] * ms:5.1f} ms  p99 {r['server_p99'] * ms:5.1f} "
                f"ms  ({r['server_p99'] / bare.get('server_p99', r['server_p99']):.2f}x)"
            )
    print("Peak memory per process, RSS/PSS in MB:")
    for label, each in breakdowns:
        print(f"  {label}: {each}")
    for load, target in TARGET_ANSWER.items():
        mine = [(r, memory) for _, kind, r, memory in runs if kind == load]
        if not mine:  # BENCH_MODES left this load out
            continue
        ratio = max(r["ack_p99"] for r, _ in mine) / bare["ack_p99"]
        answer = max(r["answer_p95"] for r, _ in mine)
        rss = max(memory[0] for _, memory in mine)
        verdict = [
            "ok" if ratio <= TARGET_RATIO else "MISSED",
            "ok" if answer < target else "MISSED",
            "ok" if rss < TARGET_RSS else "MISSED",
        ]
        print(
            f"{load}: worst ack p99 {ratio:.2f}x the bare app (target <= {TARGET_RATIO}x, "
            f"{verdict[0]}); worst answer p95 {answer * ms:.0f} ms (target < {target * ms:.0f} "
            f"ms, {verdict[1]}); peak RSS of all processes {rss / mb:.0f} MB (target < "
            f"{TARGET_RSS / mb:.0f} MB, {verdict[2]})"
        )


if __name__ == "__main__":
    main()
