"""Block Kit rendering: content, escaping, and Slack limits checked apart from fit_blocks."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.answers import Engine
from bot.formatting import format_value
from bot.models import (
    Answer,
    ChartSeries,
    ChartSpec,
    ClaimOut,
    ErrorInfo,
    FigureOut,
    Note,
    Query,
    SourceRef,
)
from bot.slack.blocks import (
    SHARE_ACTION_ID,
    answer_blocks,
    answer_fallback_text,
    escape_mrkdwn,
    fit_blocks,
)

HOSTILE = "<!channel> & <@U1>"
HINT = "Trimmed for Slack — run `fwtrend ask huge` for the full answer."


def assert_within_limits(blocks: list[dict[str, Any]]) -> None:
    """Every Block Kit limit fwtrend promises, checked without trusting fit_blocks."""
    assert 1 <= len(blocks) <= 50
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(ids) == len(set(ids))
    assert all(len(i) <= 255 for i in ids)
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            assert block["text"]["type"] == "plain_text"
            assert 1 <= len(block["text"]["text"]) <= 150
        elif kind == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                assert 1 <= len(block["text"]["text"]) <= 3000
            fields = block.get("fields", [])
            assert len(fields) <= 10
            assert all(1 <= len(f["text"]) <= 2000 for f in fields)
        elif kind == "context":
            assert 1 <= len(block["elements"]) <= 10
            assert all(1 <= len(e["text"]) <= 3000 for e in block["elements"])
        elif kind == "image":
            assert 1 <= len(block["alt_text"]) <= 2000
            assert ("image_url" in block) != ("slack_file" in block)
            assert len(block.get("image_url", "")) <= 3000
            assert len(block.get("title", {}).get("text", "")) <= 2000
        elif kind == "actions":
            assert 1 <= len(block["elements"]) <= 25
            for element in block["elements"]:
                assert len(element["text"]["text"]) <= 75
                assert len(element.get("value", "")) <= 2000
        else:
            pytest.fail(f"unexpected block type {kind}")


def assert_round_trips(blocks: list[dict[str, Any]]) -> None:
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        assert parsed.to_dict() == block  # to_dict() raises SlackObjectFormationError if invalid


def text_of(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def of_type(blocks: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [b for b in blocks if b["type"] == kind]


def field_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [f["text"] for b in of_type(blocks, "section") for f in b.get("fields", [])]


@pytest.fixture(scope="module")
def stars(engine: Engine) -> Answer:
    return engine.ask("pytorch tensorflow github-stars")


# ---------------------------------------------------------------- real answers


def test_answer_blocks_header_and_figures(stars: Answer) -> None:
    blocks = answer_blocks(stars)
    assert blocks[0]["type"] == "header"
    assert blocks[0]["text"]["text"] == stars.title
    fields = field_texts(blocks)
    assert len(fields) == len(stars.figures) >= 2
    for fig, field in zip(stars.figures, fields, strict=True):
        assert field.startswith(f"*{fig.framework_name}*")
        assert format_value(fig.value, fig.unit, fig.qualifier, fig.value_high) in field
        assert fig.as_of_label in field
        assert fig.change is not None and f"{fig.change.absolute:,.0f}" in field
        assert any(ch in field for ch in "▁▂▃▄▅▆▇█")  # its own charted line's shape
    # History and snapshots are different lines: no figure borrows another's shape.
    assert len({f.rsplit(" ", 1)[-1] for f in fields}) == len(fields)
    assert "Understood as:" in text_of(blocks)
    assert_within_limits(blocks)
    assert_round_trips(blocks)


def test_answer_blocks_footer_gives_freshness(stars: Answer) -> None:
    blocks = answer_blocks(stars)
    footer = of_type(blocks, "context")[-1]["elements"][0]["text"]
    newest = max(stars.figures, key=lambda f: f.as_of).as_of_label
    assert footer == f"Evidence as of {newest}; answered 23 Nov 2026"
    assert blocks[-1] is of_type(blocks, "context")[-1]


@pytest.mark.parametrize(
    ("image_url", "slack_file_id"),
    [(None, None), ("https://example.com/chart.png", None), (None, "F0123ABC")],
)
def test_answer_blocks_image_only_when_given(
    stars: Answer, image_url: str | None, slack_file_id: str | None
) -> None:
    blocks = answer_blocks(stars, image_url=image_url, slack_file_id=slack_file_id)
    images = of_type(blocks, "image")
    if not (image_url or slack_file_id):
        assert images == []
        return
    (image,) = images
    assert image["alt_text"].strip()
    assert "GitHub stars" in image["alt_text"]
    if image_url:
        assert image["image_url"] == image_url and "slack_file" not in image
    else:
        assert image["slack_file"] == {"id": slack_file_id} and "image_url" not in image
    assert_within_limits(blocks)
    assert_round_trips(blocks)


def test_answer_blocks_refuses_two_images(stars: Answer) -> None:
    with pytest.raises(ValueError):
        answer_blocks(stars, image_url="https://example.com/c.png", slack_file_id="F1")


def test_answer_blocks_share_button_only_when_asked(stars: Answer) -> None:
    assert of_type(answer_blocks(stars), "actions") == []
    blocks = answer_blocks(stars, share_value="ans:42")
    (actions,) = of_type(blocks, "actions")
    (button,) = actions["elements"]
    assert button["action_id"] == SHARE_ACTION_ID == "fwtrend_share"
    assert button["value"] == "ans:42"
    assert button["text"]["text"] == "Post to channel"
    assert_round_trips(blocks)


def test_answer_blocks_rejects_unusable_share_value(stars: Answer) -> None:
    with pytest.raises(ValueError):
        answer_blocks(stars, share_value="k" * 2001)
    with pytest.raises(ValueError):
        answer_blocks(stars, share_value="")


@pytest.mark.parametrize("question", ["pytorch tensorflow github-stars", "hf-exclusive-share"])
def test_answer_blocks_cite_every_source(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.ok and answer.sources
    text = text_of(answer_blocks(answer))
    for src in answer.sources:
        assert escape_mrkdwn(src.title) in text
        assert src.published_label in text
        if src.url:
            assert f"<{src.url}|{escape_mrkdwn(src.title)}>" in text


def test_answer_blocks_notes_and_claims(engine: Engine) -> None:
    answer = engine.ask("hf-exclusive-share")
    blocks = answer_blocks(answer)
    text = text_of(blocks)
    assert answer.claims and answer.notes
    for claim in answer.claims:
        assert escape_mrkdwn(claim.statement) in text
    for note in answer.notes:
        assert escape_mrkdwn(note.text) in text
    if any(n.kind == "disagreement" for n in answer.notes):
        assert "⚠️" in text
    assert_within_limits(blocks)
    assert_round_trips(blocks)


def test_answer_blocks_help_rows(engine: Engine) -> None:
    answer = engine.ask("help")
    blocks = answer_blocks(answer)
    text = text_of(blocks)
    for row in answer.rows:
        assert f"`{row.key}`" in text
        assert row.label in text
    assert "Understood as" not in text
    assert len(blocks) < len(answer.rows)  # rows are packed, not one block each
    assert_within_limits(blocks)
    assert_round_trips(blocks)


def test_answer_blocks_sources_listing(engine: Engine) -> None:
    answer = engine.ask("sources")
    blocks = answer_blocks(answer)
    text = text_of(blocks)
    for src in answer.sources:
        assert escape_mrkdwn(src.title) in text
        assert f"`{src.id}`" in text
    assert "Trimmed for Slack" not in text
    assert_within_limits(blocks)
    assert_round_trips(blocks)


def test_answer_blocks_error_suggests_and_points_to_help(engine: Engine) -> None:
    answer = engine.ask("pytroch strs")
    assert not answer.ok and answer.error is not None
    blocks = answer_blocks(answer)
    text = text_of(blocks)
    assert blocks[0]["text"]["text"] == answer.title
    assert answer.error.message.replace("'", "'") in text
    for suggestion in answer.error.suggestions:
        assert f"`{suggestion}`" in text
    assert "`/fwtrend help`" in text
    assert_within_limits(blocks)
    assert_round_trips(blocks)


def test_answer_blocks_claims_answer_keeps_claims_longest() -> None:
    answer = _huge_answer()
    answer.query = Query(kind="claims", text="claims huge", understood="claims about huge")
    answer.figures = []
    blocks = answer_blocks(answer)
    roles = {b["block_id"].split("-")[1] for b in blocks}
    assert "findings" in roles and "claims" not in roles and "sources" not in roles
    assert "*Related claims*" not in text_of(blocks)
    assert_within_limits(blocks)


def test_answer_fallback_text(stars: Answer, engine: Engine) -> None:
    text = answer_fallback_text(stars)
    assert text.startswith(stars.title)
    assert stars.summary in text
    error = answer_fallback_text(engine.ask("pytroch strs"))
    assert "strs" in error and len(error) <= 3000


def test_stale_figure_is_marked(stars: Answer) -> None:
    answer = stars.model_copy(deep=True)
    answer.figures[0].stale = True
    fields = field_texts(answer_blocks(answer))
    assert "(stale)" in fields[0] and "(stale)" not in fields[1]


# ---------------------------------------------------------------- hand-built answers


def _source(index: int, title: str = "", url: str | None = None) -> SourceRef:
    return SourceRef(
        id=f"src-{index}",
        title=title or f"Source number {index}",
        author="An Author",
        publisher="A Publisher",
        published="2024-10",
        published_label="Oct 2024",
        url=url,
        kind="blog",
        age="2 years old",
    )


def _figure(index: int, src: SourceRef) -> FigureOut:
    return FigureOut(
        framework=f"fw{index}",
        framework_name=f"Framework{index}",
        metric="github-stars",
        value=1000.0 + index,
        unit="stars",
        as_of=date(2024, 10, 31),
        as_of_label="Oct 2024",
        source=src,
        provenance="test",
    )


def _claim(index: int, statement: str, src: SourceRef) -> ClaimOut:
    return ClaimOut(
        id=f"claim-{index}",
        statement=statement,
        figures=[],
        source=src,
        caveats=[],
        topics=["test"],
    )


def _query(text: str) -> Query:
    return Query(kind="figures", text=text, understood=text, metric="github-stars")


def test_hostile_text_is_escaped_everywhere() -> None:
    src = _source(1, title=f"Title {HOSTILE}", url="https://example.com/a?b=1&c=<2>")
    answer = Answer(
        ok=True,
        query=_query(f"stars {HOSTILE}"),
        title=f"Stars {HOSTILE}",
        summary=f"Summary {HOSTILE}",
        figures=[_figure(1, src).model_copy(update={"framework_name": HOSTILE})],
        claims=[_claim(1, f"A claim says {HOSTILE} loudly.", src)],
        sources=[src],
        notes=[Note(kind="disagreement", text=f"Note {HOSTILE}")],
        chart=ChartSpec(
            kind="line",
            title=f"Chart {HOSTILE}",
            unit="stars",
            as_of="2024-10-31",
            footnote=f"Source: {HOSTILE}",
            series=[
                ChartSeries(
                    label=HOSTILE,
                    dates=[date(2024, m, 1) for m in (1, 2, 3)],
                    values=[1.0, 2.0, 3.0],
                )
            ],
        ),
        metric_definition=f"Defined as {HOSTILE}",
        generated_on=date(2026, 11, 23),
    )
    blocks = answer_blocks(answer, image_url="https://example.com/c.png", share_value="k")
    text = text_of(blocks) + answer_fallback_text(answer)
    for raw in ("<!channel>", "<@U1>", "<!", "<@"):
        assert raw not in text
    assert "&lt;!channel&gt; &amp; &lt;@U1&gt;" in text
    assert "<https://example.com/a?b=1&amp;c=%3C2%3E|Title &lt;!channel&gt;" in text
    assert_within_limits(blocks)
    assert_round_trips(blocks)


def test_hostile_error_is_escaped() -> None:
    answer = Answer(
        ok=False,
        title="Sorry, I couldn't answer that",
        error=ErrorInfo(message=f"I don't know {HOSTILE}.", suggestions=[HOSTILE, "a`b"]),
    )
    text = text_of(answer_blocks(answer)) + answer_fallback_text(answer)
    assert "<!channel>" not in text and "<@U1>" not in text
    assert "`&lt;!channel&gt; &amp; &lt;@U1&gt;`" in text


def _huge_answer() -> Answer:
    sources = [_source(i, url=f"https://example.com/{i}") for i in range(60)]
    words = " ".join(f"word{i}" for i in range(1000))  # ~8,900 characters
    statement = words[:5000]
    return Answer(
        ok=True,
        query=_query("huge"),
        title="A very long title " * 20,
        summary=statement,
        figures=[_figure(i, sources[i % 60]) for i in range(30)],
        claims=[_claim(i, f"{HOSTILE} {statement}", sources[i % 60]) for i in range(80)],
        sources=sources,
        notes=[Note(kind="caveat", text=statement) for _ in range(20)],
        metric_definition=statement,
        generated_on=date(2026, 11, 23),
    )


def test_huge_answer_fits_slack() -> None:
    answer = _huge_answer()
    blocks = answer_blocks(answer, slack_file_id="F1", share_value="s" * 2000)
    assert_within_limits(blocks)
    assert_round_trips(blocks)
    text = text_of(blocks)
    assert "Trimmed for Slack" in text and "`fwtrend ask huge`" in text
    assert "<!channel>" not in text
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"].endswith("…")
    # The figures and the footer survive; claims go before anything else.
    assert len(field_texts(blocks)) == 30
    assert blocks[-2]["block_id"].startswith("fwtrend-footer")
    assert blocks[-1]["type"] == "actions"
    assert len(answer_fallback_text(answer)) <= 3000


def test_huge_answer_drops_claims_before_sources_before_notes() -> None:
    answer = _huge_answer()
    answer.claims = answer.claims[:3]
    answer.notes = answer.notes[:2]
    answer.sources = answer.sources[:8]
    blocks = answer_blocks(answer)
    roles = {b["block_id"].split("-")[1] for b in blocks}
    assert "claims" not in roles
    assert {"header", "figures", "notes", "sources", "more", "footer"} <= roles
    assert_within_limits(blocks)


# ---------------------------------------------------------------- fit_blocks directly


def _section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def test_fit_blocks_leaves_small_messages_alone() -> None:
    blocks = [_section("hello"), _section("world")]
    assert fit_blocks(blocks, HINT) == blocks


def test_fit_blocks_enforces_every_limit() -> None:
    field = {"type": "mrkdwn", "text": "f " * 1500}
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "header " * 40}},
        {"type": "section", "block_id": "fwtrend-figures-0", "fields": [field] * 13},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 15},
        {"type": "image", "image_url": "https://example.com/a.png", "alt_text": "a " * 1500},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "x",
                    "text": {"type": "plain_text", "text": "b" * 100},
                    "value": "v",
                }
            ],
        },
    ] + [_section("word " * 700, block_id=f"b{i}") for i in range(60)]
    original = copy.deepcopy(blocks)
    fitted = fit_blocks(blocks, HINT)
    assert blocks == original  # the input is not modified
    assert_within_limits(fitted)
    assert_round_trips(fitted)
    assert HINT in text_of(fitted)
    # Figures are never dropped: too many fields for one section continue in another.
    assert len(field_texts(fitted)) == 13


def test_fit_blocks_caps_the_block_count() -> None:
    blocks = [_section(f"line {i}", block_id=f"fwtrend-claims-{i}") for i in range(80)]
    blocks.append({"type": "context", "block_id": "fwtrend-footer-0",
                   "elements": [{"type": "mrkdwn", "text": "footer"}]})  # fmt: skip
    fitted = fit_blocks(blocks, HINT)
    assert len(fitted) == 50
    assert fitted[-2]["elements"][0]["text"] == HINT
    assert fitted[-1]["elements"][0]["text"] == "footer"
    assert fitted[0]["text"]["text"] == "line 0"  # the last of a kind go first
    assert_within_limits(fitted)


def test_fit_blocks_cuts_at_a_word_boundary() -> None:
    text = " ".join(["alpha", "beta", "gamma"] * 400) + " <https://example.com|a link>"
    (fitted, hint) = fit_blocks([_section(text)], HINT)
    cut = fitted["text"]["text"]
    assert len(cut) <= 3000 and cut.endswith("…")
    assert cut[:-1].split(" ")[-1] in {"alpha", "beta", "gamma"}
    assert hint["elements"][0]["text"] == HINT


def test_fit_blocks_never_leaves_half_a_link() -> None:
    text = "x " * 1490 + "<https://example.com/" + "y" * 100 + "|label>"
    (fitted, _) = fit_blocks([_section(text)], HINT)
    cut = fitted["text"]["text"]
    assert "<" not in cut and len(cut) <= 3000


@pytest.mark.parametrize("shift", range(6))
def test_fit_blocks_never_leaves_half_an_entity(shift: int) -> None:
    text = "x" * shift + escape_mrkdwn(HOSTILE) * 200
    (fitted, _) = fit_blocks([_section(text)], HINT)
    cut = fitted["text"]["text"]
    assert len(cut) <= 3000
    assert re.search(r"&(?!amp;|lt;|gt;)", cut) is None


def test_fit_blocks_drops_invalid_images() -> None:
    both = {
        "type": "image",
        "image_url": "https://example.com/a.png",
        "slack_file": {"id": "F1"},
        "alt_text": "chart",
    }
    fitted = fit_blocks([_section("keep"), both], HINT)
    assert of_type(fitted, "image") == []
    assert HINT in text_of(fitted)


def test_fit_blocks_is_idempotent() -> None:
    blocks = answer_blocks(_huge_answer())
    assert fit_blocks(blocks, HINT) == blocks


def test_a_fitted_answer_is_reused_with_each_reply_s_own_button_values(engine: Engine) -> None:
    answer = engine.ask("pytorch tensorflow github-stars since 2020")

    def values(blocks: list[dict[str, Any]]) -> list[str]:
        return [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]]

    first = answer_blocks(answer, share_value="id-one", data_value="id-one")
    first[0]["text"]["text"] = "changed by a caller"  # the blocks are the caller's own
    first.append({"type": "divider"})
    second = answer_blocks(answer, share_value="id-two", data_value="id-two")
    assert values(first) == ["id-one", "id-one"] and values(second) == ["id-two", "id-two"]
    assert "changed by a caller" not in json.dumps(second) and second[-1]["type"] == "actions"
    # Fitted afresh, the blocks are the same apart from the button values.
    fresh = answer.model_copy(deep=True)
    assert answer_blocks(fresh, share_value="id-two", data_value="id-two") == second
    # Without buttons there are none, and another chart placement is fitted on its own.
    assert values(answer_blocks(answer)) == []
    with_image = answer_blocks(answer, image_url="https://fwtrend.example/charts/a.png")
    assert any(b["type"] == "image" for b in with_image)
    assert not any(b["type"] == "image" for b in second)
