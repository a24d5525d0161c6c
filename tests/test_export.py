"""The data behind an answer: answer_csv, and `fwtrend ask --csv` run as the real console script."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from bot.answers import Engine
from bot.models import Query
from bot.render.csv_export import COLUMNS, answer_csv

from .test_cli import run


def rows_of(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def test_answer_csv_has_figures_and_the_history_behind_them(engine: Engine) -> None:
    answer = engine.ask("pytorch tensorflow github-stars")
    rows = rows_of(answer_csv(answer))
    figures = [r for r in rows if r["role"] == "figure"]
    assert {(r["framework"], r["date"]) for r in figures} == {
        (f.framework, f.as_of.isoformat()) for f in answer.figures
    }
    history = [r for r in rows if r["role"] == "history"]
    # The trend's start point is in the file, from the same series as the figure.
    for fig in answer.figures:
        assert fig.change is not None
        start = fig.change.start_date.isoformat()
        assert any(r["framework"] == fig.framework and r["date"] == start for r in history)
    for row in rows:
        date.fromisoformat(row["date"])
        assert row["source"] and row["provenance"] and row["unit"]


def test_answer_csv_of_a_scoreboard(engine: Engine) -> None:
    answer = engine.answer(Query(kind="scoreboard", text="x", frameworks=["pytorch", "keras"]))
    rows = rows_of(answer_csv(answer))
    metrics = {r["metric"] for r in rows if r["role"] == "figure"}
    assert answer.scoreboard is not None
    assert metrics == {r.metric for r in answer.scoreboard.rows}
    assert any(r["role"] == "history" for r in rows)


def test_cli_ask_csv_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "stars.csv"
    result = run(["ask", "--csv", str(out), "pytorch", "github-stars"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Data: {out}" in result.stdout
    rows = rows_of(out.read_text(encoding="utf-8"))
    assert rows and all(r["framework"] == "pytorch" for r in rows)
    assert {r["metric"] for r in rows} == {"github-stars"}


@pytest.mark.parametrize("where", ["missing", "directory", "under-a-file"])
def test_cli_ask_csv_bad_path_exit_2(tmp_path: Path, where: str) -> None:
    if where == "missing":
        target = tmp_path / "nowhere" / "out.csv"
    elif where == "directory":
        target = tmp_path
    else:
        # Root may write anywhere, so a folder that is really a file stands for "not writable".
        (tmp_path / "plain").write_text("x", encoding="utf-8")
        target = tmp_path / "plain" / "out.csv"
    result = run(["ask", "--csv", str(target), "pytorch", "github-stars"], tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(target.parent if where != "directory" else target) in result.stderr
    assert not (tmp_path / "nowhere").exists()
