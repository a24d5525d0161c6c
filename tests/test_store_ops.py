"""Operating the store: choosing it, unreachable databases, secrets, migrations, moving data."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.answers import Engine
from bot.live.refresh import run_refresh
from bot.settings import Settings
from bot.slack.state import BotState, SavedAnswer
from bot.store import open_store
from bot.store.chart_files import ChartFiles
from tests.bot_process import BOT_TOKEN, SIGNING_SECRET, BotProcess, child_env
from tests.conftest import KNOWLEDGE
from tests.fakes.data_apis import FakeDataAPIs
from tests.fakes.slack_api import FakeSlack, slash_command_body
from tests.pg import query, store_env

PASSWORD = "s3cret-Pa55word"
# Nothing listens on port 1: every connection is refused at once.
UNREACHABLE = f"postgresql://fwtrend:{PASSWORD}@127.0.0.1:1/fwtrend_prod"
FWTREND = str(Path(sys.executable).with_name("fwtrend"))
DAY = date(2026, 11, 23)


def fwtrend(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FWTREND, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def apis() -> Iterator[FakeDataAPIs]:
    with FakeDataAPIs() as server:
        yield server


@pytest.mark.parametrize(
    "command",
    [
        ["serve"],
        ["db", "upgrade"],
        ["ask", "pytorch", "github-stars"],
        ["clock"],
        ["refresh"],
        ["status"],
        ["digest", "--preview"],
    ],
)
def test_an_unreachable_database_is_one_clear_line_and_exit_2(command: list[str]) -> None:
    env = child_env(
        DATABASE_URL=UNREACHABLE,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        FWTREND_DIGEST_CHANNELS="C1",
    )
    result = fwtrend(*command, env=env)
    assert result.returncode == 2, result.stderr
    assert "cannot reach the store PostgreSQL fwtrend@127.0.0.1:1/fwtrend_prod" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_a_malformed_database_url_is_refused_without_echoing_it() -> None:
    result = fwtrend("status", env=child_env(DATABASE_URL=f"mysql://u:{PASSWORD}@h/db"))
    assert result.returncode == 2 and "DATABASE_URL" in result.stderr
    assert "postgresql://" in result.stderr and PASSWORD not in result.stderr


def test_heroku_style_url_and_status_name_the_backend(pg_url: str) -> None:
    heroku = pg_url.replace("postgresql://", "postgres://", 1)
    upgrade = fwtrend("db", "upgrade", env=child_env(DATABASE_URL=heroku))
    assert upgrade.returncode == 0, upgrade.stderr
    assert "PostgreSQL postgres@127.0.0.1:5432/" in upgrade.stdout
    assert "6 migrations applied" in upgrade.stdout and "knowledge reloaded" in upgrade.stdout
    status = fwtrend("status", env=child_env(DATABASE_URL=heroku))
    assert status.returncode == 0, status.stderr
    assert "Store: PostgreSQL postgres@127.0.0.1:5432/fwtrend_test_" in status.stdout
    assert (
        "0 migrations applied"
        in fwtrend("db", "upgrade", env=child_env(DATABASE_URL=heroku)).stdout
    )


def test_release_steps_started_together_migrate_and_load_once(pg_url: str, tmp_path: Path) -> None:
    for env in (child_env(DATABASE_URL=pg_url), child_env(FWTREND_DB=str(tmp_path / "x.db"))):
        procs = [
            subprocess.Popen(
                [FWTREND, "db", "upgrade"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        outputs = [(p.wait(120), *p.communicate()) for p in procs]
        assert [code for code, _, _ in outputs] == [0, 0, 0], outputs
        said = sorted(out.split(": ", 1)[1].strip() for _, out, _ in outputs)
        assert said[0].startswith("0 migrations applied") and said[-1].startswith("6 migrations")
        assert sum("knowledge reloaded" in s for s in said) == 1, said


def test_db_copy_moves_the_history_into_an_empty_postgres(
    tmp_path: Path, pg_url: str, apis: FakeDataAPIs, engine: Engine
) -> None:
    db = tmp_path / "fwtrend.db"
    source = open_store(db, KNOWLEDGE)
    for day in (date(2026, 11, 16), DAY):
        run_refresh(
            source,
            Settings(**apis.settings_fields()),
            names=["github"],
            today=day,
            client_options={"min_interval": 0.0},
        )
    BotState(source).save_answer(SavedAnswer(answer=engine.ask("pytorch github-stars")))
    chart = ChartFiles(source, b"k").save(b"\x89PNG chart")
    source.claim_digest("C1", "2026-W48", "clock", force=False, ttl=timedelta(minutes=5))
    live = query(
        source,
        "select metric, framework, segment, date, value, series, fetched_at "
        "from points where origin = 'live' order by series, date",
    )
    source.close()

    env = child_env(FWTREND_DB=str(db))
    result = fwtrend("db", "copy", "--to", pg_url, env=env)
    assert result.returncode == 0, result.stderr
    assert "verified" in result.stdout and "refresh_runs" in result.stdout
    counts = {
        line.split()[0]: int(line.split()[1].replace(",", ""))
        for line in result.stdout.splitlines()[1:]
    }
    assert counts["refresh_runs"] == 2 and counts["points"] == len(live) > 0
    assert counts["answers"] == 1 and counts["charts"] == 1 and counts["digest_log"] == 1

    target = open_store(pg_url, KNOWLEDGE)
    copied = query(
        target,
        "select metric, framework, segment, date, value, series, fetched_at "
        "from points where origin = 'live' order by series, date",
    )
    assert [(r[0], r[1], r[2], r[3].isoformat(), r[4], r[5]) for r in copied] == [
        r[:6] for r in live
    ]
    assert ChartFiles(target, b"k").read(chart) == b"\x89PNG chart"
    assert target.latest("github-stars", "pytorch", limit=1)[0].origin == "live"
    assert target.meta("live_version") == "2"
    target.close()

    again = fwtrend("db", "copy", "--to", pg_url, env=env)
    assert again.returncode == 2 and "is not empty" in again.stderr
    assert "Traceback" not in again.stderr


def test_web_process_answers_from_postgres_that_a_refresh_process_filled(
    pg_url: str, tmp_path: Path, apis: FakeDataAPIs
) -> None:
    apis.set_github_repo("pytorch/pytorch", stargazers_count=123_457)
    with (
        FakeSlack() as slack,
        BotProcess(slack, tmp_path / "unused.db", DATABASE_URL=pg_url) as bot,
    ):
        refreshed = fwtrend(
            "refresh",
            "--source",
            "github",
            env=child_env(**apis.env(), **store_env(pg_url), FWTREND_TODAY="2026-11-23"),
        )
        assert refreshed.returncode == 0, refreshed.stderr
        body = slash_command_body("pytorch github-stars", response_url=slack.response_url("q1"))
        status, _, _ = bot.post(body)
        assert status == 200
        [reply] = slack.wait_for_hook("q1", timeout=20)
        assert "123,457 stars" in json.dumps(reply["blocks"])
        assert not (tmp_path / "unused.db").exists()  # the web process never touched SQLite
