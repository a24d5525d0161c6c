"""Help text and examples, kept import-light so `fwtrend help` starts fast."""

HELP_EXAMPLES = [
    ("pytorch hf-models", "a figure with its trend, chart and sources"),
    ("pytorch tensorflow github-stars since 2020", "several frameworks over a period"),
    ("github-stars", "a metric alone compares every framework that has it"),
    ("compare pytorch tensorflow", "every indicator for the two, side by side"),
    ("is keras dead?", "plain questions: verdicts, trends, who, why, when released"),
    ("is jax catching up?", "whether the gap to the framework ahead is closing"),
    ("claims hugging-face", "published claims on a topic, with their sources"),
    ("what share of papers used pytorch in 2019?", "a free-text question"),
    ("sources", "every source with its date"),
    ("metrics", "what can be asked, with aliases"),
    ("frameworks", "the frameworks and the names they go by"),
]

PERIOD_HELP = (
    "Ask for a figure, a comparison or the claims behind them. "
    "Periods: `since 2020`, `in 2019`, `2018-2021`, `from 2019 to 2021`, `last 12 months`, `5y`."
)
