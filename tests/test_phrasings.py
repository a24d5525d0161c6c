"""Natural phrasings, each with what it must be understood as; and answers and claim ranking
for a sample of them. Each row: text, answer kind, frameworks, metric (or topic, or intent
when there is neither), period start (ISO date or None), view."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.answers import Engine
from bot.knowledge import load_knowledge
from bot.models import Query
from bot.store import open_store
from bot.understand import MAX_QUERY_CHARS, QueryError, Vocabulary, parse_query

from .conftest import KNOWLEDGE, TODAY

Row = tuple[str, str, list[str], str | None, str | None, str | None]

PHRASINGS: list[Row] = [
    (
        "is tensorflow dead in 2026?",
        "scoreboard",
        ["tensorflow"],
        "verdict",
        "2026-01-01",
        "momentum",
    ),
    ("are people still using keras", "scoreboard", ["keras"], "verdict", None, "momentum"),
    ("is keras dying?", "scoreboard", ["keras"], "verdict", None, "momentum"),
    ("is keras dead", "scoreboard", ["keras"], "verdict", None, "momentum"),
    (
        "how's tensorflow holding up these days",
        "scoreboard",
        ["tensorflow"],
        "verdict",
        None,
        "momentum",
    ),
    ("tensorflow lite usage", "figures", ["tensorflow"], "survey-usage", None, None),
    ("Is TensorFlow declining?", "scoreboard", ["tensorflow"], "verdict", None, "momentum"),
    (
        "is tensorflow losing to pytorch",
        "scoreboard",
        ["tensorflow", "pytorch"],
        "verdict",
        None,
        "momentum",
    ),
    ("is jax growing?", "scoreboard", ["jax"], "trend", None, "momentum"),
    ("is pytorch still growing", "scoreboard", ["pytorch"], "trend", None, "momentum"),
    ("how popular is pytorch", "scoreboard", ["pytorch"], "popularity", None, "standing"),
    (
        "how popular is jax compared to pytorch",
        "scoreboard",
        ["jax", "pytorch"],
        "popularity",
        None,
        "standing",
    ),
    ("pytorch trend", "scoreboard", ["pytorch"], "trend", None, "momentum"),
    ("tensorflow trends", "scoreboard", ["tensorflow"], "trend", None, "momentum"),
    ("how fast is pytorch growing", "scoreboard", ["pytorch"], "trend", None, "momentum"),
    ("how fast is jax growing on github", "figures", ["jax"], "github-stars", None, "change"),
    (
        "pytorch vs tensorflow",
        "scoreboard",
        ["pytorch", "tensorflow"],
        "popularity",
        None,
        "standing",
    ),
    (
        "pytorch or tensorflow?",
        "scoreboard",
        ["pytorch", "tensorflow"],
        "popularity",
        None,
        "standing",
    ),
    (
        "PyTorch vs. TensorFlow vs. JAX",
        "scoreboard",
        ["pytorch", "tensorflow", "jax"],
        "popularity",
        None,
        "standing",
    ),
    ("tf vs torch", "scoreboard", ["tensorflow", "pytorch"], "popularity", None, "standing"),
    ("keras versus jax", "scoreboard", ["keras", "jax"], "popularity", None, "standing"),
    ("compare pytorch and jax", "scoreboard", ["pytorch", "jax"], "popularity", None, "standing"),
    (
        "can you compare tensorflow and keras",
        "scoreboard",
        ["tensorflow", "keras"],
        "popularity",
        None,
        "standing",
    ),
    (
        "is pytorch more popular than tensorflow",
        "scoreboard",
        ["pytorch", "tensorflow"],
        "popularity",
        None,
        "standing",
    ),
    (
        "is jax more popular than tensorflow now",
        "scoreboard",
        ["jax", "tensorflow"],
        "popularity",
        None,
        "standing",
    ),
    (
        "did pytorch overtake tensorflow",
        "scoreboard",
        ["pytorch", "tensorflow"],
        "popularity",
        None,
        "standing",
    ),
    (
        "has pytorch beaten tensorflow",
        "scoreboard",
        ["pytorch", "tensorflow"],
        "popularity",
        None,
        "standing",
    ),
    (
        "will jax catch up with pytorch",
        "scoreboard",
        ["jax", "pytorch"],
        "catchup",
        None,
        "standing",
    ),
    (
        "will jax ever overtake pytorch",
        "scoreboard",
        ["jax", "pytorch"],
        "popularity",
        None,
        "standing",
    ),
    ("which framework leads", "scoreboard", [], "popularity", None, "standing"),
    ("which framework is winning", "scoreboard", [], "popularity", None, "standing"),
    (
        "who is winning, pytorch or tensorflow?",
        "scoreboard",
        ["pytorch", "tensorflow"],
        "popularity",
        None,
        "standing",
    ),
    (
        "what's the most popular deep learning framework",
        "scoreboard",
        [],
        "superlative",
        None,
        "standing",
    ),
    ("most popular framework", "scoreboard", [], "superlative", None, "standing"),
    ("which is the best framework", "scoreboard", [], "superlative", None, "standing"),
    ("most loved framework", "figures", [], "survey-loved", None, None),
    ("which framework has the most github stars", "figures", [], "github-stars", None, None),
    ("which has the most stars", "figures", [], "github-stars", None, None),
    ("fastest growing framework", "scoreboard", [], "trend", None, "momentum"),
    ("what is the fastest growing ml framework", "scoreboard", [], "trend", None, "momentum"),
    ("which framework has the most hugging face models", "figures", [], "hf-models", None, None),
    ("which framework has the most downloads", "figures", [], "pypi-downloads-per-day", None, None),
    ("why is pytorch so popular", "search", ["pytorch"], "why", None, None),
    ("why did openai switch to pytorch", "search", ["pytorch"], "adoption-year", None, None),
    ("why did tensorflow lose to pytorch", "search", ["tensorflow", "pytorch"], "why", None, None),
    ("why are researchers moving to pytorch", "search", ["pytorch"], "adoption-year", None, None),
    ("why do people still use tensorflow", "search", ["tensorflow"], "why", None, None),
    ("why is jax gaining", "search", ["jax"], "why", None, None),
    ("who uses jax", "search", ["jax"], "who", None, None),
    ("who switched to pytorch", "search", ["pytorch"], "who", None, None),
    (
        "which companies use tensorflow in production",
        "search",
        ["tensorflow"],
        "deployment",
        None,
        None,
    ),
    ("who still uses tensorflow", "search", ["tensorflow"], "who", None, None),
    (
        "which companies migrated from tensorflow to pytorch",
        "search",
        ["tensorflow", "pytorch"],
        "who",
        None,
        None,
    ),
    ("when was pytorch released", "figures", ["pytorch"], "release-year", None, None),
    ("when did tensorflow come out", "figures", ["tensorflow"], "release-year", None, None),
    (
        "when did tensorflow 2 come out",
        "figures",
        ["tensorflow"],
        "version-release-year",
        None,
        None,
    ),
    ("when was tf 2.0 released", "figures", ["tensorflow"], "version-release-year", None, None),
    ("how old is pytorch", "figures", ["pytorch"], "release-year", None, None),
    ("when did pytorch launch", "figures", ["pytorch"], "release-year", None, None),
    ("when was jax released", "figures", ["jax"], "release-year", None, None),
    (
        "hey @fwtrend, quick question: what's pytorch's share of conference papers?",
        "figures",
        ["pytorch"],
        "conference-share",
        None,
        None,
    ),
    ("<@U123ABC> how is jax doing", "overview", ["jax"], "overview", None, None),
    ("<@U123ABC> pytorch hf-models", "figures", ["pytorch"], "hf-models", None, None),
    (
        "hi team, how is tensorflow doing these days?",
        "overview",
        ["tensorflow"],
        "overview",
        None,
        None,
    ),
    ("hey, is keras dead?", "scoreboard", ["keras"], "verdict", None, "momentum"),
    (
        "quick question: pytorch or jax?",
        "scoreboard",
        ["pytorch", "jax"],
        "popularity",
        None,
        "standing",
    ),
    (
        "can you tell me how many hf models tensorflow has",
        "figures",
        ["tensorflow"],
        "hf-models",
        None,
        None,
    ),
    (
        "I wonder if jax is catching up with pytorch",
        "scoreboard",
        ["jax", "pytorch"],
        "catchup",
        None,
        "standing",
    ),
    ("is jax catching up?", "scoreboard", ["jax"], "catchup", None, "standing"),
    ("is anyone catching up", "scoreboard", [], "catchup", None, "standing"),
    (
        "is the gap between pytorch and tf closing",
        "scoreboard",
        ["pytorch", "tensorflow"],
        "catchup",
        None,
        "standing",
    ),
    ("is keras gaining ground", "scoreboard", ["keras"], "catchup", None, "standing"),
    (
        "is pytorch closing in on tensorflow in stars",
        "figures",
        ["pytorch", "tensorflow"],
        "github-stars",
        None,
        None,
    ),
    (
        "how big is the gap between jax and pytorch on pypi",
        "figures",
        ["jax", "pytorch"],
        "pypi-downloads-per-day",
        None,
        None,
    ),
    (
        "keras questions on stack overflow 2018 vs 2020",
        "figures",
        ["keras"],
        "so-questions",
        "2018-01-01",
        None,
    ),
    ("pytorch stars 2019 and 2023", "figures", ["pytorch"], "github-stars", "2019-01-01", None),
    (
        "tf downloads 2024 versus 2020",
        "figures",
        ["tensorflow"],
        "pypi-downloads-per-day",
        "2020-01-01",
        None,
    ),
    ("I was wondering how tensorflow is doing", "overview", ["tensorflow"], "overview", None, None),
    ("@fwtrend jax downloads please", "figures", ["jax"], "pypi-downloads-per-day", None, None),
    ("hello! pytorch stars?", "figures", ["pytorch"], "github-stars", None, None),
    ("thanks, how many stars does keras have", "figures", ["keras"], "github-stars", None, None),
    ("pytorch's github stars", "figures", ["pytorch"], "github-stars", None, None),
    ("tensorflow's hugging face models", "figures", ["tensorflow"], "hf-models", None, None),
    ("JAX's downloads", "figures", ["jax"], "pypi-downloads-per-day", None, None),
    ("keras's stack overflow questions", "figures", ["keras"], "so-questions", None, None),
    ("PyTorch's growth on the Hub", "figures", ["pytorch"], "hf-models", None, "change"),
    (
        "pytorch stars over the last two years",
        "figures",
        ["pytorch"],
        "github-stars",
        "2024-11-23",
        None,
    ),
    (
        "tensorflow downloads past 18 months",
        "figures",
        ["tensorflow"],
        "pypi-downloads-per-day",
        "2025-05-23",
        None,
    ),
    (
        "jax stack overflow questions since last year",
        "figures",
        ["jax"],
        "so-questions",
        "2025-01-01",
        None,
    ),
    ("pytorch hub models since tf 2.0", "figures", ["pytorch"], "hf-models", "2019-01-01", None),
    ("keras stars since pytorch 2", "figures", ["keras"], "github-stars", "2023-03-01", None),
    (
        "tensorflow stars since pytorch came out",
        "figures",
        ["tensorflow"],
        "github-stars",
        "2016-01-01",
        None,
    ),
    (
        "pytorch downloads over the past year",
        "figures",
        ["pytorch"],
        "pypi-downloads-per-day",
        "2025-11-23",
        None,
    ),
    ("jax stars in the last 3 years", "figures", ["jax"], "github-stars", "2023-11-23", None),
    (
        "tensorflow questions over the last couple of years",
        "figures",
        ["tensorflow"],
        "so-questions",
        "2024-11-23",
        None,
    ),
    ("pytorch stars in 2019", "figures", ["pytorch"], "github-stars", "2019-01-01", None),
    (
        "tensorflow stars between 2018 and 2020",
        "figures",
        ["tensorflow"],
        "github-stars",
        "2018-01-01",
        None,
    ),
    ("pytorch stars from 2017 to 2019", "figures", ["pytorch"], "github-stars", "2017-01-01", None),
    ("jax stars since march 2021", "figures", ["jax"], "github-stars", "2021-03-01", None),
    ("pytorch hf models this year", "figures", ["pytorch"], "hf-models", "2026-01-01", None),
    (
        "tensorflow downloads last 6 months",
        "figures",
        ["tensorflow"],
        "pypi-downloads-per-day",
        "2026-05-23",
        None,
    ),
    ("keras stars 2018-2022", "figures", ["keras"], "github-stars", "2018-01-01", None),
    (
        "pytorch conference share in 2019",
        "figures",
        ["pytorch"],
        "conference-share",
        "2019-01-01",
        None,
    ),
    ("how many stars does pytorch have", "figures", ["pytorch"], "github-stars", None, None),
    (
        "how many github stars does tensorflow have",
        "figures",
        ["tensorflow"],
        "github-stars",
        None,
        None,
    ),
    ("how many downloads does jax get", "figures", ["jax"], "pypi-downloads-per-day", None, None),
    (
        "how many downloads does pytorch get per day",
        "figures",
        ["pytorch"],
        "pypi-downloads-per-day",
        None,
        None,
    ),
    ("pip installs of tensorflow", "figures", ["tensorflow"], "pypi-downloads-per-day", None, None),
    ("torch downloads", "figures", ["pytorch"], "pypi-downloads-per-day", None, None),
    (
        "tensorflow pip downloads trend",
        "figures",
        ["tensorflow"],
        "pypi-downloads-per-day",
        None,
        "change",
    ),
    ("jax downloads trend", "figures", ["jax"], "pypi-downloads-per-day", None, "change"),
    (
        "are tensorflow downloads falling",
        "figures",
        ["tensorflow"],
        "pypi-downloads-per-day",
        None,
        "change",
    ),
    (
        "is pytorch growing on pypi",
        "figures",
        ["pytorch"],
        "pypi-downloads-per-day",
        None,
        "change",
    ),
    (
        "stack overflow questions for keras vs tensorflow",
        "figures",
        ["keras", "tensorflow"],
        "so-questions",
        None,
        None,
    ),
    (
        "how many questions about jax on stack overflow",
        "figures",
        ["jax"],
        "so-questions",
        None,
        None,
    ),
    ("tensorflow so questions", "figures", ["tensorflow"], "so-questions", None, None),
    ("pytorch stack overflow", "figures", ["pytorch"], "so-questions", None, None),
    (
        "how many stackoverflow questions does pytorch get",
        "figures",
        ["pytorch"],
        "so-questions",
        None,
        None,
    ),
    (
        "is tensorflow declining on stack overflow",
        "figures",
        ["tensorflow"],
        "so-questions",
        None,
        "change",
    ),
    ("pytorch stack overflow share", "figures", ["pytorch"], "so-question-share", None, None),
    (
        "share of stack overflow questions for tensorflow",
        "figures",
        ["tensorflow"],
        "so-question-share",
        None,
        None,
    ),
    (
        "which has more hub models, pytorch or jax?",
        "figures",
        ["pytorch", "jax"],
        "hf-models",
        None,
        None,
    ),
    ("hugging face models for pytorch", "figures", ["pytorch"], "hf-models", None, None),
    (
        "how many models on the hub use tensorflow",
        "figures",
        ["tensorflow"],
        "hf-models",
        None,
        None,
    ),
    ("keras models on hugging face", "figures", ["keras"], "hf-models", None, None),
    ("jax hub models", "figures", ["jax"], "hf-models", None, None),
    (
        "how fast are pytorch hub models growing",
        "figures",
        ["pytorch"],
        "hf-models",
        None,
        "change",
    ),
    (
        "are tensorflow models on hugging face declining",
        "figures",
        ["tensorflow"],
        "hf-models",
        None,
        "change",
    ),
    ("what share of papers use pytorch", "figures", ["pytorch"], "conference-share", None, None),
    ("pytorch papers with code", "figures", ["pytorch"], "paper-share", None, None),
    ("research share of tensorflow", "figures", ["tensorflow"], "conference-share", None, None),
    (
        "is tensorflow losing to pytorch in research?",
        "figures",
        ["tensorflow", "pytorch"],
        "conference-share",
        None,
        "change",
    ),
    ("jax in research papers", "figures", ["jax"], "conference-share", None, None),
    ("pytorch jobs", "figures", ["pytorch"], "job-listings", None, None),
    (
        "how many job listings mention tensorflow",
        "figures",
        ["tensorflow"],
        "job-listings",
        None,
        None,
    ),
    ("tensorflow survey usage", "figures", ["tensorflow"], "survey-usage", None, None),
    ("how many developers use keras", "figures", ["keras"], "survey-usage", None, None),
    ("pytorch loved", "figures", ["pytorch"], "survey-loved", None, None),
    ("is pytorch loved", "figures", ["pytorch"], "survey-loved", None, None),
    ("jax github forks", "figures", ["jax"], "github-forks", None, None),
    ("tensorflow open issues", "figures", ["tensorflow"], "github-open-issues", None, None),
    ("pytorch docker pulls", "figures", ["pytorch"], "docker-pulls", None, None),
    ("jax", "overview", ["jax"], "overview", None, None),
    ("pytorch", "overview", ["pytorch"], "overview", None, None),
    ("TensorFlow", "overview", ["tensorflow"], "overview", None, None),
    ("keras?", "overview", ["keras"], "overview", None, None),
    ("how about jax", "overview", ["jax"], "overview", None, None),
    ("what about keras", "overview", ["keras"], "overview", None, None),
    ("tell me about tensorflow", "overview", ["tensorflow"], "overview", None, None),
    ("jax overview", "overview", ["jax"], "overview", None, None),
    ("pytroch hf-models", "figures", ["pytorch"], "hf-models", None, None),
    ("tensorflw github-stars", "figures", ["tensorflow"], "github-stars", None, None),
    ("pytroch tensorflw hf-modles", "figures", ["pytorch", "tensorflow"], "hf-models", None, None),
    (
        "compare pytorhc tensorflwo",
        "scoreboard",
        ["pytorch", "tensorflow"],
        "popularity",
        None,
        "standing",
    ),
    ("is kears dead", "scoreboard", ["keras"], "verdict", None, "momentum"),
    (
        "tensorflwo vs pytroch",
        "scoreboard",
        ["tensorflow", "pytorch"],
        "popularity",
        None,
        "standing",
    ),
    ("jax downlods", "figures", ["jax"], "pypi-downloads-per-day", None, None),
    ("'\" NEAR( *", "search", [], None, None, None),
    ('" OR 1=1; DROP TABLE points; --', "search", [], "verdict", None, None),
    (
        "NEAR(pytorch tensorflow) AND NOT keras",
        "scoreboard",
        ["pytorch", "tensorflow", "keras"],
        "popularity",
        None,
        "standing",
    ),
    (
        "pytorch* OR tensorflow*",
        "scoreboard",
        ["pytorch", "tensorflow"],
        "popularity",
        None,
        "standing",
    ),
    ("🔥🔥🔥", "help", [], None, None, None),
    ("🔥 pytorch 🔥", "overview", ["pytorch"], "overview", None, None),
    ("pytorch 🚀 stars", "figures", ["pytorch"], "github-stars", None, None),
    ("asdfghjkl", "search", [], None, None, None),
    ("????", "help", [], None, None, None),
    ("...", "help", [], None, None, None),
    ("which frameworks do you know?", "frameworks", [], None, None, None),
    ("what metrics can i ask about", "metrics", [], None, None, None),
    ("what sources do you use", "sources", [], None, None, None),
    ("help", "help", [], None, None, None),
    ("pytorch deployment", "search", ["pytorch"], "deployment", None, None),
    ("tensorflow in production", "search", ["tensorflow"], "deployment", None, None),
    ("claims about hugging face", "claims", [], "hugging-face", None, None),
    ("claims research", "claims", [], "research", None, None),
    ("jax vs pytorch on tpus", "scoreboard", ["jax", "pytorch"], "hardware", None, "standing"),
    (
        "is keras still relevant in 2026",
        "scoreboard",
        ["keras"],
        "verdict",
        "2026-01-01",
        "momentum",
    ),
    ("is tensorflow worth learning", "scoreboard", ["tensorflow"], "verdict", None, "momentum"),
    (
        "should i learn pytorch or tensorflow",
        "scoreboard",
        ["pytorch", "tensorflow"],
        "popularity",
        None,
        "standing",
    ),
    (
        "tensorflow or pytorch for a beginner",
        "scoreboard",
        ["tensorflow", "pytorch"],
        "popularity",
        None,
        "standing",
    ),
    ("what's up with tensorflow", "overview", ["tensorflow"], "overview", None, None),
    ("how are the frameworks doing", "scoreboard", [], "overview", None, "standing"),
    ("which framework is dying", "scoreboard", [], "verdict", None, "momentum"),
    ("is google abandoning tensorflow", "scoreboard", ["tensorflow"], "google", None, "momentum"),
    (
        "is jax replacing tensorflow at google",
        "scoreboard",
        ["jax", "tensorflow"],
        "google",
        None,
        "standing",
    ),
    ("pytorch 2", "overview", ["pytorch"], "overview", None, None),
    ("tf2 stars", "figures", ["tensorflow"], "github-stars", None, None),
    ("keras 3 downloads", "figures", ["keras"], "pypi-downloads-per-day", None, None),
    # What only one framework has (vocabulary.yaml, exclusive_metrics): "only" right after a
    # framework's name, or "exclusively" anywhere; "only" elsewhere is just a word.
    ("tensorflow-only models on hf", "figures", ["tensorflow"], "hf-exclusive-share", None, None),
    (
        "how many hub models are pytorch only",
        "figures",
        ["pytorch"],
        "hf-exclusive-share",
        None,
        None,
    ),
    (
        "models exclusively for tf on the hub",
        "figures",
        ["tensorflow"],
        "hf-exclusive-share",
        None,
        None,
    ),
    ("show only pytorch hf models", "figures", ["pytorch"], "hf-models", None, None),
    ("pytorch-only stars", "figures", ["pytorch"], "github-stars", None, None),
    # A share asked of a count means its share metric (vocabulary.yaml, share_metrics).
    (
        "what share of hugging face models are pytorch",
        "figures",
        ["pytorch"],
        "hf-exclusive-share",
        None,
        None,
    ),
    (
        "what % of hf models are pytorch only?",
        "figures",
        ["pytorch"],
        "hf-exclusive-share",
        None,
        None,
    ),
    (
        "what percentage of stack overflow questions are about tensorflow",
        "figures",
        ["tensorflow"],
        "so-question-share",
        None,
        None,
    ),
    (
        "how many hugging face models does pytorch have",
        "figures",
        ["pytorch"],
        "hf-models",
        None,
        None,
    ),
    # "pypi downloads" is the per-day metric's alias; the raw metric's slug typed as one word
    # is the raw metric.
    ("who leads in pypi downloads?", "figures", [], "pypi-downloads-per-day", None, None),
    ("pytorch pypi-downloads", "figures", ["pytorch"], "pypi-downloads", None, None),
    # Hyphenated words known only as their parts.
    (
        "85% of hugging face models are pytorch-only, true?",
        "figures",
        ["pytorch"],
        "hf-exclusive-share",
        None,
        None,
    ),
    ("jax-vs-pytorch stars", "figures", ["jax", "pytorch"], "github-stars", None, None),
    ("tensorflow-based models on the hub", "figures", ["tensorflow"], "hf-models", None, None),
]


def _about(query: Query) -> str | None:
    return query.metric or query.topic or query.intent


def test_the_table_is_large_and_varied() -> None:
    kinds = {row[1] for row in PHRASINGS}
    assert len(PHRASINGS) >= 150
    assert {"scoreboard", "overview", "figures", "search", "help"} <= kinds


@pytest.mark.parametrize(("text", "kind", "frameworks", "about", "start", "view"), PHRASINGS)
def test_phrasing_is_understood(
    vocab: Vocabulary,
    text: str,
    kind: str,
    frameworks: list[str],
    about: str | None,
    start: str | None,
    view: str | None,
) -> None:
    query = parse_query(text, vocab, TODAY)
    assert query.kind == kind
    assert query.frameworks == frameworks
    assert _about(query) == about
    assert (query.window.start.isoformat() if query.window and query.window.start else None) == (
        start
    )
    assert query.view == view
    assert query.understood


@pytest.mark.parametrize(
    ("text", "corrected"),
    [
        ("pytorch githb stars", "pytorch github stars"),
        ("pytorch hf-mdls", "pytorch hf-models"),
        ("kears strs", "keras stars"),
        ("tensorflw hf-mdls", "tensorflow hf-models"),
        ("pytroch kears tensorflwo strs", "pytorch keras tensorflow stars"),
        ("is pytroch more populr than tensorflw?", None),
    ],
)
def test_several_typos_are_corrected_at_once(
    vocab: Vocabulary, text: str, corrected: str | None
) -> None:
    if corrected is None:
        # A question with every framework fixed silently still answers, and says what it read.
        query = parse_query(text, vocab, TODAY)
        assert query.frameworks == ["pytorch", "tensorflow"]
        assert "“pytroch” as pytorch" in query.understood
        return
    with pytest.raises(QueryError) as caught:
        parse_query(text, vocab, TODAY)
    assert caught.value.info.corrected == corrected
    assert caught.value.info.message.endswith(f"Did you mean `{corrected}`?")


@pytest.mark.parametrize(
    "text",
    [
        "pytorch " * 60,
        "a" * (MAX_QUERY_CHARS + 1),
        "\x00\x01\x02 pytorch \x7f stars",
        "pytorch\u200b stars\u202e",
        '"NEAR(pytorch tensorflow, 2)',
        "pytorch* OR tf* NOT keras^2",
        "stars:pytorch AND {tensorflow}",
        "'; DELETE FROM claims; --",
        "🔥" * 100,
        "💀 is tensorflow 💀 dead 💀",
        "<@U123ABC> <#C123|general> <!here>",
        "@fwtrend @fwtrend @fwtrend",
        "since since since",
        "last last last years",
        "since keras 3",
        "pytorch since 9999",
        "compare",
        'claims "unterminated',
        "\\ // -- ++ ##",
        "-1 pytorch stars",
    ],
)
def test_hostile_text_gets_an_answer_or_a_clear_error(engine: Engine, text: str) -> None:
    answer = engine.ask(text)
    if answer.ok:
        assert answer.title
    else:
        assert answer.error is not None and answer.error.message
        assert "Traceback" not in answer.error.message


def _generated_questions(count: int, seed: int) -> list[str]:
    """Questions put together from the knowledge's own words: frameworks, metric names,
    intent phrases and periods, in random order and combinations (a fixed seed)."""
    import random

    lexicon = yaml.safe_load((KNOWLEDGE / "vocabulary.yaml").read_text(encoding="utf-8"))
    metrics = yaml.safe_load((KNOWLEDGE / "metrics.yaml").read_text(encoding="utf-8"))
    names = [a for m in metrics for a in [m["slug"], *m.get("aliases", [])[:3]]]
    intents = [p for phrases in lexicon["intents"].values() for p in phrases]
    frameworks = ["pytorch", "tensorflow", "jax", "keras", "tf", "torch", "pytorch-only"]
    periods = ["since 2020", "in 2019", "last year", "before 2021", "after 2022", "2018-2021",
               "last 6 months", "between 2019 and 2021", "until 2017", "in march 2023"]  # fmt: skip
    extras = ["?", "share of", "% of", "how many", "which has the most", "vs", "compare",
              "claims", "why", "who", "numbers", "sources", "contradictions"]  # fmt: skip
    rng = random.Random(seed)
    questions = []
    for _ in range(count):
        parts = [rng.choice(pool) for pool in (intents, names) if rng.random() < 0.8]
        parts += [rng.choice(frameworks)] if rng.random() < 0.5 else []
        parts += [rng.choice(pool) for pool in (extras, frameworks, periods) if rng.random() < 0.4]
        rng.shuffle(parts)
        questions.append(" ".join(parts))
    return questions


def test_generated_questions_all_get_an_answer_or_a_clear_error(engine: Engine) -> None:
    # What real users type mixes names, metrics, intents and periods in every order; none of
    # it may end in an exception (the web process would apologise instead of answering).
    from bot.render.text import render_text
    from bot.slack.blocks import answer_blocks

    for text in _generated_questions(400, seed=11):
        answer = engine.ask(text)
        assert answer.ok or (answer.error is not None and answer.error.message), text
        assert answer_blocks(answer) and render_text(answer), text


def test_control_characters_and_mentions_are_not_words(vocab: Vocabulary) -> None:
    query = parse_query("<@U123ABC>\x00 pytorch\u200b's \x07stars?", vocab, TODAY)
    assert (query.kind, query.frameworks, query.metric) == ("figures", ["pytorch"], "github-stars")


def test_since_a_release_uses_the_date_a_claim_gives(vocab: Vocabulary, kb_release: date) -> None:
    query = parse_query("pytorch stars since tf 2.0", vocab, TODAY)
    assert query.window is not None and query.window.start == kb_release
    assert "TensorFlow 2.0" in query.window.text


@pytest.fixture
def kb_release() -> date:
    kb = load_knowledge(KNOWLEDGE)
    starts = [
        fig.as_of.start
        for claim in kb.claims.values()
        for fig in claim.figures
        if fig.metric == "version-release-year" and fig.segment == "TensorFlow 2.0"
    ]
    assert starts
    return min(starts)


# ---------------------------------------------------------------- answers


@pytest.mark.parametrize(
    "text",
    [
        "is tensorflow dead in 2026?",
        "are people still using keras",
        "how is jax doing",
        "pytorch vs tensorflow",
        "is pytorch more popular than tensorflow",
        "why is pytorch so popular",
        "who uses jax",
        "when was jax released",
        "jax",
        "is pytroch dying",
        "how many questions about jax on stack overflow",
        "jax downloads trend",
        "keras hub models since tf 2.0",
        "pytorch deployment",
        "is google abandoning tensorflow",
        "tensorflow or pytorch for a beginner",
        "how fast is jax growing on github",
        "what's up with keras",
        "keras xyzzyplugh",
    ],
)
def test_a_question_naming_a_framework_gets_figures_or_claims(engine: Engine, text: str) -> None:
    answer = engine.ask(text)
    assert answer.ok, answer.error
    assert answer.figures or answer.claims
    assert "found nothing" not in answer.title + answer.summary


def test_missing_figures_fall_back_to_the_overview_and_say_why(engine: Engine) -> None:
    answer = engine.ask("when was jax released")
    assert answer.ok and answer.query is not None
    assert answer.query.kind == "overview"
    assert answer.figures and all(f.framework == "jax" for f in answer.figures)
    assert "Release year" in answer.notes[0].text


def test_routed_answers_carry_the_view(engine: Engine) -> None:
    answer = engine.ask("is keras dead?")
    assert answer.query is not None
    assert (answer.query.kind, answer.query.view) == ("scoreboard", "momentum")
    trend = engine.ask("pytorch stars trend")
    assert trend.query is not None and trend.query.view == "change"
    assert trend.figures and trend.figures[0].metric == "github-stars"


# ---------------------------------------------------------------- claim ranking


def _ids(engine: Engine, text: str) -> list[str]:
    answer = engine.ask(text)
    assert answer.ok, answer.error
    return [claim.id for claim in answer.claims]


def test_why_ranks_claims_that_give_reasons_first(engine: Engine) -> None:
    ids = _ids(engine, "why did openai switch to pytorch?")
    assert ids[0] == "openai-migration-2020"  # the claim that says why (dynamic graphs)
    reasons = engine.claims[ids[0]].statement.lower()
    assert "explain" in reasons or "suited" in reasons


def test_why_without_matching_words_still_finds_reasons(engine: Engine) -> None:
    ids = _ids(engine, "why is pytorch so popular")
    claims = [engine.claims[i] for i in ids]
    cues = engine.vocab.lexicon.cues["why"]
    from bot.answers.claims import cue_score

    assert cue_score(claims[0], "why", engine.vocab) > 0
    assert cues.words


@pytest.mark.parametrize(
    ("text", "title", "understood"),
    [
        (
            "why did pytorch overtake tensorflow",
            "Why, according to the sources: PyTorch and TensorFlow",
            "the reasons the sources give about PyTorch and TensorFlow, most relevant to ",
        ),
        (
            "who switched to pytorch",
            "Who uses or switched to PyTorch, according to the sources",
            "who uses or switched to PyTorch",
        ),
        ("why do people like keras so much", "Why, according to the sources: Keras", None),
    ],
)
def test_why_and_who_titles_name_the_frameworks_once(
    engine: Engine, text: str, title: str, understood: str | None
) -> None:
    answer = engine.ask(text)
    assert answer.title == title
    assert answer.query is not None
    said = answer.query.understood
    assert said.startswith(understood) if understood else "relevant to" not in said
    assert said.count(": ") == 0 and title.count("according to the sources") == 1


def test_who_ranks_adopters_first(engine: Engine) -> None:
    ids = _ids(engine, "who switched to pytorch")
    top = [engine.claims[i] for i in ids[:2]]
    assert all(any(f.metric == "adoption-year" for f in c.figures) for c in top)


def test_ranking_boosts_the_frameworks_asked_about(engine: Engine) -> None:
    from bot.answers.claims import mentions, rank_claims

    ranked = rank_claims(engine, ["research"], ["jax"])
    assert ranked
    assert mentions(ranked[0][0], ["jax"], engine.vocab)
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)


def test_search_expands_synonyms(engine: Engine) -> None:
    # "migrate" never appears in a claim as typed; its forms ("moved", "switched") do.
    assert "moved" in engine.vocab.expand(["migrate"])
    assert engine.store.search_claims_scored(engine.vocab.expand(["migrate"]))


def test_scored_search_is_higher_for_more_relevant(engine: Engine) -> None:
    scored = engine.store.search_claims_scored(["openai", "pytorch"], limit=5)
    assert scored and scored[0][0] in engine.claims
    assert [s for _, s in scored] == sorted((s for _, s in scored), reverse=True)
    assert engine.store.search_claims_scored(["*", "^", '"(']) == []


# ---------------------------------------------------------------- the lexicon is data


def test_a_curator_adds_a_word_without_code(tmp_path: Path) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    path = root / "vocabulary.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["words"]["decline"].append("kaput")
    data["chatter"]["start"].append("oi mate")
    data["metric_phrases"]["stargazing"] = "github-stars"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    store = open_store(tmp_path / "fwtrend.db", root)
    try:
        engine = Engine(store, today=TODAY)
        query = engine.parse("oi mate, is keras kaput?")
        assert (query.kind, query.view, query.frameworks) == ("scoreboard", "momentum", ["keras"])
        assert engine.parse("pytorch stargazing").metric == "github-stars"
    finally:
        store.db.close()
    # The shipped vocabulary knows neither word.
    shipped = open_store(tmp_path / "shipped.db", KNOWLEDGE)
    try:
        assert Engine(shipped, today=TODAY).parse("is keras kaput?").kind != "scoreboard"
    finally:
        shipped.db.close()


def test_a_bad_lexicon_entry_is_reported(tmp_path: Path) -> None:
    from bot.knowledge import check_knowledge

    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    path = root / "vocabulary.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["metric_phrases"]["hub"] = "no-such-metric"
    data["words"]["grow"].append("Two Words")
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    _, errors = check_knowledge(root)
    assert any(e.file == "vocabulary.yaml" and "words" in e.entry for e in errors)


def test_the_date_today_pins_relative_periods(vocab: Vocabulary) -> None:
    query = parse_query("pytorch stars since last year", vocab, date(2030, 6, 1))
    assert query.window is not None and query.window.start == date(2029, 1, 1)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("tensorflow downloads before 2021", None, date(2020, 12, 31)),
        ("keras stars until 2020", None, date(2020, 12, 31)),
        ("pytorch stars after 2021", date(2022, 1, 1), None),
        ("pytorch stars since 2021", date(2021, 1, 1), None),
        ("pytorch stars after march 2021", date(2021, 4, 1), None),
        ("pytorch stars after 2019 until 2021", date(2020, 1, 1), date(2021, 12, 31)),
        ("pytorch stars since 2019 till 2021", date(2019, 1, 1), date(2021, 12, 31)),
    ],
)
def test_before_and_after_leave_out_the_year_they_name(
    vocab: Vocabulary, text: str, start: date | None, end: date | None
) -> None:
    window = parse_query(text, vocab, TODAY).window
    assert window is not None and (window.start, window.end) == (start, end)


@pytest.mark.parametrize(
    "text",
    [
        "keras questions 2018 vs 2020",
        "keras questions 2020 versus 2018",
        "keras questions 2018 and 2020",
    ],
)
def test_two_years_compared_are_one_period_from_the_first_to_the_second(
    vocab: Vocabulary, text: str
) -> None:
    window = parse_query(text, vocab, TODAY).window
    assert window is not None
    assert (window.start, window.end, window.text) == (
        date(2018, 1, 1),
        date(2020, 12, 31),
        "2018 to 2020",
    )


@pytest.mark.parametrize(
    "text", ["why did openai switch to pytorch", "who uses jax in production?"]
)
def test_why_and_who_answers_also_show_where_the_framework_stands(
    engine: Engine, text: str
) -> None:
    answer = engine.ask(text)
    assert answer.ok and answer.query is not None and answer.query.kind == "search"
    assert answer.claims  # the reasons or the adopters first
    named = set(answer.query.frameworks)
    assert named and {f.framework for f in answer.figures} == named  # and their figures
    assert "stands now" in answer.summary and all(f.source.published for f in answer.figures)


def test_a_word_nearest_a_stopword_does_not_block_the_question(engine: Engine) -> None:
    # "lite" is closest to "like", a word that means nothing here: no "did you mean".
    answer = engine.ask("tensorflow lite usage")
    assert answer.ok and answer.error is None and answer.figures


def test_a_share_of_a_count_no_source_gives_says_so(vocab: Vocabulary) -> None:
    query = parse_query("what share of pypi downloads is pytorch", vocab, TODAY)
    assert (query.kind, query.metric) == ("figures", "pypi-downloads-per-day")
    assert "no source gives PyPI downloads per day as a share" in query.understood
    counted = parse_query("pytorch pypi downloads", vocab, TODAY)
    assert "share" not in counted.understood


def test_known_hyphenated_names_and_ranges_stay_whole(vocab: Vocabulary) -> None:
    from bot.understand.normalize import split_compounds

    tokens = ["pytorch-only", "hf-models", "2018-2021", "keras-3", "hf-mdls", "jax/flax"]
    assert split_compounds(tokens, vocab) == [
        "pytorch", "only", "hf-models", "2018-2021", "keras-3", "hf-mdls", "jax", "flax"
    ]  # fmt: skip
    query = parse_query("keras github-forks 2018-2021", vocab, TODAY)
    assert query.metric == "github-forks" and query.window and query.window.start
    assert query.window.start.year == 2018


def test_an_exclusive_question_says_why_it_gets_the_exclusive_metric(vocab: Vocabulary) -> None:
    query = parse_query("how many hub models are pytorch only", vocab, TODAY)
    assert query.understood.endswith(
        "; Hugging Face models would count what other frameworks have too, so this is what only "
        "it has"
    )


def test_an_exclusive_mapping_to_an_unknown_metric_is_reported(tmp_path: Path) -> None:
    from bot.knowledge import check_knowledge

    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    path = root / "vocabulary.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["exclusive_metrics"] = {"hf-models": "no-such-share"}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    _, errors = check_knowledge(root)
    messages = [(e.entry, e.field, e.message) for e in errors if e.file == "vocabulary.yaml"]
    assert ("exclusive_metrics", "hf-models", "unknown metric 'no-such-share'") in messages


def test_a_share_mapping_to_a_count_or_an_unknown_metric_is_reported(tmp_path: Path) -> None:
    from bot.knowledge import check_knowledge

    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    path = root / "vocabulary.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["share_metrics"] = {"github-stars": "github-forks", "no-such-count": "hf-exclusive-share"}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    _, errors = check_knowledge(root)
    messages = [(e.entry, e.field, e.message) for e in errors if e.file == "vocabulary.yaml"]
    assert ("share_metrics", "github-stars", "'github-forks' is a count, not a share") in messages
    assert ("share_metrics", "no-such-count", "unknown metric 'no-such-count'") in messages
