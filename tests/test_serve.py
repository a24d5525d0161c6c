"""`fwtrend serve` refuses to start, clearly, when Slack settings are missing or wrong."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.server.serve import slack_config_problems
from bot.settings import Settings
from tests.bot_process import BOT_TOKEN, SIGNING_SECRET, bot_env, free_port, procfile_command
from tests.fakes.slack_api import FakeSlack


def serve(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*procfile_command("web"), *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(token=BOT_TOKEN) as server:
        yield server


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token-123456"}, "SLACK_BOT_TOKEN is malformed"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_SIGNING_SECRET": "not-a-secret"}, "SLACK_SIGNING_SECRET is malformed"),
        ({"FWTREND_PUBLIC_URL": "fwtrend.example"}, "FWTREND_PUBLIC_URL must be"),
        ({"PORT": "http"}, "invalid setting: PORT"),
        ({"FWTREND_ADMINS": "bob"}, "Slack user ids look like"),
    ],
)
def test_bad_settings_stop_start_up(
    fake: FakeSlack, tmp_path: Path, changes: dict[str, str], message: str
) -> None:
    env = bot_env(fake, tmp_path / "fwtrend.db", free_port())
    env.update(changes)
    result = serve(env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert SIGNING_SECRET not in result.stderr and BOT_TOKEN not in result.stderr
    assert fake.calls == []  # nothing was sent to Slack with bad settings
    assert not (tmp_path / "fwtrend.db").exists() or message.startswith("invalid")


def test_every_problem_is_listed_at_once(fake: FakeSlack, tmp_path: Path) -> None:
    env = bot_env(fake, tmp_path / "fwtrend.db", free_port())
    env.update(SLACK_BOT_TOKEN="", SLACK_SIGNING_SECRET="")
    result = serve(env)
    assert "SLACK_BOT_TOKEN is not set" in result.stderr
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr
    assert "README.md" in result.stderr


def test_token_slack_rejects_stops_start_up(fake: FakeSlack, tmp_path: Path) -> None:
    env = bot_env(fake, tmp_path / "fwtrend.db", free_port())
    env["SLACK_BOT_TOKEN"] = "xoxb-9999-revoked-token"
    result = serve(env)
    assert result.returncode == 2
    assert "Slack refused SLACK_BOT_TOKEN: invalid_auth" in result.stderr
    assert "revoked" not in result.stderr
    assert [c.method for c in fake.calls] == ["auth.test"]


def test_unreachable_slack_stops_start_up(tmp_path: Path) -> None:
    with FakeSlack() as gone:
        env = bot_env(gone, tmp_path / "fwtrend.db", free_port())
    result = serve(env)  # the fake has stopped: connection refused
    assert result.returncode == 2
    assert "cannot reach Slack at http://127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr


def test_socket_mode_needs_the_app_token(fake: FakeSlack, tmp_path: Path) -> None:
    env = bot_env(fake, tmp_path / "fwtrend.db", free_port())
    result = serve(env, "--socket")
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN is not set" in result.stderr
    env["SLACK_APP_TOKEN"] = "xoxb-not-an-app-token"
    assert "SLACK_APP_TOKEN is malformed" in serve(env, "--socket").stderr


def test_socket_mode_does_not_need_a_signing_secret() -> None:
    settings = Settings(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN="xapp-1-A1-123-abcdef")
    assert slack_config_problems(settings, socket=True) == []
    assert slack_config_problems(settings, socket=False) == [
        "SLACK_SIGNING_SECRET is not set (Basic Information → Signing Secret)"
    ]


LEAN_CHECK = """
import sys
from bot.server.wsgi import application
application()  # first, as in gunicorn's worker
from bot.server.serve import drain_answers
drain_answers()
print(sys.getswitchinterval())
print(",".join(m for m in sys.argv[1:] if m in sys.modules) or "none")
"""


def test_the_acknowledging_process_loads_no_refresh_digest_or_chart_code(
    fake: FakeSlack, tmp_path: Path
) -> None:
    # Refreshes, digests and charts run only in answer workers; loading them here would cost
    # the web process ~30 MB (httpx, rich, the live sources, numpy) for nothing.
    env = bot_env(fake, tmp_path / "fwtrend.db", free_port(), FWTREND_ANSWER_PROCESSES="1")
    heavy = [
        "httpx",
        "rich",
        "numpy",
        "matplotlib",
        "bot.live.refresh",
        "bot.live.sources",
        "bot.digest.content",
    ]
    python = str(Path(procfile_command("web")[0]).with_name("python"))
    done = subprocess.run(
        [python, "-c", LEAN_CHECK, *heavy], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    *_, switch, loaded = done.stdout.strip().splitlines()
    assert loaded == "none"
    # Its threads take shorter turns at the GIL than Python's 5 ms (see bot/server/wsgi.py).
    assert float(switch) == 0.001


def test_the_web_request_threads_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.server.serve import gunicorn_argv
    from bot.settings import Settings

    def threads(argv: list[str]) -> str:
        return argv[argv.index("--threads") + 1]

    monkeypatch.delenv("FWTREND_WEB_THREADS", raising=False)
    assert threads(gunicorn_argv(Settings())) == "8"  # the default, for a 2-core dyno
    monkeypatch.setenv("FWTREND_WEB_THREADS", "3")
    assert threads(gunicorn_argv(Settings())) == "3"
    monkeypatch.setenv("FWTREND_WEB_THREADS", "0")
    with pytest.raises(ValueError, match="FWTREND_WEB_THREADS"):
        Settings()
