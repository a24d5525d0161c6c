"""The answer engine over the real knowledge base: figures, trends, evidence notes, listings."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answers import Engine
from bot.render.charts import render_chart
from bot.render.csv_export import answer_csv
from bot.render.text import answer_json, render_text
from bot.slack.messages import answer_message

from .test_knowledge_coverage import REQUIRED_METRICS


def test_answer_stars_latest_and_change(engine: Engine) -> None:
    answer = engine.ask("pytorch tensorflow github-stars")
    assert answer.ok
    by_fw = {}
    for f in answer.figures:  # the first figure per framework is its headline
        by_fw.setdefault(f.framework, f)
    # The star history ends with July 2026 (the snapshot leaves out the partial August).
    assert by_fw["pytorch"].as_of == date(2026, 7, 31)
    assert by_fw["pytorch"].source.id == by_fw["tensorflow"].source.id
    change = by_fw["tensorflow"].change
    assert change is not None and change.start_date < change.end_date
    assert change.absolute == change.end_value - change.start_value
    assert answer.chart is not None and answer.chart.kind == "line"
    labels = {s.label for s in answer.chart.series}
    assert {"PyTorch", "TensorFlow"} <= labels
    # The snapshot totals of their day stand beside the rebuilt history, labelled as such.
    assert "PyTorch (GitHub's count at the time)" in labels


def test_answer_since_sets_change_start(engine: Engine) -> None:
    answer = engine.ask("pytorch github-stars since 2020")
    fig = answer.figures[0]
    assert fig.change is not None
    assert fig.change.start_date >= date(2020, 1, 1)
    assert fig.change.start_date < date(2020, 2, 1)
    assert answer.chart is not None
    assert min(answer.chart.series[0].dates) >= date(2020, 1, 1)


def test_answer_cross_checks_61k_claim_against_history(engine: Engine) -> None:
    answer = engine.ask("pytorch github-stars")
    checks = [n for n in answer.notes if n.kind == "cross-check"]
    assert any("61,000" in n.text and "agrees" in n.text for n in checks), checks


def test_answer_flags_disagreeing_sources(engine: Engine) -> None:
    answer = engine.ask("pytorch hf-exclusive-share")
    clashes = [n for n in answer.notes if n.kind == "disagreement"]
    assert clashes, "the 92% and 85% figures should be shown as a disagreement"
    assert "92%" in clashes[0].text and "85%" in clashes[0].text
    assert len(clashes[0].source_ids) >= 2


def test_answer_metric_alone_compares_all(engine: Engine) -> None:
    answer = engine.ask("github-stars")
    assert {f.framework for f in answer.figures} >= {"pytorch", "tensorflow", "keras"}


def test_answer_free_text_year(engine: Engine) -> None:
    answer = engine.ask("what share of papers used pytorch in 2019?")
    assert answer.ok
    fig = answer.figures[0]
    assert fig.metric == "conference-share"
    assert fig.as_of.year == 2019
    assert 50 <= fig.value <= 80


def test_answer_every_figure_and_claim_cites_a_dated_source(engine: Engine) -> None:
    for question in [
        "pytorch hf-models",
        "github-forks",
        "survey-usage",
        "so-questions",
        "job-listings",
        "medium-articles",
        "paper-share",
        "claims",
    ]:
        answer = engine.ask(question)
        assert answer.ok, (question, answer.error)
        cited = {s.id for s in answer.sources}
        for fig in answer.figures:
            assert fig.source.id in cited and fig.source.published
        for claim in answer.claims:
            assert claim.source.id in cited and claim.source.age


def test_answer_unknown_and_empty(engine: Engine) -> None:
    bad = engine.ask("pytroch hf-mdls")
    assert not bad.ok and bad.error is not None and "pytorch" in bad.error.suggestions
    help_answer = engine.ask("")
    assert help_answer.ok and help_answer.rows


def test_answer_no_data_for_framework_falls_back_to_its_overview(engine: Engine) -> None:
    # Issue 10: a question naming a framework never ends empty; the missing figure is said.
    answer = engine.ask("jax job-listings")
    assert answer.ok and answer.query is not None and answer.query.kind == "overview"
    assert answer.notes and "JAX" in answer.notes[0].text


def test_answer_search_and_claims(engine: Engine) -> None:
    answer = engine.ask("why did openai switch to pytorch?")
    assert answer.ok and any("OpenAI" in c.statement for c in answer.claims)
    topic = engine.ask("claims hugging-face")
    assert topic.query is not None and topic.query.topic == "hugging-face"
    assert topic.ok and all("hugging-face" in c.topics for c in topic.claims)
    assert len(topic.claims) >= 8


def test_answer_listings(engine: Engine) -> None:
    assert len(engine.ask("sources").rows) == len(engine.sources)
    metrics = {r.key for r in engine.ask("metrics").rows}
    assert set(REQUIRED_METRICS) <= metrics
    assert {r.key for r in engine.ask("frameworks").rows} == {
        "pytorch",
        "tensorflow",
        "keras",
        "jax",
    }


def test_answer_json_contract(engine: Engine) -> None:
    data = answer_json(engine.ask("pytorch tensorflow github-stars"), "chart.png")
    assert set(data) >= {"ok", "text", "figures", "claims", "sources", "chart", "error", "query"}
    assert data["ok"] is True and data["error"] is None and data["chart"] == "chart.png"
    fig = data["figures"][0]
    assert set(fig) >= {"framework", "metric", "value", "unit", "as_of", "source"}
    assert set(fig["source"]) == {"id", "title", "author", "publisher", "published", "url"}
    claim = data["claims"][0]
    assert set(claim) >= {"id", "statement", "figures", "source"}
    assert data["query"]["metric"] == "github-stars"
    bad = answer_json(engine.ask("pytroch strs"))
    assert bad["ok"] is False and bad["error"]["suggestions"] and bad["figures"] == []


def test_render_text_mentions_every_source(engine: Engine) -> None:
    answer = engine.ask("tensorflow survey-usage")
    text = render_text(answer)
    for src in answer.sources:
        assert src.title in text.replace("\n      ", " ")
    assert "as of" in text


@pytest.mark.parametrize(
    "question",
    ["pytorch tensorflow github-stars since 2020", "compare pytorch tensorflow", "github-stars"],
)
def test_a_kept_answer_is_shared_and_nothing_downstream_changes_it(
    engine: Engine, question: str
) -> None:
    first = engine.ask(question)
    before = first.model_dump_json()
    # Everything a reply does with an answer: text, JSON, CSV, Block Kit, the chart.
    render_text(first)
    answer_json(first, "chart.png")
    answer_csv(first)
    answer_message(first, image_url="https://fwtrend.example/charts/x.png")
    if first.chart is not None:
        render_chart(first.chart)
    again = engine.ask(question)
    assert again is first  # kept, not copied (a copy of one with its history costs more)
    assert again.model_dump_json() == before
    uncached = Engine(engine.store, today=engine.today, cache_answers=False)
    assert uncached.ask(question) == again  # exactly what answering again gives


def test_each_figure_s_sparkline_is_the_line_that_ends_at_it(engine: Engine) -> None:
    from bot.render.charts import chart_sparkline

    answer = engine.ask("pytorch tensorflow github-stars since 2020")
    assert answer.chart is not None
    text = render_text(answer).splitlines()
    fields = [
        f["text"] for b in answer_message(answer).blocks if b.get("fields") for f in b["fields"]
    ]
    assert len(answer.figures) == len(fields) == 4
    shapes = set()
    for fig, field in zip(answer.figures, fields, strict=True):
        [line] = [ln for ln in answer.chart.series if ln.values[-1] == fig.value]
        spark = chart_sparkline(line.values)
        shapes.add(spark)
        [row] = [
            ln for ln in text if fig.as_of_label in ln and ln.strip().startswith(fig.framework_name)
        ]
        assert row.endswith(spark) and spark in field  # its own line's shape, in text and Slack
    assert len(shapes) == 4  # the rebuilt history and the snapshots are different shapes
