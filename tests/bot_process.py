"""Run the bot exactly as the Procfile's `web` line does, on a free loopback port, for tests.

Standard library only, so the benchmarks use it too::

    with BotProcess(fake, db=tmp / "fwtrend.db") as bot:
        status, body, seconds = bot.post(slash_command_body(...))
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.fakes.slack_api import FakeSlack, signed_headers

ROOT = Path(__file__).resolve().parents[1]
SIGNING_SECRET = "8f742231b10e8888abcd99eeffaa85a5"
BOT_TOKEN = "xoxb-1234-5678-testtoken"
ADMIN = "UADMIN1"
TODAY = "2026-11-23"


def procfile_command(process: str = "web") -> list[str]:
    """The Procfile's command for ``process``, with `fwtrend` from this interpreter's venv."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            argv = shlex.split(command)
            if argv and argv[0] == "fwtrend":
                argv[0] = str(Path(sys.executable).with_name("fwtrend"))
            return argv
    raise KeyError(f"no {process!r} process in the Procfile")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(**settings: str) -> dict[str, str]:
    """This environment without proxies or developer settings, plus ``settings``.

    A proxy would send loopback requests elsewhere; a developer's SLACK_/FWTREND_ values would
    leak into the process under test. (Under pytest, conftest scrubs them already; benchmarks
    run without it.)
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.lower().endswith("_proxy") and not k.startswith(("SLACK_", "FWTREND_"))
    }
    env.update(settings)
    return env


def bot_env(fake: FakeSlack, db: Path, port: int, **extra: str) -> dict[str, str]:
    """A clean environment for the bot: no proxies, no developer settings, the fake as Slack."""
    env = child_env()
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        PORT=str(port),
        FWTREND_HOST="127.0.0.1",
        FWTREND_DB=str(db),
        FWTREND_TODAY=TODAY,
        FWTREND_ADMINS=ADMIN,
    )
    env.update(extra)
    return env


class BotProcess:
    """The web process, started from the Procfile and stopped by its pid (process group)."""

    def __init__(self, fake: FakeSlack, db: Path, *, ready_timeout: float = 30, **env: str):
        self.fake = fake
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = bot_env(fake, db, self.port, **env)
        self.ready_timeout = ready_timeout
        self.argv = procfile_command("web")
        self.process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()
        self._saved_log: str | None = None

    def start(self) -> BotProcess:
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn's worker stops with it
        )
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.close()  # a fixture that fails here never reaches its teardown
                raise RuntimeError(f"the bot exited with {code}:\n{self.log}")
            if self.ready():
                return self
        self.close()
        raise RuntimeError(f"the bot did not become ready:\n{self.log}")

    def ready(self) -> bool:
        """Whether the started bot serves yet (briefly waits when it does not)."""
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            time.sleep(0.05)
            return False

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def log(self) -> str:
        """Everything the process printed (kept after it stopped)."""
        if self._saved_log is not None:
            return self._saved_log
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def __enter__(self) -> BotProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the process and keep what it printed; the log file is closed (idempotent)."""
        self.stop()
        if self._saved_log is None:
            self._saved_log = self.log
            self._log.close()

    def post(
        self,
        body: bytes,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
        secret: str = SIGNING_SECRET,
        **signing: Any,
    ) -> tuple[int, bytes, float]:
        """POST a signed body to /slack/events: (status, body, seconds until the response)."""
        sent = signed_headers(body, secret, content_type=content_type, **signing)
        sent.update(headers or {})
        request = urllib.request.Request(self.url + "/slack/events", data=body, headers=sent)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read(), time.monotonic() - started
        except urllib.error.HTTPError as err:
            with err:
                return err.code, err.read(), time.monotonic() - started

    def get(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as err:
            with err:
                return err.code, dict(err.headers), err.read()
