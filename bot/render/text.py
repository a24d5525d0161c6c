"""Render an Answer as plain text (the terminal) and as the `fwtrend ask --json` object."""

from __future__ import annotations

import textwrap
from typing import Any

from bot.formatting import format_change, format_figure, format_source, format_value
from bot.models import Answer, ClaimOut, FigureOut, Note
from bot.render.charts import figure_sparkline
from bot.render.scoreboard_text import scoreboard_lines

_NOTE_MARKS = {
    "disagreement": "!",
    "cross-check": "✓",
    "caveat": "·",
    "stale": "⚠",
    "break": "¦",
}
WIDTH = 100


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=" " * len(indent))


def _figure_line(fig: FigureOut, sparkline: str) -> str:
    line = f"  {fig.framework_name:<11} {format_figure(fig)}"
    if fig.change:
        line += f"  {format_change(fig.change)}"
    if sparkline:
        line += f"  {sparkline}"
    if fig.stale:
        line += "  (stale)"
    return line


def _claim_lines(claim: ClaimOut, number: int) -> list[str]:
    src = claim.source
    who = src.publisher or src.author or src.title
    lines = [_wrap(f"{claim.statement} [{number}: {who}, {src.published_label}]", "  • ")]
    for caveat in claim.caveats[:1]:
        lines.append(_wrap(f"caveat: {caveat}", "      "))
    return lines


def _note_line(note: Note) -> str:
    return _wrap(note.text, f"  {_NOTE_MARKS[note.kind]} ")


def render_text(answer: Answer) -> str:
    """The full plain-text reply, as the CLI prints it."""
    if not answer.ok:
        assert answer.error is not None
        lines = [answer.error.message]
        if answer.error.suggestions:
            lines.append("Try: " + ", ".join(answer.error.suggestions))
        lines.append("Type `help` for examples.")
        return "\n".join(lines)
    out = [answer.title]
    if answer.query and answer.query.kind not in {"help", "sources", "metrics", "frameworks"}:
        out.append(f"(understood as: {answer.query.understood})")
    if answer.lead and (answer.scoreboard or answer.figures):
        out += ["", _wrap(answer.lead, "")]
    if answer.scoreboard:
        out += ["", _wrap(answer.summary, "")] + scoreboard_lines(answer.scoreboard, WIDTH)
    elif answer.figures:
        out.append("")
        metric = None
        for fig in answer.figures:
            if answer.query and answer.query.kind == "compare" and fig.metric != metric:
                metric = fig.metric
                out.append(f" {fig.metric}")
            out.append(_figure_line(fig, figure_sparkline(fig, answer.chart)))
    elif answer.summary:
        out.append(_wrap(answer.summary, ""))
    if answer.rows:
        out.append("")
        width = min(max(len(r.key) for r in answer.rows), 44)
        for row in answer.rows:
            detail = f" — {row.detail}" if row.detail else ""
            out.append(_wrap(f"{row.key:<{width}}  {row.label}{detail}", "  "))
    if answer.metric_definition:
        out += ["", _wrap(f"What it measures: {answer.metric_definition}", "")]
    if answer.notes:
        out += ["", "Notes:"] + [_note_line(n) for n in answer.notes]
    numbers = {src.id: i for i, src in enumerate(answer.sources, 1)}
    sides = answer.scoreboard.sides if answer.scoreboard else []
    by_id = {c.id: c for c in answer.claims}
    for side in sides:
        out += ["", f"{side.label}:"]
        for claim_id in side.claim_ids:
            out += _claim_lines(by_id[claim_id], numbers.get(by_id[claim_id].source.id, 0))
    if answer.claims and not sides:
        out += ["", "Related claims:"]
        for claim in answer.claims:
            out += _claim_lines(claim, numbers.get(claim.source.id, 0))
    if answer.sources and not (answer.query and answer.query.kind == "sources"):
        out += ["", "Sources:"]
        out += [_wrap(format_source(src), f"  [{numbers[src.id]}] ") for src in answer.sources]
    return "\n".join(out)


def _source_json(answer_source: Any) -> dict[str, Any]:
    return {
        key: getattr(answer_source, key)
        for key in ("id", "title", "author", "publisher", "published", "url")
    }


def answer_json(answer: Answer, chart_path: str | None = None) -> dict[str, Any]:
    """The `--json` contract: ok, text, lead, figures, claims, sources, chart, error, query."""
    figures = []
    for fig in answer.figures:
        figures.append(
            {
                "framework": fig.framework,
                "metric": fig.metric,
                "value": fig.value,
                "value_high": fig.value_high,
                "qualifier": fig.qualifier,
                "unit": fig.unit,
                "display": format_value(fig.value, fig.unit, fig.qualifier, fig.value_high),
                "as_of": fig.as_of.isoformat(),
                "segment": fig.segment or None,
                "source": _source_json(fig.source),
                "provenance": fig.provenance,
                "stale": fig.stale,
                "change": fig.change.model_dump(mode="json") if fig.change else None,
            }
        )
    claims = [
        {
            "id": c.id,
            "statement": c.statement,
            "figures": [f.model_dump(mode="json") for f in c.figures],
            "source": _source_json(c.source),
            "caveats": c.caveats,
        }
        for c in answer.claims
    ]
    sources = [src.model_dump(mode="json") for src in answer.sources]
    return {
        "ok": answer.ok,
        "text": render_text(answer),
        "lead": answer.lead or None,  # who leads, or who is closing in: the direct answer
        "figures": figures,
        "claims": claims,
        "sources": sources,
        "notes": [n.model_dump(mode="json") for n in answer.notes],
        "chart": chart_path,
        "scoreboard": answer.scoreboard.model_dump(mode="json") if answer.scoreboard else None,
        "error": answer.error.model_dump() if answer.error else None,
        "query": answer.query.model_dump(mode="json") if answer.query else None,
    }
