"""Answers over the imported series: dated, cited figures, honest about floors, breaks and bases."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answers import Engine
from bot.answers.figure_chart import MAX_CHART_POINTS, thin
from bot.models import Answer, DataPoint
from bot.render.text import render_text


def _dated_and_cited(answer: Answer) -> None:
    assert answer.ok, answer.error
    assert answer.figures
    cited = {s.id for s in answer.sources}
    for fig in answer.figures:
        assert fig.as_of and fig.as_of_label
        assert fig.source.id in cited and fig.source.published


def _verdicts(answer: Answer) -> list[str]:
    # Every cross-check verdict, whatever it found (agreement is marked differently from the rest).
    return [n.text for n in answer.notes if "verdict:" in n.text]


def _notes(answer: Answer, kind: str) -> list[str]:
    return [n.text for n in answer.notes if n.kind == kind]


def test_jax_stars_are_snapshots_from_2019(engine: Engine) -> None:
    answer = engine.ask("jax github-stars since 2019")
    _dated_and_cited(answer)
    assert {f.framework for f in answer.figures} == {"jax"}
    assert all(f.method.startswith("GitHub's count at the time") for f in answer.figures)
    ranking = next(f for f in answer.figures if f.source.id == "github-ranking")
    assert ranking.change is not None and ranking.change.start_date == date(2019, 7, 13)
    assert answer.chart is not None and min(min(s.dates) for s in answer.chart.series).year == 2019


def test_stars_answer_says_which_measurement_it_shows(engine: Engine) -> None:
    answer = engine.ask("pytorch github-stars")
    methods = [f.method for f in answer.figures]
    assert methods[0] == "rebuilt from today's stargazers"
    assert any(m.startswith("GitHub's count at the time") for m in methods[1:])
    assert "rebuilt from today's stargazers" in render_text(answer)


def test_pytorch_downloads_per_day_never_across_a_break(engine: Engine) -> None:
    answer = engine.ask("pytorch downloads")
    _dated_and_cited(answer)
    fig = answer.figures[0]
    assert (fig.metric, fig.unit, fig.segment) == (
        "pypi-downloads-per-day",
        "downloads/day",
        "torch",
    )
    assert fig.source.id == "top-pypi-packages"
    assert fig.change is not None and fig.change.breaks == []
    # The default year-long change starts after the last change of counting rule (Jun 2025).
    assert fig.change.start_date > date(2025, 6, 1)


def test_downloads_over_a_period_spanning_breaks_names_them(engine: Engine) -> None:
    answer = engine.ask("pytorch downloads since 2020")
    fig = answer.figures[0]
    assert fig.change is not None and fig.change.breaks
    text = render_text(answer)
    assert "not like for like" in text and "counting rule changed" in text
    assert _notes(answer, "break")
    assert answer.chart is not None and answer.chart.breaks
    # The three undercounting snapshots of early 2021 are left out, and the answer says so.
    assert any(
        t.startswith("PyTorch: 3 points (Jan 2021, Feb 2021, Mar 2021) left out of trends")
        for t in _notes(answer, "caveat")
    )
    # The break note gives the dates and today's rule; the series' caveat what each rule was;
    # neither is said twice.
    [brk] = _notes(answer, "break")
    assert brk.startswith("The counting rule changed on 30 Apr 2021, 30 Nov 2024 and 30 Jun 2025")
    assert "(now: all installers; ClickHouse calendar months, mirrors included)" in brk
    notes = [n.text for n in answer.notes]
    assert sum("is not growth" in t for t in notes) == 1
    assert sum("CI" in t for t in notes) == 1
    assert date(2021, 1, 31) not in answer.chart.series[0].dates


def test_tensorflow_downloads_say_which_packages_they_count(engine: Engine) -> None:
    answer = engine.ask("tensorflow downloads")
    assert answer.figures[0].segment == "tensorflow"
    assert {f.segment for f in answer.figures} == {"tensorflow", "tensorflow-cpu", "tensorflow-gpu"}
    assert any("package tensorflow only" in t for t in _notes(answer, "caveat"))


def test_tensorflow_so_questions_with_trend_and_twice_check(engine: Engine) -> None:
    answer = engine.ask("tensorflow so-questions")
    _dated_and_cited(answer)
    fig = answer.figures[0]
    assert fig.metric == "so-questions" and fig.source.id == "so-tomazweiss-sede"
    assert fig.change is not None and fig.change.start_date < fig.change.end_date
    checks = _verdicts(answer)
    assert any("almost 2× PyTorch" in t and "no overlap" in t and "4.98×" in t for t in checks)


def test_so_share_is_one_source_only(engine: Engine) -> None:
    answer = engine.ask("tensorflow so-question-share")
    fig = answer.figures[0]
    assert fig.unit == "% of questions" and fig.source.id == "so-tomazweiss-sede"
    assert fig.value == pytest.approx(0.3266, abs=0.001)


def test_hub_models_floor_shown_as_over_and_seed_000_contradicted(engine: Engine) -> None:
    answer = engine.ask("hf-models")
    _dated_and_cited(answer)
    hub = [f for f in answer.figures if f.framework == "all"]
    assert hub[0].qualifier == "over" and hub[0].change is None  # floors have no change
    text = render_text(answer)
    assert "over 2,000,000 models" in text and " 2,000,000 models" not in text.replace("over 2", "")
    checks = " ".join(_verdicts(answer))
    assert "Claimed over 100,000 models (Oct 2024)" in checks
    assert "over 900,000 models (12 Sep 2024)" in checks and "681,682 models (Jun 2024)" in checks
    assert "contradicted" in checks
    # The Series C post's 100,000 stands beside the docs of the same weeks.
    assert (
        "Claimed 100,000 models (9 May 2022)" in checks
        and "over 50,000 models (1 Jun 2022)" in checks
    )
    assert answer.chart is not None
    assert any(any(s.floors) for s in answer.chart.series)
    assert "Hollow markers" in answer.chart.footnote


def test_survey_bases_never_merged(engine: Engine) -> None:
    answer = engine.ask("survey-usage")
    segments = {f.segment for f in answer.figures}
    assert segments == {"professional developers"}  # one base per row
    checks = _verdicts(answer)
    assert checks and all("different base" in t for t in checks)
    assert any("12.95%" in t and "11.49%" in t for t in checks)


def test_research_share_2020_beside_2022_each_with_its_base(engine: Engine) -> None:
    answer = engine.ask("pytorch paper-share")
    values = {(f.value, f.as_of.year): f.segment for f in answer.figures}
    assert (62, 2022) in values and (47, 2020) in values
    assert values[(62, 2022)] != values[(47, 2020)] and all(values.values())


def test_quoted_headline_takes_no_change_from_another_series(engine: Engine) -> None:
    answer = engine.ask("pytorch conference-share")
    quoted, measured = answer.figures[0], answer.figures[1]
    assert quoted.provenance.startswith("claim:") and quoted.change is None
    assert not measured.provenance.startswith("claim:")
    assert measured.unit == "% of papers naming one framework"


def test_negative_monthly_count_is_explained(engine: Engine) -> None:
    point = DataPoint(
        metric="github-new-forks",
        framework="keras",
        date=date(2026, 7, 31),
        value=-1,
        unit="new forks",
        source_id="repostory-github-history",
        series="test",
        provenance="test",
    )
    fig = engine.figure_out(point)
    assert fig.note and "more un-forks than forks" in fig.note


def test_chart_thinning_is_for_the_picture_only() -> None:
    points = [
        DataPoint(
            metric="m",
            framework="pytorch",
            date=date(1990 + i // 12, i % 12 + 1, 1),
            value=float(i),
            unit="u",
            source_id="s",
            series="k",
            provenance="p",
            method="a" if i < 200 else "b",
        )  # fmt: skip
        for i in range(400)
    ]
    thinned = thin(points)
    assert len(thinned) <= MAX_CHART_POINTS + 4
    assert thinned[0] == points[0] and thinned[-1] == points[-1]
    assert points[199] in thinned and points[200] in thinned  # both sides of the break


@pytest.mark.parametrize(
    ("question", "metric", "framework"),
    [
        ("how many stars does jax have?", "github-stars", "jax"),
        ("JAX stars over time", "github-stars", "jax"),
        ("how often is tensorflow downloaded", "pypi-downloads-per-day", "tensorflow"),
        ("pip installs of keras since 2023", "pypi-downloads-per-day", "keras"),
        ("how many times is pytorch downloaded per day", "pypi-downloads-per-day", "pytorch"),
        ("tensorflow stack overflow questions per month", "so-questions", "tensorflow"),
        ("keras stackoverflow questions", "so-questions", "keras"),
        ("what is the tensorflow question share?", "so-question-share", "tensorflow"),
        ("how many models are on the hugging face hub", "hf-models", "all"),
        ("hub models count", "hf-models", "all"),
    ],
)
def test_free_text_questions_get_dated_cited_figures(
    engine: Engine, question: str, metric: str, framework: str
) -> None:
    answer = engine.ask(question)
    _dated_and_cited(answer)
    assert answer.figures[0].metric == metric
    assert framework in {f.framework for f in answer.figures}


def test_a_figure_from_an_article_contradicted_on_that_metric_says_so(engine: Engine) -> None:
    # No series counts PyTorch-tagged Hub models in Oct 2024, but the same article's Hub total
    # is contradicted by the Hub's own counts: the figure carries that doubt, marked as such.
    answer = engine.ask("how many hugging face models are there for pytorch")
    [fig] = answer.figures
    assert fig.source.id == "seed-000" or fig.provenance.startswith("claim:")
    [doubt] = [n for n in answer.notes if "comes from" in n.text]
    assert doubt.kind == "disagreement" and "contradicted" in doubt.text
    assert fig.source.id in doubt.source_ids


def test_one_doubt_names_every_framework_the_doubted_article_gave(engine: Engine) -> None:
    # The article gave both Hub counts; its contradicted total casts one doubt on both figures.
    answer = engine.ask("pytorch vs tf on hugging face")
    quoted = [f for f in answer.figures if f.provenance.startswith("claim:")]
    assert {f.framework for f in quoted} >= {"pytorch", "tensorflow"}
    [doubt] = [n for n in answer.notes if "whose own figure" in n.text]
    assert doubt.text.startswith("PyTorch's and TensorFlow's Hugging Face models (")
    assert " come from " in doubt.text and "contradicted" in doubt.text


def test_only_agreeing_verdicts_get_the_check_mark(engine: Engine) -> None:
    notes = engine.ask("tensorflow pytorch github-new-stars").notes
    verdicts = [n for n in notes if "verdict:" in n.text]
    assert verdicts
    for note in verdicts:
        agrees = "verdict: agrees" in note.text or "verdict: roughly agrees" in note.text
        assert (note.kind == "cross-check") == agrees, note.text


def test_a_yearly_series_pooling_each_year_has_no_breaks(engine: Engine) -> None:
    # Each conference-papers point pools its own year ("all conferences of 2019 pooled"): the
    # year names the period, not a new counting rule, so the share's trend spans the years.
    answer = engine.ask("pytorch conference-share since 2017")
    yearly = next(f for f in answer.figures if "pooled" in f.method)
    assert yearly.change is not None and yearly.change.breaks == []
    assert yearly.change.start_date.year == 2017
    assert not _notes(answer, "break")
    assert answer.chart is not None and not answer.chart.breaks
    # A real change of rule between two points still is one.
    from bot.answers.evidence import breaks_in

    points = [
        DataPoint(
            metric="pypi-downloads", framework="pytorch", date=date(year, 12, 31), value=1.0,
            unit="downloads", source_id="s", series="s", provenance="s", method=method,
        )
        for year, method in ((2019, "30 days, mirrors left out"), (2020, "31 days, mirrors in"))
    ]  # fmt: skip
    [only] = breaks_in(points)
    assert only.date == date(2020, 12, 31) and "mirrors in" in only.label


def test_paper_share_notes_name_frameworks_and_say_each_point_once(engine: Engine) -> None:
    answer = engine.ask("is jax gaining on pytorch in papers?")
    verdicts = _verdicts(answer)
    assert verdicts and all(v.startswith("PyTorch: Claimed") for v in verdicts)
    notes = [n.text for n in answer.notes]
    # The metric's caveat says that most papers name neither framework; nothing repeats it.
    assert sum("name neither" in t or "mention neither" in t for t in notes) == 1
    assert not _notes(answer, "break")


def test_a_period_after_the_newest_data_says_so(engine: Engine) -> None:
    # TODAY is pinned in the tests; the downloads series ends in Mar 2026.
    answer = engine.ask("pytorch downloads last 3 months")
    assert answer.ok and answer.figures
    [stale] = [n.text for n in answer.notes if n.text.startswith("Nothing was measured")]
    assert stale == (
        "Nothing was measured in the period asked (last 3 months): the newest figures are from "
        "31 Mar 2026, before it began."
    )
    assert not [n for n in engine.ask("pytorch downloads since 2025").notes if "Nothing" in n.text]


def test_a_year_nothing_measured_gets_the_nearest_figures_either_side(engine: Engine) -> None:
    # The conference series ends with 2022; an article's figure is from Oct 2024. "In 2023"
    # gets both, not an overview of other indicators, and says they lie outside the year.
    answer = engine.ask("what share of papers use pytorch in 2023")
    assert answer.query is not None and answer.query.kind == "figures"
    assert answer.query.metric == "conference-share"
    assert {f.as_of.year for f in answer.figures} == {2022, 2024}
    [note] = [n.text for n in answer.notes if n.text.startswith("Nothing was measured")]
    assert note == (
        "Nothing was measured in the period asked (2023): these are the nearest figures, from "
        "before it (31 Dec 2022) and after it (Oct 2024)."
    )


def test_a_period_before_the_first_figure_gets_the_earliest_after_it(engine: Engine) -> None:
    answer = engine.ask("tensorflow github stars in 2010")
    [fig] = answer.figures
    first = min(p.date for p in engine.store.points("github-stars", ["tensorflow"]))
    assert fig.as_of == first and fig.change is None
    [note] = [n.text for n in answer.notes if n.text.startswith("Nothing was measured")]
    assert note.endswith(f"from after it ({fig.as_of_label}).")


def test_a_period_with_figures_is_not_widened(engine: Engine) -> None:
    answer = engine.ask("pytorch conference-share 2021")
    assert {f.as_of.year for f in answer.figures} == {2021}
    assert not [n for n in answer.notes if n.text.startswith("Nothing was measured")]


def test_claims_beside_a_site_wide_total_are_ranked_without_error(engine: Engine) -> None:
    # Hub figures include "all" (the site-wide total), which has no name to look for in a
    # claim; a question with search words ranks the related claims by name too.
    answer = engine.ask("are there any contradictions between sources on hugging face numbers")
    assert answer.ok, answer.error
    assert any(f.framework == "all" for f in answer.figures) and answer.claims
