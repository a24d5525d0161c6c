"""The shipped series: byte-identical to shared/data, every row accounted for, semantics kept."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase
from bot.models import DataPoint
from bot.series import read_series

ROOT = Path(__file__).parents[1]
SERIES = ROOT / "knowledge" / "series"
# The shared data folder sits beside the checkout (or beside the worktrees' parent).
DATA = next(
    (
        p / "shared" / "data"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "data").is_dir()
    ),
    ROOT / "missing-shared-data",
)

# SHA-256 of each shipped CSV: any changed number (or byte) fails here first.
DIGESTS = {
    "best-of-ml-python.csv": "386e16a05b51ebb7b3e2bcd8e8663c26448b84474dec8f8ccaf17a24ee33f7ef",
    "conference-papers.csv": "623c0bbd347fa72b1235dabe9be9f47868c9be7ee175278e23386b4e1c0d859f",
    "github-history.csv": "e3446f9dad71b0a235b7dd665d582f1d54a49480be24e840663d9be0efac7315",
    "github-jax.csv": "c25b82590cbeb2aec4b2f7aad6f105340e2c671d6906dc1337659223ede37555",
    "hf-hub-models.csv": "50225ebd4eecd14069b82a511f454db9d15722a017a4cc3c04a6e83b66d787c9",
    "pypi-downloads-30d.csv": "054eba8b0230d099d8f4021cf65a17297fb5cd51008b1e646a80359673b404b1",
    "research-share.csv": "15ee7ecbe24ce2ea35c2db7aeb06b94ee33ee6fd10b9fc03eb29e8eb2fb727bb",
    "so-survey-2022-professional.csv": (
        "8f156b2a9d8176ec6fe3463e13ee5da4f981b17007fe60be6204826cbd18eba2"
    ),
    "stackoverflow-monthly.csv": "249defc4ce5e08f23bacc607a54f6e0786d2446b19f24c68adcd5d1a547d8bf6",
    "stackoverflow-site-monthly.csv": (
        "c83e8b7faca4c6be32142a36c3f1f75af634502fe2515519f8f77dd4cfece12f"
    ),
    "stackoverflow-yearly.csv": "77fa8980fb5737a0af84a033b08d0731adbcbabae6eea64ca37d7deac3054628",
}

# file -> (data rows in, points out per metric). Rows that give no point, by design:
# pypi: 244 unlisted rows and the 4 listed rows of the undated first snapshot;
# stackoverflow: the python tag (context, not a framework); best-of: JAX's stars and forks
# (loaded from github-jax.csv, which holds the same rows).
COVERAGE: dict[str, tuple[int, dict[str, int]]] = {
    "github-history.csv": (
        767,
        {
            "github-stars": 386,
            "github-new-stars": 386,
            "github-forks": 381,
            "github-new-forks": 381,
        },
    ),
    "conference-papers.csv": (35, {"conference-share": 80}),
    "pypi-downloads-30d.csv": (1113, {"pypi-downloads": 865, "pypi-downloads-per-day": 865}),
    "best-of-ml-python.csv": (
        760,
        {"pypi-downloads": 760, "github-stars": 570, "github-forks": 570},
    ),
    "github-jax.csv": (508, {"github-stars": 508, "github-forks": 508}),
    "stackoverflow-monthly.csv": (781, {"so-questions": 495, "so-question-share": 28}),
    "stackoverflow-site-monthly.csv": (410, {"so-site-questions": 410}),
    "stackoverflow-yearly.csv": (54, {"so-questions-yearly": 40, "so-question-share": 10}),
    "so-survey-2022-professional.csv": (3, {"survey-usage": 3}),
    "hf-hub-models.csv": (31, {"hf-models": 27, "hf-context-models": 4}),
    "research-share.csv": (2, {"paper-share": 2}),
}


def _points(kb: KnowledgeBase, name: str) -> list[DataPoint]:
    entry = next(e for e in kb.series if e.file == name)
    return read_series(entry, kb.series_path(entry))


def _one(points: list[DataPoint], **match: object) -> DataPoint:
    found = [p for p in points if all(getattr(p, k) == v for k, v in match.items())]
    assert len(found) == 1, (match, len(found))
    return found[0]


@pytest.mark.parametrize("name", sorted(DIGESTS))
def test_shipped_file_has_expected_digest(name: str) -> None:
    assert hashlib.sha256((SERIES / name).read_bytes()).hexdigest() == DIGESTS[name]


@pytest.mark.parametrize("name", sorted(DIGESTS))
def test_shipped_file_is_byte_identical_to_shared_data(name: str) -> None:
    if not DATA.is_dir():
        pytest.skip(f"shared data folder {DATA} not available")
    assert (SERIES / name).read_bytes() == (DATA / name).read_bytes()


def test_every_series_file_has_an_entry_and_a_digest(kb: KnowledgeBase) -> None:
    assert {e.file for e in kb.series} == set(DIGESTS) == set(COVERAGE)
    assert {p.name for p in SERIES.glob("*.csv")} == set(DIGESTS)


@pytest.mark.parametrize("name", sorted(COVERAGE))
def test_coverage_rows_in_points_out(kb: KnowledgeBase, name: str) -> None:
    rows_in, points_out = COVERAGE[name]
    entry = next(e for e in kb.series if e.file == name)
    assert entry.rows in (None, rows_in)
    with (SERIES / name).open(encoding="utf-8") as handle:
        import csv

        assert sum(1 for _ in csv.reader(handle)) - 1 == rows_in
    points = _points(kb, name)
    assert dict(Counter(p.metric for p in points)) == points_out
    # Every point cites its file and line, and a source the knowledge base knows.
    assert all(p.provenance.startswith(f"series/{name} line ") for p in points)
    assert {p.source_id for p in points} <= set(kb.sources)


def test_pypi_per_day_is_window_count_over_window_length(kb: KnowledgeBase) -> None:
    points = _points(kb, "pypi-downloads-30d.csv")
    raw = _one(points, metric="pypi-downloads", segment="torch", date=date(2026, 3, 31))
    per_day = _one(points, metric="pypi-downloads-per-day", segment="torch", date=date(2026, 3, 31))
    assert raw.value == 87_347_847 and raw.unit == "downloads/31 days"
    assert per_day.value == pytest.approx(87_347_847 / 31) and per_day.unit == "downloads/day"
    assert per_day.framework == "pytorch"
    assert raw.repo == "hugovk/top-pypi-packages" and raw.commit and len(raw.commit) == 40
    assert per_day.method == "all installers; ClickHouse calendar months, mirrors included"


def test_pypi_early_2021_snapshots_are_left_out_of_trends(kb: KnowledgeBase) -> None:
    points = _points(kb, "pypi-downloads-30d.csv")
    torch = [p for p in points if p.metric == "pypi-downloads-per-day" and p.segment == "torch"]
    excluded = sorted(p.date for p in torch if p.excluded)
    assert excluded == [date(2021, 1, 31), date(2021, 2, 28), date(2021, 3, 31)]
    assert all("undercount" in (p.excluded or "") for p in torch if p.excluded)


def test_pypi_counting_rule_changes_are_breaks(kb: KnowledgeBase) -> None:
    points = _points(kb, "pypi-downloads-30d.csv")
    torch = sorted(
        (p for p in points if p.metric == "pypi-downloads-per-day" and p.segment == "torch"),
        key=lambda p: p.date,
    )
    breaks = [b.date for a, b in zip(torch, torch[1:], strict=False) if a.method != b.method]
    # pip only (Aug 2018), rolling windows (May 2021), all installers (Nov 2024), short windows
    # (Dec 2024 on), ClickHouse calendar months (Jun 2025 window).
    assert [(d.year, d.month) for d in breaks] == [
        (2018, 8),
        (2021, 4),
        (2024, 11),
        (2024, 11),
        (2025, 6),
    ]


def test_pypi_packages_stay_separate(kb: KnowledgeBase) -> None:
    points = _points(kb, "pypi-downloads-30d.csv")
    tf = {p.segment for p in points if p.framework == "tensorflow"}
    jax = {p.segment for p in points if p.framework == "jax"}
    assert tf == {"tensorflow", "tensorflow-cpu", "tensorflow-gpu"}
    assert jax == {"jax", "jaxlib"}
    assert len({p.series for p in points if p.framework == "tensorflow"}) == 6


def test_stackoverflow_share_is_within_one_source(kb: KnowledgeBase) -> None:
    points = _points(kb, "stackoverflow-monthly.csv")
    share = _one(
        points, metric="so-question-share", framework="tensorflow", date=date(2022, 11, 30)
    )
    assert share.value == pytest.approx(100 * 491 / 110054)
    assert share.source_id == "so-tomazweiss-sede"
    shares = [p for p in points if p.metric == "so-question-share"]
    assert {p.source_id for p in shares} == {"so-tomazweiss-sede"}


def test_stackoverflow_top100_gap_is_not_zero(kb: KnowledgeBase) -> None:
    points = _points(kb, "stackoverflow-monthly.csv")
    egw_keras = [
        p for p in points if p.framework == "keras" and p.source_id == "so-egw-sede-top100"
    ]
    # Keras entered the top 100 in 2018-04: no earlier month is a point, and none is zero.
    assert min(p.date for p in egw_keras) == date(2018, 4, 30)
    assert all(p.value > 0 for p in egw_keras)
    assert not [p for p in points if p.framework == "pytorch" and "egw" in p.series]


def test_stackoverflow_sources_are_separate_series(kb: KnowledgeBase) -> None:
    points = _points(kb, "stackoverflow-monthly.csv")
    july = [p for p in points if p.framework == "tensorflow" and p.date == date(2019, 7, 31)]
    assert sorted(p.value for p in july) == [1145, 1539]
    assert len({p.series for p in july}) == 2


def test_hub_floors_stay_floors(kb: KnowledgeBase) -> None:
    points = _points(kb, "hf-hub-models.csv")
    docs = _one(points, metric="hf-models", framework="all", date=date(2024, 9, 12), value=900_000)
    assert docs.qualifier == "over" and docs.source_id == "hf-hub-docs"
    assert docs.quote and "900k" in docs.quote
    hfc = _one(points, metric="hf-models", framework="all", date=date(2024, 6, 30))
    assert hfc.value == 681_682 and hfc.qualifier == "exact" and hfc.source_id == "hfcommunity"
    assert docs.series != hfc.series  # floors and exact counts are never one line
    series_c = _one(points, metric="hf-models", date=date(2022, 5, 9))
    assert series_c.value == 100_000 and series_c.excluded
    tf_keras = _one(points, framework="keras", date=date(2024, 7, 9))
    assert tf_keras.segment.startswith("tf-keras") and tf_keras.qualifier == "at-least"


def test_stars_snapshot_and_rebuilt_are_separate_series(kb: KnowledgeBase) -> None:
    rebuilt = _points(kb, "github-history.csv")
    snapshot = _points(kb, "best-of-ml-python.csv")
    one = _one(rebuilt, metric="github-stars", framework="pytorch", date=date(2023, 2, 28))
    assert one.value == 61_308 and one.method.startswith("rebuilt")
    snap = _one(snapshot, metric="github-stars", framework="tensorflow", date=date(2020, 11, 30))
    assert snap.value == 150_975 and snap.method.startswith("GitHub's count at the time")
    assert snap.series != one.series and snap.source_id == "best-of-ml-python"


def test_jax_stars_from_2019_under_both_names(kb: KnowledgeBase) -> None:
    jax = [p for p in _points(kb, "github-jax.csv") if p.metric == "github-stars"]
    assert min(p.date for p in jax) == date(2019, 7, 13)
    assert max(p.date for p in jax) == date(2025, 6, 26)
    assert {p.source_id for p in jax} == {"best-of-ml-python", "github-ranking"}
    assert all("google/jax" in p.method for p in jax)
    forks = [p for p in _points(kb, "github-jax.csv") if p.metric == "github-forks"]
    assert all(p.excluded for p in forks if p.source_id == "best-of-ml-python")
    assert not any(p.excluded for p in forks if p.source_id == "github-ranking")


def test_jax_rows_of_best_of_match_github_jax(kb: KnowledgeBase) -> None:
    # best-of's JAX stars are loaded once, from github-jax.csv: the two files must agree.
    import csv

    with (SERIES / "best-of-ml-python.csv").open(encoding="utf-8") as handle:
        best = {
            r["snapshot_date"]: float(r["star_count"])
            for r in csv.DictReader(handle)
            if r["framework"] == "JAX"
        }
    jax = {
        p.date.isoformat(): p.value
        for p in _points(kb, "github-jax.csv")
        if p.metric == "github-stars" and p.source_id == "best-of-ml-python"
    }
    assert jax == best


def test_survey_professional_share_is_labelled_by_its_base(kb: KnowledgeBase) -> None:
    points = _points(kb, "so-survey-2022-professional.csv")
    tf = _one(points, framework="tensorflow")
    assert tf.value == 11.49 and tf.segment == "professional developers"
    assert tf.date == date(2022, 12, 31)


def test_research_share_carries_its_base_and_quote(kb: KnowledgeBase) -> None:
    points = _points(kb, "research-share.csv")
    pt = _one(points, framework="pytorch")
    assert pt.value == 47 and "Papers with Code" in pt.segment
    assert pt.quote and "47%" in pt.quote
