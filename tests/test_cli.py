"""The `fwtrend` console script, run as a real process: answers, JSON, charts and exit codes."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

FWTREND = shutil.which("fwtrend") or str(Path(sys.executable).with_name("fwtrend"))


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FWTREND_", "SLACK_"))}
    base.update({"FWTREND_DB": str(tmp_path / "cli.db"), "FWTREND_TODAY": "2026-11-23"}, **env)
    return subprocess.run(
        [FWTREND, *args], capture_output=True, text=True, env=base, timeout=60, check=False
    )


def test_cli_ask_answers_offline(tmp_path: Path) -> None:
    result = run(["ask", "pytorch", "hf-models"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Hugging Face models" in result.stdout
    assert "85,000" in result.stdout
    assert "Sources:" in result.stdout
    assert (tmp_path / "cli.db").exists()


def test_cli_python_m_bot_is_the_same(tmp_path: Path) -> None:
    a = run(["ask", "github-stars"], tmp_path)
    b = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "github-stars"],
        capture_output=True,
        text=True,
        env={**os.environ, "FWTREND_DB": str(tmp_path / "cli.db"), "FWTREND_TODAY": "2026-11-23"},
        check=False,
    )
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout


def test_cli_json_and_chart(tmp_path: Path) -> None:
    chart = tmp_path / "out" / "stars.png"
    result = run(
        ["ask", "--json", "--chart", str(chart), "pytorch tensorflow github-stars"], tmp_path
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["chart"] == str(chart)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert {f["framework"] for f in data["figures"]} == {"pytorch", "tensorflow"}
    assert data["text"].startswith("GitHub stars")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["ask", "pytroch", "hf-mdls"], "pytorch"),
        (["ask", "compare", "pytorch"], "two frameworks"),
        (["ask", "x" * 5000], "under 400"),
    ],
)
def test_cli_bad_input_exit_2_without_traceback(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    result = run(args, tmp_path)
    assert result.returncode == 2
    assert needle in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_cli_bad_json_input_reports_error_object(tmp_path: Path) -> None:
    result = run(["ask", "--json", "tensorflw", "strs"], tmp_path)
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False and "tensorflow" in data["error"]["suggestions"]


def test_cli_empty_ask_shows_help(tmp_path: Path) -> None:
    result = run(["ask"], tmp_path)
    assert result.returncode == 0
    assert "pytorch hf-models" in result.stdout


def test_cli_help_is_fast_and_skips_heavy_imports(tmp_path: Path) -> None:
    code = (
        "import sys; from bot.cli import cli; cli.main(['help'], standalone_mode=False);"
        "heavy = [m for m in ('pandas', 'matplotlib', 'slack_bolt', 'sqlite_utils') "
        "if m in sys.modules]; print('HEAVY', heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "HEAVY []" in result.stdout
    assert not (tmp_path / "cli.db").exists()


def test_cli_bad_settings_and_paths(tmp_path: Path) -> None:
    result = run(["ask", "stars"], tmp_path, FWTREND_TODAY="yesterday")
    assert result.returncode == 2 and "invalid setting" in result.stderr
    result = run(["ask", "stars"], tmp_path, FWTREND_DB=str(tmp_path / "missing" / "x.db"))
    assert result.returncode == 2 and "does not exist" in result.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    result = run(["ask", "stars"], tmp_path, FWTREND_DB=str(junk))
    assert result.returncode == 1 and "cannot use the store" in result.stderr
    assert "Traceback" not in result.stderr
    assert junk.read_bytes() == b"this is not a database" * 100


def test_cli_ask_does_not_write_after_first_load(tmp_path: Path) -> None:
    assert run(["ask", "stars"], tmp_path).returncode == 0
    db = tmp_path / "cli.db"
    conn = sqlite3.connect(db)
    conn.execute("pragma wal_checkpoint(truncate)")
    before = conn.execute("select count(*), max(rowid) from points").fetchone()
    changes_before = conn.execute("select total_changes()").fetchone()
    conn.close()
    for question in ["pytorch hf-models", "claims", "sources", "what about keras?"]:
        run(["ask", question], tmp_path)
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*), max(rowid) from points").fetchone() == before
    assert changes_before is not None
    conn.close()


def test_cli_kb_check(tmp_path: Path) -> None:
    ok = run(["kb", "check"], tmp_path)
    assert ok.returncode == 0 and "claims" in ok.stdout
    broken = tmp_path / "kb"
    shutil.copytree(Path(__file__).parents[1] / "knowledge", broken)
    claims = next((broken / "claims").glob("*.yaml"))
    claims.write_text(claims.read_text().replace("metric: ", "metric: no-such-", 1))
    (broken / "sources.yaml").write_text(
        (broken / "sources.yaml").read_text().replace("kind: ", "kind: rumour-", 1)
    )
    bad = run(["kb", "check", "--dir", str(broken)], tmp_path)
    assert bad.returncode == 2
    assert f"{claims.relative_to(broken).as_posix()}:" in bad.stderr
    assert "figures.0.metric" in bad.stderr and "unknown metric" in bad.stderr
    assert "sources.yaml" in bad.stderr and ": kind:" in bad.stderr


def test_cli_db_upgrade_idempotent(tmp_path: Path) -> None:
    from bot.store import migrations

    first = run(["db", "upgrade"], tmp_path)
    names = [m.name for m in migrations._migrations]
    assert first.returncode == 0 and f"{len(names)} migrations applied" in first.stdout
    assert all(name in first.stdout for name in names) and "knowledge reloaded" in first.stdout
    second = run(["db", "upgrade"], tmp_path)
    assert "0 migrations applied" in second.stdout and "already current" in second.stdout


def test_cli_usage_error_exit_2(tmp_path: Path) -> None:
    result = run(["ask", "--bogus"], tmp_path)
    assert result.returncode == 2 and "No such option" in result.stderr


def test_cli_status_reports_the_store(tmp_path: Path) -> None:
    result = run(["status"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "fwtrend 0.1.0" in result.stdout and "Last refresh: never" in result.stdout
    assert "repostory-github-history — " in result.stdout and "points" in result.stdout
