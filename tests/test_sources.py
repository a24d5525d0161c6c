"""Live data sources against a loopback fake of the five APIs: values, failures, retries, pacing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from bot import __version__
from bot.knowledge import KnowledgeBase
from bot.live.sources import ALL_FRAMEWORKS, SOURCES, FetchContext, SourceError
from bot.live.sources.base import gather_all
from bot.live.sources.github_languages import language_shares
from bot.live.sources.http import (
    LABELS,
    ServiceClient,
    make_http_client,
    redact_url,
    service_clients,
)
from bot.live.sources.huggingface import parse_models_json
from bot.live.sources.stackexchange import complete_months, month_window
from bot.models import DataPoint
from bot.settings import Settings
from tests.fakes.data_apis import (
    PREFIXES,
    REDACTED,
    SETTINGS_FIELDS,
    FakeDataAPIs,
    closed_port_url,
)

from .conftest import TODAY

FETCHED_AT = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
WALL_START = datetime(2026, 11, 23, 14, 0, 0, tzinfo=UTC).timestamp()
GITHUB_TOKEN = "ghp_fwtrendTestToken0123456789"
HF_TOKEN = "hf_fwtrendTestToken0123456789"
SE_KEY = "fwtrendTestKey0123(("
SECRETS = (GITHUB_TOKEN, HF_TOKEN, SE_KEY)

# One source per service, and a route + query fragment only its first request matches.
SOURCE_OF = {
    "huggingface": "huggingface",
    "github": "github",
    "stackexchange": "stackexchange",
    "pypistats": "pypistats",
    "dockerhub": "dockerhub",
}
FIRST = {
    "huggingface": "library=pytorch",
    "github": "repos/pytorch/pytorch",
    "stackexchange": "tags/",
    "pypistats": "packages/torch/",
    "dockerhub": "repositories/pytorch/",
}
SERVICES = list(SOURCE_OF)


class FakeTime:
    """Injected clocks: sleeping records the wait and moves both clocks on at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.epoch = WALL_START
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.epoch

    def options(self) -> dict[str, Any]:
        """These clocks as ServiceClient options."""
        return {"sleep": self.sleep, "monotonic": self.monotonic, "wall": self.wall}

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds
        self.epoch += seconds
        await asyncio.sleep(0)


@pytest.fixture
def fake() -> Iterator[FakeDataAPIs]:
    with FakeDataAPIs(
        github_token=GITHUB_TOKEN, hf_token=HF_TOKEN, stackexchange_key=SE_KEY
    ) as server:
        yield server
        assert server.errors == []


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


@pytest.fixture
def ctx(kb: KnowledgeBase) -> FetchContext:
    return FetchContext(frameworks=list(kb.frameworks.values()), fetched_at=FETCHED_AT, today=TODAY)


def settings_for(fake: FakeDataAPIs, **changes: Any) -> Settings:
    fields = {
        **fake.settings_fields(),
        "github_token": GITHUB_TOKEN,
        "hf_token": HF_TOKEN,
        "stackexchange_key": SE_KEY,
        **changes,
    }
    return Settings(**fields)


def run(
    name: str,
    fake: FakeDataAPIs,
    ctx: FetchContext,
    clock: FakeTime | None = None,
    *,
    settings: Settings | None = None,
    timeout: float = 2.0,
    **options: Any,
) -> list[DataPoint]:
    """Fetch one source against the fake, with fake clocks unless ``clock`` is None."""

    async def go() -> list[DataPoint]:
        async with make_http_client(timeout=timeout) as http:
            opts: dict[str, Any] = {"min_interval": 0.0, **options}
            if clock is not None:
                opts.update(clock.options())
            clients = service_clients(settings or settings_for(fake), http, **opts)
            source = SOURCES[name]
            return await source.fetch(clients[source.service], ctx)

    return asyncio.run(go())


def failure(name: str, fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime, **kw: Any) -> str:
    """The reason a source failed with; a failing fetch returns no points at all."""
    with pytest.raises(SourceError) as caught:
        run(name, fake, ctx, clock, **kw)
    reason = caught.value.reason
    assert not any(secret in reason for secret in SECRETS)
    return reason


def by_key(points: list[DataPoint]) -> dict[tuple[str, str, str], DataPoint]:
    return {(p.metric, p.framework, p.segment): p for p in points}


def with_framework(ctx: FetchContext, slug: str, **update: Any) -> FetchContext:
    frameworks = [fw.model_copy(update=update) if fw.slug == slug else fw for fw in ctx.frameworks]
    return ctx.model_copy(update={"frameworks": frameworks})


# ---------------------------------------------------------------- contract


def test_registry_names_services_and_order() -> None:
    assert list(SOURCES) == [
        "huggingface",
        "github",
        "github-languages",
        "stackexchange",
        "pypistats",
        "dockerhub",
    ]
    assert {name: s.service for name, s in SOURCES.items()} == {
        "huggingface": "huggingface",
        "github": "github",
        "github-languages": "github",
        "stackexchange": "stackexchange",
        "pypistats": "pypistats",
        "dockerhub": "dockerhub",
    }


@pytest.mark.parametrize("name", list(SOURCES))
def test_source_entry_is_a_valid_api_source(name: str) -> None:
    entry = SOURCES[name].source_entry(TODAY)
    assert entry.id == f"live-{name}" == SOURCES[name].source_id
    assert entry.kind == "api"
    assert entry.published.text == "2026-11-23"
    assert entry.publisher and entry.url is not None and len(entry.summary) >= 10


def test_fetch_context_needs_an_aware_timestamp() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        FetchContext(frameworks=[], fetched_at=datetime(2026, 11, 23, 6, 30), today=TODAY)


def test_every_point_of_a_full_refresh_follows_the_contract(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime, kb: KnowledgeBase
) -> None:
    seen: set[tuple[str, date]] = set()
    for name, source in SOURCES.items():
        points = run(name, fake, ctx, clock)
        assert points, name
        for p in points:
            assert p.metric in kb.metrics, p.metric
            assert p.unit == kb.metrics[p.metric].unit, (p.metric, p.unit)
            assert p.framework in kb.frameworks or p.framework == ALL_FRAMEWORKS
            assert (p.origin, p.qualifier, p.fetched_at) == ("live", "exact", FETCHED_AT)
            assert p.source_id == source.source_id
            assert p.series.startswith(f"live:{name}:{p.metric}:{p.framework}")
            assert p.provenance.startswith(fake.url) and p.caveat
            assert p.date == TODAY or (name == "stackexchange" and p.date < TODAY)
            assert (p.series, p.date) not in seen, p.series
            seen.add((p.series, p.date))
    assert clock.sleeps == []


def test_http_client_identifies_fwtrend(fake: FakeDataAPIs, ctx: FetchContext) -> None:
    http = make_http_client(timeout=3.0)
    assert http.follow_redirects is True and http.trust_env is False
    assert http.timeout.read == 3.0
    asyncio.run(http.aclose())
    run("dockerhub", fake, ctx)
    agents = {call.headers["user-agent"] for call in fake.calls_to("dockerhub")}
    [agent] = agents
    assert agent.startswith(f"fwtrend/{__version__} (") and "framework" in agent


# ---------------------------------------------------------------- Hugging Face


def test_huggingface_counts_per_tag(fake: FakeDataAPIs, ctx: FetchContext) -> None:
    counts = {"pytorch": 4100, "tf": 900, "keras": 350, "jax": 220}
    counts.update({"safetensors": 7000, "transformers": 5000})
    for tag, count in counts.items():
        fake.set_hf_count(tag, count)
    points = by_key(run("huggingface", fake, ctx))
    endpoint = f"{fake.service_url('huggingface')}models-json?library=pytorch&withCount=true"
    pytorch = points[("hf-models", "pytorch", "")]
    assert pytorch == DataPoint(
        metric="hf-models",
        framework="pytorch",
        date=TODAY,
        value=4100,
        unit="models",
        source_id="live-huggingface",
        series="live:huggingface:hf-models:pytorch",
        provenance=endpoint,
        origin="live",
        fetched_at=FETCHED_AT,
        caveat=pytorch.caveat,
    )
    assert pytorch.caveat and "weight files in PyTorch format" in pytorch.caveat
    assert "not that the model is used with PyTorch" in pytorch.caveat
    assert points[("hf-models", "tensorflow", "")].value == 900
    assert "tf_model.h5" in (points[("hf-models", "tensorflow", "")].caveat or "")
    assert points[("hf-models", "keras", "")].value == 350
    assert points[("hf-models", "jax", "")].value == 220
    safetensors = points[("hf-context-models", ALL_FRAMEWORKS, "safetensors")]
    assert safetensors.value == 7000
    assert safetensors.series == "live:huggingface:hf-context-models:all:safetensors"
    assert points[("hf-context-models", ALL_FRAMEWORKS, "transformers")].value == 5000
    calls = fake.calls_to("huggingface")
    assert sorted(c.query["library"] for c in calls) == sorted(counts)
    assert all(c.query["withCount"] == "true" and c.authorized for c in calls)
    assert {c.headers["authorization"] for c in calls} == {f"Bearer {REDACTED}"}


def test_huggingface_parse_is_pure(ctx: FetchContext) -> None:
    jax = next(fw for fw in ctx.frameworks if fw.slug == "jax")
    point = parse_models_json({"models": [], "numTotalItems": 7}, "jax", jax, "https://x/", ctx)
    assert (point.metric, point.framework, point.value, point.provenance) == (
        "hf-models",
        "jax",
        7,
        "https://x/",
    )
    with pytest.raises(SourceError, match="numTotalItems: Input should be a valid integer"):
        parse_models_json({"models": [], "numTotalItems": "7"}, "jax", jax, "https://x/", ctx)


def test_huggingface_refuses_the_same_count_for_every_tag(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    for tag in ("pytorch", "tf", "keras", "jax", "safetensors", "transformers"):
        fake.set_hf_count(tag, 5000)
    reason = failure("huggingface", fake, ctx, clock)
    assert "same count (5000) for every library tag" in reason


def test_huggingface_ratelimit_header_sets_the_wait(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.hf_rate_limit_next(reset_in=55)
    assert run("huggingface", fake, ctx, clock)
    assert clock.sleeps == [56.0]  # t + 1, as huggingface_hub does


def test_huggingface_ratelimit_beyond_the_cap(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.hf_rate_limit_next(reset_in=300)
    reason = failure("huggingface", fake, ctx, clock)
    assert reason == (
        "rate limited by Hugging Face until 14:05:01 UTC (waiting would exceed the 60 s cap)"
    )
    assert clock.sleeps == []


# ---------------------------------------------------------------- GitHub


def test_github_repository_stats(fake: FakeDataAPIs, ctx: FetchContext) -> None:
    # The recorded 2020-03-12 response quoted in data-sources.md §2.1, set in the fake.
    fake.set_github_repo(
        "pytorch/pytorch",
        stargazers_count=36834,
        forks_count=9346,
        subscribers_count=1418,
        open_issues_count=5244,
    )
    points = by_key(run("github", fake, ctx))
    endpoint = f"{fake.service_url('github')}repos/pytorch/pytorch"
    expected = {
        "github-stars": (36834, "stars"),
        "github-forks": (9346, "forks"),
        "github-watchers": (1418, "watchers"),
        "github-open-issues": (5244, "open issues + PRs"),
    }
    for metric, (value, unit) in expected.items():
        p = points[(metric, "pytorch", "")]
        assert (p.value, p.unit, p.provenance) == (value, unit, endpoint)
        assert p.series == f"live:github:{metric}:pytorch"
    assert "pull requests" in (points[("github-open-issues", "pytorch", "")].caveat or "")
    assert len(points) == 16  # four repositories, four metrics
    calls = fake.calls_to("github")
    assert all(c.authorized for c in calls)
    assert {c.headers["x-github-api-version"] for c in calls} == {"2022-11-28"}


def test_github_follows_a_moved_repository(fake: FakeDataAPIs, ctx: FetchContext) -> None:
    fake.set_github_repo("jax-ml/jax", stargazers_count=321, forks_count=45)
    fake.rename_github_repo("google/jax", "jax-ml/jax")
    moved = with_framework(ctx, "jax", github_repo="google/jax")
    points = by_key(run("github", fake, moved))
    stars = points[("github-stars", "jax", "")]
    assert stars.value == 321
    assert stars.provenance == f"{fake.service_url('github')}repos/google/jax (moved to jax-ml/jax)"
    assert [c.status for c in fake.calls_to("github", "google/jax")] == [301]
    assert [c.route for c in fake.calls_to("github", "repositories/")] == ["repositories/1004"]


def test_github_languages_shares(fake: FakeDataAPIs, ctx: FetchContext) -> None:
    fake.set_github_languages(
        "tensorflow/tensorflow", {"C++": 6000, "Python": 3500, "MLIR": 400, "C": 80, "Go": 20}
    )
    points = [p for p in run("github-languages", fake, ctx) if p.framework == "tensorflow"]
    assert [(p.segment, p.value) for p in points] == [
        ("C++", 60.0),
        ("Python", 35.0),
        ("MLIR", 4.0),
    ]
    assert points[0].series == "live:github-languages:code-language-share:tensorflow:C++"
    assert points[0].unit == "% of code"
    assert "under 1% are left out" in (points[0].caveat or "")
    assert points[0].provenance.endswith("/github/repos/tensorflow/tensorflow/languages")


def test_language_shares_round_and_drop_the_tail() -> None:
    assert language_shares({"A": 2, "B": 1}) == [("A", 66.7), ("B", 33.3)]
    assert language_shares({"A": 995, "B": 5}) == [("A", 99.5)]


def test_github_languages_without_code_fail(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.set_github_languages("keras-team/keras", {})
    reason = failure("github-languages", fake, ctx, clock)
    assert reason.startswith("GitHub reported no code at all for http://127.0.0.1:")


def test_github_primary_rate_limit_waits_until_reset(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.github_rate_limit_next(reset_at=clock.wall() + 30, path=FIRST["github"])
    assert run("github", fake, ctx, clock)
    assert clock.sleeps == [31.0]
    assert [c.status for c in fake.calls_to("github", FIRST["github"])] == [403, 200]


def test_github_primary_rate_limit_beyond_the_cap(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.github_rate_limit_next(reset_at=clock.wall() + 3600, path=FIRST["github"])
    reason = failure("github", fake, ctx, clock)
    assert reason == "rate limited by GitHub until 15:00:01 UTC (waiting would exceed the 60 s cap)"
    assert len(fake.calls_to("github", FIRST["github"])) == 1


def test_github_spent_budget_holds_the_next_request(fake: FakeDataAPIs, clock: FakeTime) -> None:
    spent = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(clock.wall()) + 20)}
    fake.add_headers_next("github", spent, path="repos/pytorch/pytorch")

    async def go() -> None:
        async with make_http_client(timeout=2.0) as http:
            client = service_clients(
                settings_for(fake),
                http,
                min_interval=0.0,
                **clock.options(),
            )["github"]
            await client.get_json("repos/pytorch/pytorch")
            await client.get_json("repos/keras-team/keras")

    asyncio.run(go())
    assert clock.sleeps == [21.0]  # the second request waited for the reset instead of a 403
    assert [c.status for c in fake.calls_to("github")] == [200, 200]


def test_huggingface_spent_budget_holds_the_next_request(
    fake: FakeDataAPIs, clock: FakeTime
) -> None:
    fake.add_headers_next("huggingface", {"RateLimit": '"api";r=0;t=9'})

    async def go() -> None:
        async with make_http_client(timeout=2.0) as http:
            client = service_clients(
                settings_for(fake),
                http,
                min_interval=0.0,
                **clock.options(),
            )["huggingface"]
            for tag in ("jax", "keras"):
                await client.get_json("models-json", {"library": tag, "withCount": "true"})

    asyncio.run(go())
    assert clock.sleeps == [10.0]
    assert [c.status for c in fake.calls_to("huggingface")] == [200, 200]


@pytest.mark.parametrize(("retry_after", "sleeps"), [(12, [12.0]), (None, [60.0])])
def test_github_secondary_limit(
    fake: FakeDataAPIs,
    ctx: FetchContext,
    clock: FakeTime,
    retry_after: int | None,
    sleeps: list[float],
) -> None:
    fake.github_secondary_limit_next(retry_after=retry_after, path=FIRST["github"])
    assert run("github", fake, ctx, clock)
    assert clock.sleeps == sleeps


def test_github_forbidden_is_not_retried(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    body = {"message": "Resource not accessible by integration"}
    fake.fail_next("github", 403, body=body, path=FIRST["github"])
    reason = failure("github", fake, ctx, clock)
    assert reason == (
        "GitHub answered HTTP 403 (Forbidden): Resource not accessible by integration for"
        f" {fake.service_url('github')}repos/pytorch/pytorch"
    )
    assert len(fake.calls_to("github", FIRST["github"])) == 1 and clock.sleeps == []


def test_one_failing_repository_fails_the_whole_source(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.fail_next("github", 404, body={"message": "Not Found"}, path="repos/keras-team/keras")
    reason = failure("github", fake, ctx, clock)
    assert "HTTP 404 (Not Found)" in reason and "repos/keras-team/keras" in reason


# ---------------------------------------------------------------- Stack Exchange


def test_stackexchange_months() -> None:
    assert complete_months(date(2026, 11, 23)) == [date(2026, m, 1) for m in range(5, 11)]
    assert complete_months(date(2026, 1, 5), 2) == [date(2025, 11, 1), date(2025, 12, 1)]
    assert month_window(date(2024, 1, 1)) == (1704067200, 1706745599)  # §3.1's example


def test_stackexchange_totals_months_and_shares(fake: FakeDataAPIs, ctx: FetchContext) -> None:
    for tag, count in {"pytorch": 25000, "tensorflow": 80000, "keras": 42000, "jax": 900}.items():
        fake.set_so_tag(tag, count)
    fake.set_so_month(None, "2026-10", 20000)
    fake.set_so_month("pytorch", "2026-10", 400)
    fake.set_so_month("jax", "2026-10", 7)
    points = run("stackexchange", fake, ctx)
    keyed = {(p.metric, p.framework, p.segment, p.date): p for p in points}
    today, october = TODAY, date(2026, 10, 31)
    assert keyed[("so-questions", "tensorflow", "all-time", today)].value == 80000
    assert keyed[("so-questions", "jax", "all-time", today)].value == 900
    month = "new questions per month"
    assert keyed[("so-site-questions", ALL_FRAMEWORKS, month, october)].value == 20000
    pytorch = keyed[("so-questions", "pytorch", month, october)]
    assert pytorch.value == 400
    assert pytorch.series == "live:stackexchange:so-questions:pytorch:new questions per month"
    assert "fromdate=1790812800&todate=1793491199" in pytorch.provenance
    share = keyed[("so-question-share", "pytorch", "", october)]
    assert (share.value, share.unit) == (2.0, "% of questions")
    assert keyed[("so-question-share", "jax", "", october)].value == 0.035
    assert "Oct 2026" in (share.caveat or "")
    month_ends = [date(2026, 5, 31), date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31)]
    month_ends += [date(2026, 9, 30), october]
    assert {p.date for p in points} == {today, *month_ends}
    assert len(points) == 4 + 6 * (1 + 4 * 2)
    calls = fake.calls_to("stackexchange")
    assert len(calls) == 1 + 6 * 5
    assert all(c.query["site"] == "stackoverflow" and c.authorized for c in calls)
    assert all(c.query["filter"] == "total" for c in calls if c.route == "questions")
    assert {c.query["key"] for c in calls} == {REDACTED}
    assert not any("key=" in p.provenance for p in points)


def test_stackexchange_unknown_tag_fails(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.remove_so_tag("jax")
    reason = failure("stackexchange", fake, ctx, clock)
    assert reason.startswith("Stack Overflow has no tag 'jax'")
    assert len(fake.calls_to("stackexchange")) == 1


def test_stackexchange_backoff_is_honoured(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.se_backoff_next(5)
    assert run("stackexchange", fake, ctx, clock)
    assert clock.sleeps == [6.0]  # backoff + 1 before the next request, then no more waiting


def test_stackexchange_backoff_beyond_the_cap(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.se_backoff_next(120)
    reason = failure("stackexchange", fake, ctx, clock)
    assert reason == (
        "Stack Exchange asked for a 120 s backoff until 14:02:01 UTC"
        " (waiting would exceed the 60 s cap)"
    )
    assert len(fake.calls_to("stackexchange")) == 1


def test_stackexchange_throttle_violation_stops_at_once(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.se_throttle_next(seconds=30)
    reason = failure("stackexchange", fake, ctx, clock)
    assert "throttle violation" in reason and "more requests available in 30 seconds" in reason
    assert "not retrying" in reason
    assert len(fake.calls_to("stackexchange")) == 1 and clock.sleeps == []


def test_stackexchange_low_quota_stops_before_spending(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.set_se_quota(25)
    reason = failure("stackexchange", fake, ctx, clock)
    assert reason == (
        "Stack Exchange quota too low: 24 requests left today, this refresh needs 30 more"
        " and keeps 10 in reserve"
    )
    assert len(fake.calls_to("stackexchange")) == 1


def test_stackexchange_site_is_required(fake: FakeDataAPIs) -> None:
    async def go() -> None:
        async with make_http_client(timeout=2.0) as http:
            client = service_clients(settings_for(fake), http, min_interval=0.0)["stackexchange"]
            await client.get_json("questions", {"filter": "total"})

    with pytest.raises(SourceError) as caught:
        asyncio.run(go())
    assert caught.value.reason == (
        "Stack Exchange answered error 400 bad_parameter: site is required for"
        f" {fake.service_url('stackexchange')}questions?filter=total"
    )


# ---------------------------------------------------------------- pypistats


def test_pypistats_recent_downloads(fake: FakeDataAPIs, ctx: FetchContext) -> None:
    fake.set_pypi_recent("torch", last_day=11, last_week=77, last_month=333)
    points = by_key(run("pypistats", fake, ctx))
    torch = {m: points[(m, "pytorch", "")] for m in ("pypi-downloads-day", "pypi-downloads-week")}
    month = points[("pypi-downloads", "pytorch", "")]
    assert (torch["pypi-downloads-day"].value, torch["pypi-downloads-day"].unit) == (
        11,
        "downloads/day",
    )
    assert torch["pypi-downloads-week"].value == 77
    assert (month.value, month.unit) == (333, "downloads/month")
    assert month.provenance == f"{fake.service_url('pypistats')}packages/torch/recent"
    assert "download.pytorch.org" in (month.caveat or "")
    assert "tensorflow depends on keras" in (points[("pypi-downloads", "keras", "")].caveat or "")
    assert all("mirrors" in (p.caveat or "") and "CI" in (p.caveat or "") for p in points.values())
    assert "download.pytorch.org" not in (points[("pypi-downloads", "jax", "")].caveat or "")


def test_pypistats_unknown_package_is_a_404(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    typo = with_framework(ctx, "pytorch", pypi_package="torchh")
    reason = failure("pypistats", fake, typo, clock)
    assert reason == (
        "pypistats.org answered HTTP 404 (Not Found) for"
        f" {fake.service_url('pypistats')}packages/torchh/recent"
    )


# ---------------------------------------------------------------- Docker Hub


def test_dockerhub_pulls_of_official_images(fake: FakeDataAPIs, ctx: FetchContext) -> None:
    fake.set_docker_repo("pytorch/pytorch", pull_count=987654, star_count=12)
    points = by_key(run("dockerhub", fake, ctx))
    assert set(points) == {
        ("docker-pulls", "pytorch", ""),
        ("docker-pulls", "tensorflow", ""),
    }  # JAX and Keras have no image: nothing is asked for them
    pytorch = points[("docker-pulls", "pytorch", "")]
    assert (pytorch.value, pytorch.unit) == (987654, "pulls")
    assert pytorch.provenance == f"{fake.service_url('dockerhub')}repositories/pytorch/pytorch/"
    assert "rocm/pytorch" in (pytorch.caveat or "")
    assert "rocm" not in (points[("docker-pulls", "tensorflow", "")].caveat or "")
    assert len(fake.calls_to("dockerhub")) == 2


# ---------------------------------------------------------------- faults, every service


@pytest.mark.parametrize("service", SERVICES)
def test_timeout_is_retried_once_then_fails(
    service: str, fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.timeout_next(service, seconds=3.0, times=2, path=FIRST[service])
    reason = failure(SOURCE_OF[service], fake, ctx, clock, timeout=0.25)
    assert reason.startswith(f"timed out after 0.25 s reading {fake.service_url(service)}")
    assert reason.endswith("(tried twice)")
    assert len(fake.calls_to(service, FIRST[service])) == 2
    assert clock.sleeps == [1.0]


def test_timeout_once_then_success(fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime) -> None:
    fake.timeout_next("dockerhub", seconds=3.0, path=FIRST["dockerhub"])
    assert len(run("dockerhub", fake, ctx, clock, timeout=0.25)) == 2
    assert clock.sleeps == [1.0]


@pytest.mark.parametrize("service", SERVICES)
def test_retry_after_is_honoured(
    service: str, fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.rate_limit_next(service, retry_after=7, path=FIRST[service])
    assert run(SOURCE_OF[service], fake, ctx, clock)
    assert clock.sleeps == [7.0]


@pytest.mark.parametrize("service", SERVICES)
def test_retry_after_beyond_the_cap_fails_at_once(
    service: str, fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.rate_limit_next(service, retry_after=600, path=FIRST[service])
    reason = failure(SOURCE_OF[service], fake, ctx, clock, max_wait=60.0)
    assert reason == (
        f"rate limited by {LABELS[service]} until 14:10:00 UTC (waiting would exceed the 60 s cap)"
    )
    assert clock.sleeps == []


@pytest.mark.parametrize("service", SERVICES)
def test_server_errors_retried_twice_then_fail(
    service: str, fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.fail_next(service, 503, times=3, path=FIRST[service])
    reason = failure(SOURCE_OF[service], fake, ctx, clock)
    label = LABELS[service]
    assert reason.startswith(
        f"{label} answered HTTP 503 three times at {fake.service_url(service)}"
    )
    assert clock.sleeps == [1.0, 2.0]


def test_server_error_asking_for_a_long_pause_fails_at_once(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.fail_next("dockerhub", 503, headers={"Retry-After": "3600"}, path=FIRST["dockerhub"])
    reason = failure("dockerhub", fake, ctx, clock)
    assert reason == (
        "Docker Hub is unavailable (HTTP 503) until 15:00:00 UTC"
        " (waiting would exceed the 60 s cap)"
    )


def test_server_error_once_then_success(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.fail_next("pypistats", 502, path=FIRST["pypistats"])
    assert len(run("pypistats", fake, ctx, clock)) == 12
    assert clock.sleeps == [1.0]


@pytest.mark.parametrize("service", SERVICES)
def test_malformed_json_fails_without_retry(
    service: str, fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.malformed_next(service, path=FIRST[service])
    reason = failure(SOURCE_OF[service], fake, ctx, clock)
    label = LABELS[service]
    assert reason.startswith(f"{label} answered with malformed JSON at {fake.service_url(service)}")
    assert clock.sleeps == []


@pytest.mark.parametrize("service", SERVICES)
def test_html_instead_of_json_fails(
    service: str, fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.html_next(service, path=FIRST[service])
    reason = failure(SOURCE_OF[service], fake, ctx, clock)
    assert "answered with an HTML page instead of JSON at http://127.0.0.1:" in reason


@pytest.mark.parametrize(
    ("service", "rename", "field"),
    [
        ("huggingface", {"numTotalItems": "totalItems"}, "numTotalItems"),
        ("github", {"stargazers_count": "stars"}, "stargazers_count"),
        ("stackexchange", {"count": "total_count"}, "items.0.count"),
        ("pypistats", {"last_month": "lastMonth"}, "data.last_month"),
        ("dockerhub", {"pull_count": "pulls"}, "pull_count"),
    ],
)
def test_changed_shape_names_the_field(
    service: str,
    rename: dict[str, str],
    field: str,
    fake: FakeDataAPIs,
    ctx: FetchContext,
    clock: FakeTime,
) -> None:
    fake.change_shape(service, rename, path=FIRST[service])
    reason = failure(SOURCE_OF[service], fake, ctx, clock)
    assert reason.startswith(f"unexpected response shape from {fake.service_url(service)}")
    assert f": {field}: Field required" in reason


@pytest.mark.parametrize("service", SERVICES)
def test_connection_refused_is_retried_once_then_fails(
    service: str, fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    dead = closed_port_url(PREFIXES[service])
    settings = settings_for(fake, **{SETTINGS_FIELDS[service][0]: dead})
    reason = failure(SOURCE_OF[service], fake, ctx, clock, settings=settings)
    assert reason.startswith(f"could not connect to {dead}")
    assert reason.endswith("(tried twice)")
    # Each refused request is retried once after (at most) the 1 s backoff.
    assert clock.sleeps and all(0 < wait <= 1.0 for wait in clock.sleeps)


def test_retries_are_capped_in_total(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    fake.rate_limit_next("pypistats", retry_after=1, times=10, path=FIRST["pypistats"])
    reason = failure("pypistats", fake, ctx, clock, max_retries=3)
    assert reason == (
        "still rate limited by pypistats.org after 3 retries at"
        f" {fake.service_url('pypistats')}packages/torch/recent"
    )
    assert len(fake.calls_to("pypistats", FIRST["pypistats"])) == 4
    assert clock.sleeps == [1.0, 1.0, 1.0]


# ---------------------------------------------------------------- secrets


def test_tokens_never_reach_reasons_records_or_points(
    fake: FakeDataAPIs, ctx: FetchContext, clock: FakeTime
) -> None:
    # A careless service echoing the credential back in its error message.
    echo = {"message": f"token {GITHUB_TOKEN} lacks a scope"}
    fake.fail_next("github", 422, body=echo, path=FIRST["github"])
    reason = failure("github", fake, ctx, clock)
    assert f"token {REDACTED} lacks a scope" in reason
    fake.fail_next("huggingface", 400, body={"error": f"bad {HF_TOKEN}"}, path=FIRST["huggingface"])
    assert f"bad {REDACTED}" in failure("huggingface", fake, ctx, clock)
    wrong_key = "wrong-key-0123456789"
    reason = failure(
        "stackexchange", fake, ctx, clock, settings=settings_for(fake, stackexchange_key=wrong_key)
    )
    assert wrong_key not in reason and f"No application found for key {REDACTED}" in reason
    points = run("stackexchange", fake, ctx, clock)
    recorded = repr([(c.path, c.query, c.headers) for c in fake.calls])
    for secret in (*SECRETS, wrong_key):
        assert secret not in recorded
        assert not any(secret in p.provenance for p in points)


def test_redact_url_strips_credentials() -> None:
    url = "https://user:pw@api.example.com/2.3/info?key=abc&site=stackoverflow&access_token=t"
    assert redact_url(url) == "https://api.example.com/2.3/info?site=stackoverflow"


# ---------------------------------------------------------------- pacing


def test_pacing_with_an_injected_clock(fake: FakeDataAPIs, clock: FakeTime) -> None:
    async def go() -> None:
        async with make_http_client(timeout=2.0) as http:
            client = ServiceClient(
                http,
                "dockerhub",
                fake.service_url("dockerhub"),
                min_interval=0.5,
                **clock.options(),
            )
            for _ in range(3):
                await client.get_json("repositories/pytorch/pytorch/")

    asyncio.run(go())
    assert clock.sleeps == [0.5, 0.5]


def test_pacing_spaces_one_service_while_services_overlap(
    fake: FakeDataAPIs, ctx: FetchContext
) -> None:
    interval = 0.3
    fake.latency(0.2)

    async def go() -> None:
        async with make_http_client(timeout=5.0) as http:
            clients = service_clients(settings_for(fake), http, min_interval=interval)
            github, pypi = SOURCES["github"], SOURCES["pypistats"]
            await asyncio.gather(
                github.fetch(clients["github"], ctx), pypi.fetch(clients["pypistats"], ctx)
            )

    asyncio.run(go())
    arrivals = {s: [c.time for c in fake.calls_to(s)] for s in ("github", "pypistats")}
    for service, times in arrivals.items():
        assert len(times) == 4, service
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert min(gaps) >= interval - 0.03, (service, gaps)
    gh, pp = arrivals["github"], arrivals["pypistats"]
    assert min(pp) < max(gh) and min(gh) < max(pp)  # the two services ran at the same time


def test_gather_keeps_bugs_as_exception_groups() -> None:
    async def ok() -> int:
        return 1

    async def bug() -> int:
        raise ValueError("a bug, not a source failure")

    with pytest.raises(ExceptionGroup) as caught:
        asyncio.run(gather_all([ok(), bug()]))
    assert caught.group_contains(ValueError)
    assert asyncio.run(gather_all([ok(), ok()])) == [1, 1]


def test_gather_unwraps_the_first_source_error(fake: FakeDataAPIs, ctx: FetchContext) -> None:
    fake.fail_next("dockerhub", 404, body={"message": "object not found"}, path="tensorflow")
    with pytest.raises(SourceError, match="HTTP 404"):
        run("dockerhub", fake, ctx)
