"""A refresh report in words: the CLI's table and progress bars, and Slack's summary lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.formatting import format_day, format_delta, format_number, format_value

if TYPE_CHECKING:
    # Types only: Slack's refresh summary is built where bot.live.refresh (httpx) is not loaded.
    from rich.progress import Progress, TaskID
    from rich.table import Table

    from bot.live.refresh import Move, RefreshReport, Stage


def move_line(move: Move, names: dict[str, str]) -> str:
    """'PyTorch github-stars: 101,967 → 102,410 stars (+443, +0.4%) since 22 Nov 2026'."""
    who = names.get(move.framework, move.framework)
    segment = f" [{move.segment}]" if move.segment else ""
    return (
        f"{who} {move.metric}{segment}: {format_number(move.previous)} → "
        f"{format_value(move.value, move.unit)} ({format_delta(move)}) "
        f"since {format_day(move.previous_date)}"
    )


def headline(report: RefreshReport) -> str:
    """One line: how many sources worked, points added and changed, how long it took."""
    good = [o for o in report.outcomes if o.ok]
    added = sum(o.added for o in good)
    changed = sum(o.changed for o in good)
    verb = "would add" if report.dry_run else "added"
    return (
        f"{len(good)} of {len(report.outcomes)} sources ok; {verb} {added} points, "
        f"{'would change' if report.dry_run else 'changed'} {changed}; "
        f"{report.seconds:.1f} s"
    )


def summary_lines(report: RefreshReport, names: dict[str, str]) -> list[str]:
    """The report as plain lines: a headline, each source, the biggest moves."""
    lines = [headline(report)]
    for outcome in report.outcomes:
        if outcome.ok:
            detail = f"{outcome.points} points ({outcome.added} new, {outcome.changed} changed)"
        else:
            detail = f"FAILED: {outcome.reason}"
        lines.append(f"{outcome.name}: {detail}, {outcome.seconds:.1f} s")
    return lines + moves_lines(report, names)


def moves_lines(report: RefreshReport, names: dict[str, str]) -> list[str]:
    """'Biggest moves:' and one line per move, or nothing when nothing moved."""
    if not report.moves:
        return []
    return ["Biggest moves:", *(move_line(move, names) for move in report.moves)]


def summary_table(report: RefreshReport) -> Table:
    """The per-source table `fwtrend refresh` prints."""
    from rich.table import Table

    title = "Refresh (dry run: nothing written)" if report.dry_run else "Refresh"
    table = Table(title=title)
    for column, justify in [
        ("source", "left"),
        ("result", "left"),
        ("points", "right"),
        ("new", "right"),
        ("changed", "right"),
        ("seconds", "right"),
    ]:
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for o in report.outcomes:
        result = "ok" if o.ok else f"[red]failed[/red]: {o.reason}"
        table.add_row(
            o.name, result, str(o.points), str(o.added), str(o.changed), f"{o.seconds:.1f}"
        )
    return table


class ProgressBars:
    """One rich progress bar per source, moved by refresh()'s progress callback."""

    STEPS: dict[Stage, int] = {"fetching": 0, "writing": 1, "done": 2, "failed": 2}

    def __init__(self, progress: Progress, names: list[str]) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {
            name: progress.add_task(f"{name}: waiting", total=2) for name in names
        }

    def __call__(self, name: str, stage: Stage, detail: str) -> None:
        label = f"{name}: {stage}" + (f" ({detail})" if detail else "")
        if stage == "failed":
            label = f"[red]{label}[/red]"
        self.progress.update(self.tasks[name], completed=self.STEPS[stage], description=label)
