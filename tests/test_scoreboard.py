"""The scoreboard, momentum and overview answers: rows, leaders, the one-source rule, rendering."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.answers import Engine
from bot.knowledge import check_knowledge
from bot.models import Answer, DataPoint, Query, Source
from bot.render.charts import chart_alt_text, render_chart
from bot.render.text import answer_json, render_text
from bot.slack.blocks import answer_blocks, answer_fallback_text
from bot.store import Store, open_store
from bot.understand import QueryError

from .conftest import KNOWLEDGE, TODAY
from .test_blocks import assert_round_trips, assert_within_limits

FOUR = ["pytorch", "tensorflow", "keras", "jax"]


def board(engine: Engine, *frameworks: str, view: str | None = None) -> Answer:
    query = Query(kind="scoreboard", text="test", frameworks=list(frameworks), view=view)
    answer = engine.answer(query)
    assert answer.ok and answer.scoreboard is not None, answer.error
    return answer


# ---------------------------------------------------------------- synthetic stores


def add_source(store: Store, source_id: str) -> None:
    """A synthetic source, so its points can be cited."""
    src = Source(
        id=source_id,
        title=f"Synthetic source {source_id}",
        publisher="fwtrend tests (synthetic)",
        published="2026-11-01",  # type: ignore[arg-type]
        kind="dataset",
        summary="Synthetic points for one rule of the scoreboard.",
    )
    store.db.table("sources").insert(
        {"id": src.id, "origin": "knowledge", "body": src.model_dump_json()}, replace=True
    )
    store.invalidate()


def point(metric: str, fw: str, day: date, value: float, source: str, **extra: str) -> DataPoint:
    unit = extra.pop("unit", "units")
    segment = extra.pop("segment", "")
    return DataPoint(
        metric=metric,
        framework=fw,
        date=day,
        value=value,
        unit=unit,
        segment=segment,
        source_id=source,
        series=f"{source}:{fw}:{metric}" + (f":{segment}" if segment else ""),
        provenance=f"synthetic/{source}",
    )


def add_points(store: Store, points: list[DataPoint]) -> None:
    store.db.table("points").insert_all(p.model_dump(mode="json") for p in points)


@pytest.fixture
def synthetic(tmp_path: Path) -> Store:
    """A real store from the real knowledge base; each test adds labelled synthetic data."""
    return open_store(tmp_path / "synthetic.db", KNOWLEDGE)


# ---------------------------------------------------------------- rows on the real knowledge base


def test_scoreboard_rows_and_leader(engine: Engine) -> None:
    answer = board(engine, "pytorch", "tensorflow")
    assert answer.scoreboard is not None
    rows = {r.family: r for r in answer.scoreboard.rows}
    stars = rows["stars"]
    # TensorFlow has more all-time stars in the star history; the shares add to 100.
    assert stars.leader == "tensorflow"
    assert stars.source.id == "repostory-github-history"
    assert sum(c.share or 0 for c in stars.cells) == pytest.approx(100, abs=0.2)
    assert {c.framework for c in stars.cells} == {"pytorch", "tensorflow"}
    assert rows["conferences"].leader == "pytorch"
    # The headline counts leads and names what the other side leads on.
    summary = answer.summary
    assert "leads" in summary and f"of {sum(1 for r in rows.values() if r.leader)}" in summary
    assert "TensorFlow leads on" in summary and "all-time stars" in summary


def test_scoreboard_every_row_is_one_source_one_date_one_base(engine: Engine) -> None:
    answer = board(engine)
    assert answer.scoreboard is not None and answer.scoreboard.frameworks == FOUR
    for row in answer.scoreboard.rows:
        figures = [c.figure for c in row.cells if c.figure]
        assert figures, row.family
        assert {f.source.id for f in figures} == {row.source.id}, row.family
        assert {f.as_of for f in figures} == {row.as_of}, row.family
        # One population: the same segment, or each framework's own package or tag.
        own = {
            f.framework: {f.framework, fw.pypi_package, fw.stackoverflow_tag, fw.hf_library_tag}
            for f in figures
            for fw in [engine.frameworks[f.framework]]
        }
        segments = {f.segment for f in figures}
        assert len(segments) == 1 or all(f.segment in own[f.framework] for f in figures)
        assert len({f.unit for f in figures}) == 1, row.family
        # A framework without a value there is named, not filled from elsewhere.
        assert {c.framework for c in row.cells if c.figure is None} == set(row.missing)


def test_scoreboard_figures_carry_their_metric_and_trend(engine: Engine) -> None:
    answer = board(engine, "pytorch", "tensorflow")
    assert answer.scoreboard is not None
    shown = [c.figure for r in answer.scoreboard.rows for c in r.cells if c.figure]
    assert answer.figures == shown
    stars = next(r for r in answer.scoreboard.rows if r.family == "stars")
    for cell in stars.cells:
        assert cell.figure is not None and cell.figure.metric == "github-stars"
        change = cell.figure.change
        assert change is not None and change.end_date == stars.as_of
        assert (change.end_date - change.start_date).days in range(300, 400)
        assert cell.direction == ("flat" if abs(change.percent or 0) < 2 else "rising")


def test_scoreboard_base_labels(engine: Engine) -> None:
    answer = board(engine)
    assert answer.scoreboard is not None
    survey = next(r for r in answer.scoreboard.rows if r.family == "survey")
    assert survey.base in {"all survey respondents", "professional developers"}
    assert not survey.adds_up and all(c.share is None for c in survey.cells)
    text = render_text(answer)
    assert f"base: {survey.base}" in text


def test_scoreboard_flags_old_evidence(engine: Engine) -> None:
    answer = board(engine, "pytorch", "tensorflow")
    assert answer.scoreboard is not None
    rows = {r.family: r for r in answer.scoreboard.rows}
    assert rows["survey"].old and rows["jobs"].old
    assert not rows["stars"].old
    text = render_text(answer)
    assert "older than two years" in text
    # Old rows carry their year in the headline's list.
    assert "survey usage (2022)" in answer.summary


def test_scoreboard_rows_cite_numbered_sources(engine: Engine) -> None:
    answer = board(engine)
    assert answer.scoreboard is not None
    numbers = {s.id: i for i, s in enumerate(answer.sources, 1)}
    for row in answer.scoreboard.rows:
        assert row.source_number == numbers[row.source.id]
        assert f"[{row.source_number}]" in render_text(answer)


# ---------------------------------------------------------------- the one-source rule (synthetic)


def test_scoreboard_never_mixes_sources_synthetic(synthetic: Store) -> None:
    """Synthetic: the newest points come from two sources; an older date has both in one."""
    add_source(synthetic, "synthetic-a")
    add_source(synthetic, "synthetic-b")
    metric = "job-listings"
    add_points(
        synthetic,
        [
            point(metric, "pytorch", date(2026, 6, 30), 900, "synthetic-a"),
            point(metric, "tensorflow", date(2026, 6, 30), 800, "synthetic-b"),
            point(metric, "pytorch", date(2025, 12, 31), 700, "synthetic-a"),
            point(metric, "tensorflow", date(2025, 12, 31), 750, "synthetic-a"),
        ],
    )
    engine = Engine(synthetic, today=TODAY)
    answer = board(engine, "pytorch", "tensorflow")
    assert answer.scoreboard is not None
    jobs = next(r for r in answer.scoreboard.rows if r.family == "jobs")
    # The newest date at which both share one source wins over two newer, mixed values.
    assert jobs.source.id == "synthetic-a" and jobs.as_of == date(2025, 12, 31)
    values = {c.framework: c.figure.value for c in jobs.cells if c.figure}
    assert values == {"pytorch": 700, "tensorflow": 750}
    assert jobs.leader == "tensorflow" and not jobs.missing


def test_scoreboard_says_when_a_framework_is_missing_synthetic(synthetic: Store) -> None:
    """Synthetic: no source has both frameworks; the row shows one and names the other."""
    add_source(synthetic, "synthetic-a")
    add_source(synthetic, "synthetic-b")
    metric = "hf-models"
    add_points(
        synthetic,
        [
            point(metric, "jax", date(2026, 10, 31), 5000, "synthetic-a", unit="models"),
            point(metric, "keras", date(2026, 9, 30), 4000, "synthetic-b", unit="models"),
        ],
    )
    engine = Engine(synthetic, today=TODAY)
    answer = board(engine, "jax", "keras")
    assert answer.scoreboard is not None
    row = next(r for r in answer.scoreboard.rows if r.family == "hub-models")
    assert row.source.id == "synthetic-a" and row.missing == ["keras"]
    assert row.leader is None  # one value is no standing
    assert row.note is not None and "No Keras figure in this source" in row.note
    assert "not in this source" in render_text(answer)


# ---------------------------------------------------------------- momentum and overview


def test_momentum_view_for_is_keras_dead(engine: Engine) -> None:
    answer = board(engine, "keras", view="momentum")
    assert answer.scoreboard is not None and answer.scoreboard.view == "momentum"
    assert answer.summary.startswith("Keras:")
    new_stars = next(r for r in answer.scoreboard.rows if r.family == "new-stars")
    keras = next(c for c in new_stars.cells if c.framework == "keras")
    assert keras.direction is not None and keras.figure and keras.figure.change
    # The headline gives each move with its number.
    assert keras.direction in answer.summary and "%" in answer.summary
    # Both sides' claims follow, each claim about Keras.
    stances = {s.stance for s in answer.scoreboard.sides}
    assert stances == {"declining", "holding"}
    shown = {c.id for c in answer.claims}
    assert all(set(s.claim_ids) <= shown for s in answer.scoreboard.sides)
    text = render_text(answer)
    assert "Say it is declining:" in text and "Say it holds on:" in text


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("is keras dead?", "Is Keras declining? What the indicators show"),
        ("how fast is jax growing", "How JAX is moving: what the indicators show"),
        ("keras and jax trend", "How Keras and JAX are moving: what the indicators show"),
    ],
)
def test_the_momentum_title_follows_what_was_asked(
    engine: Engine, question: str, title: str
) -> None:
    answer = engine.ask(question)
    assert answer.scoreboard is not None and answer.scoreboard.view == "momentum"
    assert answer.title == title


@pytest.mark.parametrize("framework", FOUR)
def test_overview_for_each_framework(engine: Engine, framework: str) -> None:
    answer = engine.answer(Query(kind="overview", text=framework, frameworks=[framework]))
    name = engine.frameworks[framework].name
    assert answer.ok and answer.title.startswith(name)
    assert answer.summary and "found nothing" not in answer.summary
    if answer.scoreboard is None:  # no indicator at all: its claims still answer
        assert answer.claims
        return
    assert answer.scoreboard.view == "overview" and answer.scoreboard.focus == [framework]
    for row in answer.scoreboard.rows:
        mine = next(c for c in row.cells if c.framework == framework)
        assert mine.figure is not None  # every row has the framework's own value
        assert mine.rank is not None
    assert "rank" in answer.summary


def test_question_naming_a_framework_gets_at_least_the_overview(engine: Engine) -> None:
    answer = engine.ask("jax job-listings")
    assert answer.ok
    assert answer.notes and "Job listings" in answer.notes[0].text
    assert "found nothing" not in render_text(answer)


# ------------------------------------------------------------ the largest scoreboard (synthetic)


@pytest.fixture
def largest(synthetic: Store) -> Answer:
    """Synthetic: every family's first metric with all four frameworks, a year of history each."""
    add_source(synthetic, "synthetic-all")
    engine = Engine(synthetic, today=TODAY)
    points = []
    for family in engine.scoreboard.families:
        metric = engine.metrics[family.metrics[0]]
        for index, fw in enumerate(FOUR):
            for months_ago, factor in ((12, 0.8), (11, 0.85), (10, 0.9), (2, 1.0), (1, 1.05)):
                year, month = divmod(2026 * 12 + 9 - months_ago, 12)
                day = date(year, month + 1, 1)
                value = (index + 1) * 1000 * factor
                points.append(point(metric.slug, fw, day, value, "synthetic-all", unit=metric.unit))
        # The newest value of every framework sits on the same day.
        for index, fw in enumerate(FOUR):
            points.append(
                point(metric.slug, fw, date(2026, 10, 31), (index + 1) * 1100, "synthetic-all",
                      unit=metric.unit)
            )  # fmt: skip
    add_points(synthetic, points)
    answer = board(Engine(synthetic, today=TODAY))
    assert answer.scoreboard is not None
    assert len(answer.scoreboard.rows) == len(engine.scoreboard.families)
    return answer


def test_largest_scoreboard_fits_every_slack_limit(largest: Answer) -> None:
    blocks = answer_blocks(largest, image_url="https://example.com/c.png", share_value="q" * 2000)
    assert_within_limits(blocks)
    assert_round_trips(blocks)
    assert largest.scoreboard is not None
    # Every indicator row survives the fitting: they are the answer.
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    for row in largest.scoreboard.rows:
        assert any(row.label in t for t in texts), row.label
    assert len(answer_fallback_text(largest)) <= 3000


def test_largest_scoreboard_chart(largest: Answer) -> None:
    assert largest.chart is not None and largest.chart.kind == "scoreboard"
    stacks = largest.chart.stacks
    assert len(stacks) == sum(1 for f in largest.scoreboard.rows if f.adds_up)  # type: ignore[union-attr]
    for stack in stacks:
        assert sum(p.value for p in stack.parts) == pytest.approx(100, abs=0.5)
    png = render_chart(largest.chart, cached=False)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < 60_000
    alt = chart_alt_text(largest.chart)
    assert len(alt) <= 1000 and stacks[0].label in alt


def test_scoreboard_json_shape(largest: Answer) -> None:
    data = answer_json(largest)
    rows = data["scoreboard"]["rows"]
    assert rows and data["scoreboard"]["headline"] == largest.summary
    row = rows[0]
    assert set(row) >= {"family", "label", "metric", "source", "as_of", "old", "leader", "cells"}
    assert set(row["cells"][0]) >= {"framework", "figure", "share", "rank", "direction"}
    # The rows' figures are also in figures, each with its metric.
    keys = {(f["framework"], f["metric"], f["as_of"]) for f in data["figures"]}
    for one in rows:
        for cell in one["cells"]:
            fig = cell["figure"]
            assert (fig["framework"], fig["metric"], fig["as_of"]) in keys


# ---------------------------------------------------------------- the knowledge file


def test_scoreboard_yaml_is_validated(knowledge_copy: Path) -> None:
    path = knowledge_copy / "scoreboard.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("metrics: [github-stars]", "metrics: [gh-starz]"),
        encoding="utf-8",
    )
    _, errors = check_knowledge(knowledge_copy)
    assert any(e.file == "scoreboard.yaml" and "gh-starz" in e.message for e in errors)
    path.write_text("families: [{id: x}]\n", encoding="utf-8")
    _, errors = check_knowledge(knowledge_copy)
    assert any(e.file == "scoreboard.yaml" for e in errors)


def test_a_row_from_a_contradicted_article_says_so(engine: Engine) -> None:
    # Seed 000 gives the Hub row its per-framework counts (Oct 2024), and its own total of
    # "over 100,000 models" is contradicted by the Hub's docs and the HFCommunity count.
    answer = engine.ask("pytorch vs tensorflow")
    assert answer.scoreboard is not None
    [hub] = [r for r in answer.scoreboard.rows if r.family == "hub-models"]
    assert hub.source.kind not in ("dataset", "api")  # a quoted article, not a measured series
    [doubt] = [n for n in answer.notes if "comes from" in n.text and n.kind == "disagreement"]
    assert hub.source.id in doubt.source_ids and hub.label in doubt.text
    assert "contradicted" in doubt.text and "900,000" in doubt.text
    # Rows from measured series carry no such note.
    assert not any("GitHub stars" in n.text and "comes from" in n.text for n in answer.notes)


def test_a_standing_in_a_year_uses_only_that_years_counts(engine: Engine) -> None:
    answer = engine.ask("jax vs tensorflow popularity 2024")
    assert answer.scoreboard is not None and answer.scoreboard.rows
    assert all(
        date(2024, 1, 1) <= row.as_of <= date(2024, 12, 31) for row in answer.scoreboard.rows
    )
    stars = next(r for r in answer.scoreboard.rows if r.metric == "github-stars")
    assert stars.as_of == date(2024, 12, 26) and stars.leader == "tensorflow"
    # Without a period, or "since" one, the standing is the newest there is.
    newest = engine.ask("jax vs tensorflow popularity")
    assert newest.scoreboard is not None
    assert max(r.as_of for r in newest.scoreboard.rows) > date(2025, 1, 1)
    since = engine.ask("jax vs tensorflow popularity since 2020")
    assert since.scoreboard is not None
    assert max(r.as_of for r in since.scoreboard.rows) == max(
        r.as_of for r in newest.scoreboard.rows
    )
    # A year with nothing at all says so, with the year.
    from bot.answers.scoreboard import build_rows

    window = engine.parse("jax vs tensorflow popularity 2005").window
    assert window is not None and window.text
    asked = rf"for JAX or TensorFlow in the period asked \({window.text}\)"
    with pytest.raises(QueryError, match=asked):
        build_rows(engine, ["jax", "tensorflow"], ["jax", "tensorflow"], window)
    assert not engine.ask("jax vs tensorflow popularity 2005").ok
