"""The Slack edge's pure parts: the CSV export, the answer buttons, the refusal rate limit."""

from __future__ import annotations

import csv
import io
import json
import logging

import pytest

from bot.answers import Engine
from bot.models import Answer, ErrorInfo
from bot.render.csv_export import COLUMNS, answer_csv
from bot.server.refusal_log import GunicornRefusals, RateLimit, RefusalLog, printable
from bot.server.request_guard import Refusal, check_shape
from bot.slack.blocks import RUN_ACTION_ID, answer_blocks, run_label


def test_answer_csv_has_a_row_per_figure_with_its_provenance(engine: Engine) -> None:
    answer = engine.ask("pytorch tensorflow github-stars since 2020")
    rows = [dict(zip(COLUMNS, r, strict=True)) for r in csv.reader(io.StringIO(answer_csv(answer)))]
    assert tuple(rows[0]) == COLUMNS and rows[0]["role"] == "role"
    figure_rows = [r for r in rows[1:] if r["role"] == "figure"]
    assert len(figure_rows) == len(answer.figures) >= 2
    shown = {
        (f.framework, f.metric, f.as_of.isoformat(), f.value, f.unit, f.source.id, f.provenance)
        for f in answer.figures
    }
    exported = {
        (r["framework"], r["metric"], r["date"], float(r["value"]), r["unit"], r["source"])
        + (r["provenance"],)
        for r in figure_rows
    }
    assert exported == shown
    assert answer_csv(answer) == answer_csv(answer.model_copy(deep=True))  # pure


def test_answer_csv_of_an_answer_without_figures_is_just_the_header() -> None:
    assert answer_csv(Answer(ok=True, title="Sources")) == ",".join(COLUMNS) + "\n"


def test_answers_with_figures_get_the_data_button(engine: Engine) -> None:
    answer = engine.ask("pytorch github-stars")
    blocks = answer_blocks(answer, share_value="id1", data_value="id1")
    [actions] = [b for b in blocks if b["type"] == "actions"]
    labels = {e["action_id"]: e["text"]["text"] for e in actions["elements"]}
    assert labels == {"fwtrend_share": "Post to channel", "fwtrend_data": "Data (CSV)"}
    listing = engine.ask("sources")
    assert not any(
        e["action_id"] == "fwtrend_data"
        for b in answer_blocks(listing, share_value="x", data_value="x")
        if b["type"] == "actions"
        for e in b["elements"]
    )


def test_a_corrected_question_gets_a_run_button() -> None:
    error = ErrorInfo(message="Did you mean pytorch?", corrected="pytorch hf-models")
    answer = Answer(ok=False, title="Sorry", error=error)
    [actions] = [b for b in answer_blocks(answer) if b["type"] == "actions"]
    [button] = actions["elements"]
    assert button["action_id"] == RUN_ACTION_ID and button["value"] == "pytorch hf-models"
    assert button["text"]["text"] == "Run `pytorch hf-models`"
    plain = Answer(ok=False, title="Sorry", error=ErrorInfo(message="No idea"))
    assert not any(b["type"] == "actions" for b in answer_blocks(plain))


def test_run_label_fits_slack_s_button_limit() -> None:
    label = run_label("pytorch " * 40)
    assert len(label) <= 75 and label.startswith("Run `pytorch") and label.endswith("…`")


def test_rate_limit_caps_lines_then_counts_what_it_held_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    logger = logging.getLogger("fwtrend.test.refusals")
    refusals = RefusalLog(logger, RateLimit(logger, per_window=3, clock=lambda: now[0]))
    with caplog.at_level(logging.WARNING, logger.name):
        for _ in range(10):
            refusals.refused("POST", "/slack/events", 401, "unsigned")
        refusals.refused("GET", "/x\x00\n", 404, "unknown route")
        now[0] = 61.0
        refusals.refused("POST", "/slack/events", 401, "unsigned")
    lines = [r.getMessage() for r in caplog.records]
    assert lines.count("refused POST /slack/events → 401: unsigned") == 4
    assert "refused GET /x?? → 404: unknown route" in lines
    assert "suppressed 7 similar lines (unsigned) in the last 60 s" in lines
    assert len(lines) == 6


def test_gunicorn_refusal_lines_share_the_limit() -> None:
    limit = GunicornRefusals(RateLimit(logging.getLogger("fwtrend.test.g"), per_window=2))

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("gunicorn.error", logging.WARNING, "", 0, message, None, None)

    bad = "Invalid request from ip=1.2.3.4: Invalid HTTP request line: 'GET /\\x00'"
    assert [limit.filter(record(bad)) for _ in range(4)] == [True, True, False, False]
    assert limit.filter(record("Booting worker with pid: 1"))  # other lines are untouched


def test_printable_keeps_log_lines_single_and_short() -> None:
    assert printable("a b\nc\x00", 50) == "a?b?c?"
    assert len(printable("x" * 500, 120)) == 120


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ('{"type": "event_callback"}', "application/json", None),
        ("[]", "application/json", 400),
        ('{"no": "type"}', "application/json; charset=utf-8", 400),
        (
            "command=%2Ffwtrend&user_id=U1&response_url=https%3A%2F%2Fx",
            "application/x-www-form-urlencoded",
            None,
        ),
        ("ssl_check=1&token=x", "application/x-www-form-urlencoded", None),
        ("command=%2Ffwtrend", "application/x-www-form-urlencoded", 400),
        (
            "payload=" + json.dumps({"type": "block_actions"}),
            "application/x-www-form-urlencoded",
            None,
        ),
        ("payload=[1]", "application/x-www-form-urlencoded", 400),
        ("hello", "text/plain", 415),
    ],
)
def test_request_shapes(body: str, content_type: str, status: int | None) -> None:
    if status is None:
        check_shape(body, content_type)
        return
    with pytest.raises(Refusal) as refused:
        check_shape(body, content_type)
    assert refused.value.status == status
