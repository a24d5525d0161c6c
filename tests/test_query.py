"""Table tests for the question parser: grammar, aliases, typos, periods and hostile text."""

from __future__ import annotations

from datetime import date

import pytest

from bot.understand import MAX_QUERY_CHARS, QueryError, Vocabulary, parse_query, tokenize

from .conftest import TODAY


@pytest.mark.parametrize(
    ("text", "kind", "frameworks", "metric"),
    [
        ("pytorch hf-models", "figures", ["pytorch"], "hf-models"),
        ("torch hf models", "figures", ["pytorch"], "hf-models"),
        ("pt hugging face models", "figures", ["pytorch"], "hf-models"),
        ("PyTorch TensorFlow github-stars", "figures", ["pytorch", "tensorflow"], "github-stars"),
        ("tf vs pytorch stars", "figures", ["tensorflow", "pytorch"], "github-stars"),
        ("keras, jax and tf forks", "figures", ["keras", "jax", "tensorflow"], "github-forks"),
        ("github-stars", "figures", [], "github-stars"),
        ("stars", "figures", [], "github-stars"),
        ("tensorflow papers with code", "figures", ["tensorflow"], "paper-share"),
        ("pytorch jobs", "figures", ["pytorch"], "job-listings"),
        ("tensorflow loved", "figures", ["tensorflow"], "survey-loved"),
        ("pytorch downloads", "figures", ["pytorch"], "pypi-downloads-per-day"),
        ("tensorflow stack overflow", "figures", ["tensorflow"], "so-questions"),
        ("pytorch conference-share", "figures", ["pytorch"], "conference-share"),
        ("compare pytorch tensorflow", "scoreboard", ["pytorch", "tensorflow"], None),
        ("compare torch tf stars", "compare", ["pytorch", "tensorflow"], "github-stars"),
        ("help", "help", [], None),
        ("", "help", [], None),
        ("   ", "help", [], None),
        ("sources", "sources", [], None),
        ("METRICS", "metrics", [], None),
        ("frameworks", "frameworks", [], None),
        ("claims", "claims", [], None),
    ],
)
def test_parse_grammar_and_aliases(
    vocab: Vocabulary, text: str, kind: str, frameworks: list[str], metric: str | None
) -> None:
    query = parse_query(text, vocab, TODAY)
    assert query.kind == kind
    assert query.frameworks == frameworks
    assert query.metric == metric


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("pytorch github-stars since 2020", date(2020, 1, 1), None),
        ("pytorch github-stars since 2021-06", date(2021, 6, 1), None),
        ("pytorch github-stars in 2019", date(2019, 1, 1), date(2019, 12, 31)),
        ("pytorch github-stars 2019", date(2019, 1, 1), date(2019, 12, 31)),
        ("pytorch github-stars 2018-2020", date(2018, 1, 1), date(2020, 12, 31)),
        ("pytorch github-stars from 2018 to 2019", date(2018, 1, 1), date(2019, 12, 31)),
        ("pytorch github-stars between 2018 and 2019", date(2018, 1, 1), date(2019, 12, 31)),
        ("pytorch github-stars 2018 to 2020", date(2018, 1, 1), date(2020, 12, 31)),
        ("pytorch github-stars 2019 through 2021", date(2019, 1, 1), date(2021, 12, 31)),
        ("pytorch github-stars 2021-06 until 2022-03", date(2021, 6, 1), date(2022, 3, 31)),
        ("pytorch github-stars 2021 to 2019", date(2019, 1, 1), date(2021, 12, 31)),
        ("pytorch github-stars since 2020 to 2022", date(2020, 1, 1), date(2022, 12, 31)),
        ("pytorch github-stars until 2021", None, date(2021, 12, 31)),
        ("pytorch github-stars last 12 months", date(2025, 11, 23), None),
        ("pytorch github-stars last 2 years", date(2024, 11, 23), None),
        ("pytorch github-stars 6m", date(2026, 5, 23), None),
        ("pytorch github-stars 3y", date(2023, 11, 23), None),
        ("pytorch github-stars last year", date(2025, 11, 23), None),
    ],
)
def test_parse_periods(vocab: Vocabulary, text: str, start: date | None, end: date | None) -> None:
    query = parse_query(text, vocab, TODAY)
    assert query.window is not None
    assert (query.window.start, query.window.end) == (start, end)
    assert query.metric == "github-stars"


@pytest.mark.parametrize(
    ("text", "kind", "fixed"),
    [
        ("pytroch hf-models", "figures", "pytorch"),
        ("tensorflw github-stars", "figures", "tensorflow"),
        ("pytorch gihub-stars", "figures", "github-stars"),
        ("pytorch hf-modles", "figures", "hf-models"),
        ("compare pytorch tensorflwo", "scoreboard", "tensorflow"),
        ("kears stars", "figures", "keras"),
    ],
)
def test_parse_clear_typos_are_read_as_meant(
    vocab: Vocabulary, text: str, kind: str, fixed: str
) -> None:
    # One edit away from exactly one framework or long metric name: answered, and said so.
    query = parse_query(text, vocab, TODAY)
    assert query.kind == kind
    assert fixed in query.frameworks or query.metric == fixed
    assert f"as {fixed})" in query.understood
    assert query.corrected is not None and fixed in query.corrected


@pytest.mark.parametrize(
    ("text", "suggestion", "corrected"),
    [
        ("pytorch hf-mdls", "hf-models", "pytorch hf-models"),
        ("pytroch hf-mdls", "hf-models", "pytorch hf-models"),
        ("kears strs", "github-stars", "keras stars"),
        ("tensorflw pytroch stras", "github-stars", "tensorflow pytorch stars"),
        ("compare pytorch tensrflw", "tensorflow", "compare pytorch tensorflow"),
    ],
)
def test_parse_unsure_typos_offer_the_whole_corrected_question(
    vocab: Vocabulary, text: str, suggestion: str, corrected: str
) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text, vocab, TODAY)
    assert suggestion in caught.value.info.suggestions
    assert caught.value.info.corrected == corrected
    assert f"Did you mean `{corrected}`?" in caught.value.info.message


def test_parse_free_text_question(vocab: Vocabulary) -> None:
    query = parse_query("what share of papers used pytorch in 2019?", vocab, TODAY)
    assert query.frameworks == ["pytorch"]
    assert query.metric == "conference-share"
    assert query.window is not None and query.window.start == date(2019, 1, 1)


def test_parse_free_text_without_metric_searches(vocab: Vocabulary) -> None:
    query = parse_query("why did openai move to pytorch?", vocab, TODAY)
    assert query.kind == "search"
    assert "openai" in query.terms
    assert query.frameworks == ["pytorch"]


def test_parse_stray_tokens_are_not_search_terms(vocab: Vocabulary) -> None:
    with pytest.raises(QueryError, match="framework or a metric"):
        parse_query('" OR 1=1 --', vocab, TODAY)
    # A framework alone gets its overview (issue 10), no longer a claim search.
    assert parse_query("pytorch", vocab, TODAY).understood == "PyTorch across every indicator"


def test_parse_compare_needs_two_frameworks(vocab: Vocabulary) -> None:
    with pytest.raises(QueryError, match="two frameworks"):
        parse_query("compare pytorch", vocab, TODAY)


def test_parse_one_metric_at_a_time(vocab: Vocabulary) -> None:
    with pytest.raises(QueryError, match="one metric"):
        parse_query("pytorch stars forks", vocab, TODAY)


def test_parse_refuses_long_text_quickly(vocab: Vocabulary) -> None:
    with pytest.raises(QueryError, match="under 400"):
        parse_query("pytorch " * 1000, vocab, TODAY)
    assert MAX_QUERY_CHARS == 400


@pytest.mark.parametrize(
    "text",
    [
        '" OR 1=1; DROP TABLE points; --',
        'pytorch\' AND "stars" *',
        "NEAR(pytorch tensorflow) AND NOT keras",
        'claims "unterminated',
        "*",
        "pytorch ^ hf-models ~ {}",
        "\x00\x01 pytorch",
        "🔥🔥 pytorch 🔥",
    ],
)
def test_parse_hostile_text_never_crashes(vocab: Vocabulary, text: str) -> None:
    try:
        query = parse_query(text, vocab, TODAY)
    except QueryError as exc:
        assert exc.info.message
    else:
        assert query.kind in {
            "figures",
            "search",
            "claims",
            "help",
            "compare",
            "overview",
            "scoreboard",
        }


def test_tokenize_drops_punctuation() -> None:
    assert tokenize("What share, of papers? (PyTorch!)") == [
        "what",
        "share",
        "of",
        "papers",
        "pytorch",
    ]
