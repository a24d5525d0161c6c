"""The real knowledge base is valid and covers every figure in the seed articles.

The FIGURES table is the reviewer's checklist: one row per number in a seed article, each of
which must appear as a structured Figure in a claim of that article's source.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase, check_knowledge
from bot.models import Figure

ROOT = Path(__file__).parents[1]
KNOWLEDGE = ROOT / "knowledge"
SHARED = Path(__file__).parents[2] / "shared"
SEEDS = SHARED / "seeds"
DATA = SHARED / "data"

SEED_FILES = {
    "000_f013482760904fdf.txt": "tf-decline-documented-shift",
    "001_feacc5b40d02466b.txt": "pandey-pytorch-glow",
    "002_2b7bfcd086695b76.txt": "pytorch-dominant-2022-post",
    "003_dac5208b8ab3c203.txt": "nagel-gradient-study-news",
    "004_dc966ae61dea0e80.txt": "joury-tensorflow-slow-death",
}

REQUIRED_METRICS = [
    "hf-models",
    "hf-exclusive-share",
    "github-stars",
    "github-forks",
    "so-questions",
    "survey-usage",
    "survey-loved",
    "paper-share",
    "conference-share",
    "job-listings",
    "medium-articles",
    "pypi-downloads",
]

S000, S001, S002, S003, S004 = SEED_FILES.values()

# (source id, metric, framework slug or subject, value, value_high)
FIGURES: list[tuple[str, str, str, float, float | None]] = [
    # 000: Hugging Face counts (Oct 2024), conferences, migrations
    (S000, "hf-models", "all models on the Hugging Face Hub", 100_000, None),
    (S000, "hf-models", "pytorch", 85_000, None),
    (S000, "hf-models", "tensorflow", 5_000, None),
    (S000, "conference-share", "pytorch", 70, None),
    (S000, "adoption-year", "pytorch", 2020, None),  # OpenAI
    (S000, "adoption-year", "pytorch", 2021, None),  # Tesla AI Day
    # 001: Stack Overflow survey 2022
    (S001, "survey-respondents", "Stack Overflow Developer Survey 2022", 60_000, None),
    (S001, "survey-usage", "tensorflow", 12.95, None),
    (S001, "survey-usage", "pytorch", 8.61, None),
    (S001, "survey-usage", "keras", 7.27, None),
    (S001, "survey-usage", "tensorflow", 1.5, None),  # × PyTorch
    (S001, "survey-community-growth", "tensorflow", 30, None),
    (S001, "survey-usage", "tensorflow", 57, None),  # ML developers
    (S001, "survey-usage", "pytorch", 38, None),
    (S001, "survey-loved", "pytorch", 68.2, None),
    (S001, "survey-loved", "tensorflow", 60, None),
    (S001, "survey-loved", "Hugging Face", 72.2, None),
    # 001: GitHub, Stack Overflow, Hugging Face, Papers with Code, languages
    (S001, "github-stars", "tensorflow", 170_000, None),
    (S001, "github-stars", "pytorch", 61_000, None),
    (S001, "so-questions", "tensorflow", 2, None),  # × PyTorch
    (S001, "hf-new-models", "pytorch", 45_000, None),
    (S001, "hf-new-models", "tensorflow", 4_000, None),
    (S001, "hf-exclusive-share", "pytorch", 92, None),
    (S001, "hf-exclusive-share", "tensorflow", 8, None),
    (S001, "paper-share", "pytorch", 62, None),
    (S001, "paper-share", "tensorflow", 4, None),
    (S001, "paper-share", "tensorflow", 10, None),  # Dec 2021
    (S001, "code-language-share", "tensorflow", 63, None),  # C++
    (S001, "code-language-share", "tensorflow", 21, None),  # Python
    # 001: dates
    (S001, "release-year", "tensorflow", 2015, None),
    (S001, "release-year", "pytorch", 2016, None),
    (S001, "version-release-year", "tensorflow", 2019, None),  # TF 2.0
    (S001, "version-release-year", "pytorch", 2023, None),  # PyTorch 2.0, Mar 2023
    (S001, "adoption-year", "tensorflow", 2016, None),  # DeepMind
    (S001, "adoption-year", "jax", 2020, None),  # DeepMind
    (S001, "adoption-year", "pytorch", 2020, None),  # OpenAI
    # 002: Hugging Face shares (2022), Papers with Code majority
    (S002, "hf-exclusive-share", "pytorch", 85, None),
    (S002, "hf-available-share", "pytorch", 50, None),
    (S002, "hf-available-share", "tensorflow", 16, None),
    (S002, "hf-exclusive-share", "tensorflow", 8, None),
    (S002, "paper-share", "pytorch", 50, None),
    # 003: Horace He's 2019 study
    (S003, "conference-share", "pytorch", 50, 75),
    (S003, "job-listings", "tensorflow", 1541, None),
    (S003, "job-listings", "pytorch", 1437, None),
    (S003, "medium-articles", "tensorflow", 3230, None),
    (S003, "medium-articles", "pytorch", 1200, None),
    (S003, "github-new-stars", "tensorflow", 13_700, None),
    (S003, "github-new-stars", "pytorch", 7_200, None),
    # 004: Stack Overflow, Hugging Face, research, release
    (S004, "so-questions", "tensorflow", 2, None),  # × PyTorch per month
    (S004, "so-question-growth", "tensorflow", 0, None),  # flat since ~2018
    (S004, "hf-exclusive-share", "pytorch", 85, None),
    (S004, "hf-exclusive-share", "tensorflow", 8, None),
    (S004, "conference-share", "pytorch", 75, None),  # three out of four papers
    (S004, "release-year", "tensorflow", 2015, None),  # late 2015
]


@pytest.fixture(scope="module")
def kb_and_errors() -> tuple[KnowledgeBase, list[str]]:
    kb, errors = check_knowledge(KNOWLEDGE)
    return kb, [str(e) for e in errors]


@pytest.fixture(scope="module")
def kb(kb_and_errors: tuple[KnowledgeBase, list[str]]) -> KnowledgeBase:
    return kb_and_errors[0]


def _figures_of(kb: KnowledgeBase, source: str) -> list[Figure]:
    return [f for c in kb.claims.values() if c.source == source for f in c.figures]


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).split()


def _shingles(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_knowledge_has_no_errors(kb_and_errors: tuple[KnowledgeBase, list[str]]) -> None:
    _, errors = kb_and_errors
    assert errors == []


def test_knowledge_claim_count_is_substantial(kb: KnowledgeBase) -> None:
    assert len(kb.claims) >= 45


@pytest.mark.parametrize("seed_file", sorted(SEED_FILES))
def test_seed_has_exactly_one_source(kb: KnowledgeBase, seed_file: str) -> None:
    matching = [s.id for s in kb.sources.values() if s.seed_file == seed_file]
    assert matching == [SEED_FILES[seed_file]]


def test_seed_sources_have_claims(kb: KnowledgeBase) -> None:
    cited = {c.source for c in kb.claims.values()}
    assert set(SEED_FILES.values()) <= cited


@pytest.mark.parametrize("slug", REQUIRED_METRICS)
def test_required_metric_exists(kb: KnowledgeBase, slug: str) -> None:
    assert slug in kb.metrics


def test_metric_aliases_are_unique(kb: KnowledgeBase) -> None:
    seen: dict[str, str] = {}
    for metric in kb.metrics.values():
        for alias in [metric.slug, *metric.aliases]:
            assert alias == alias.lower(), f"{metric.slug}: alias {alias!r} is not lowercase"
            assert seen.setdefault(alias, metric.slug) == metric.slug, (
                f"alias {alias!r} used by {seen[alias]} and {metric.slug}"
            )


def test_framework_aliases_are_lowercase(kb: KnowledgeBase) -> None:
    assert set(kb.frameworks) == {"pytorch", "tensorflow", "keras", "jax"}
    for fw in kb.frameworks.values():
        assert all(alias == alias.lower() for alias in fw.aliases), fw.slug


@pytest.mark.parametrize(
    ("source", "metric", "who", "value", "value_high"),
    FIGURES,
    ids=[f"{s}:{m}:{w}:{v:g}" for s, m, w, v, _ in FIGURES],
)
def test_seed_figure_is_in_knowledge(
    kb: KnowledgeBase, source: str, metric: str, who: str, value: float, value_high: float | None
) -> None:
    candidates = [
        f
        for f in _figures_of(kb, source)
        if f.metric == metric
        and who in (f.framework, f.subject)
        and f.value == pytest.approx(value)
    ]
    assert candidates, f"no figure {metric}={value:g} for {who} in claims of {source}"
    if value_high is not None:
        assert any(f.value_high == pytest.approx(value_high) for f in candidates)


def test_figure_metric_units_are_declared(kb: KnowledgeBase) -> None:
    # A figure's unit is the metric's unit, or a ratio "× <framework name>" with relative_to.
    names = {fw.slug: fw.name for fw in kb.frameworks.values()}
    for claim in kb.claims.values():
        for fig in claim.figures:
            metric_unit = kb.metrics[fig.metric].unit
            if fig.relative_to:
                assert fig.unit == f"× {names[fig.relative_to]}", claim.id
            else:
                assert fig.unit == metric_unit, f"{claim.id}: {fig.unit!r} != {metric_unit!r}"


def test_claim_statements_are_restated() -> None:
    # No claim may share a run of 8+ words with its own seed, or with any other seed.
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not available at {SEEDS}; cannot compare wording")
    kb, _ = check_knowledge(KNOWLEDGE)
    by_source = {
        source.id: _shingles(_words((SEEDS / source.seed_file).read_text(encoding="utf-8")), 8)
        for source in kb.sources.values()
        if source.seed_file
    }
    every_seed = set().union(*by_source.values())
    copied = []
    for claim in kb.claims.values():
        common = _shingles(_words(claim.statement), 8) & every_seed
        if common:
            copied.append(f"{claim.id}: {' '.join(sorted(common)[0])!r}")
    assert copied == []


@pytest.mark.parametrize("name", ["github-history.csv", "conference-papers.csv"])
def test_series_csv_is_verbatim(kb: KnowledgeBase, name: str) -> None:
    shipped = KNOWLEDGE / "series" / name
    assert any(entry.file == name for entry in kb.series)
    assert shipped.is_file()
    if not DATA.is_dir():
        pytest.skip(f"shared data folder {DATA} not available")
    assert shipped.read_bytes() == (DATA / name).read_bytes()
