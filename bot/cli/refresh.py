"""`fwtrend status` and `fwtrend refresh`: the store's health, and today's numbers fetched in."""

from __future__ import annotations

import sys

import click

from bot.cli.common import EXIT_BUSY, EXIT_SOURCE_FAILED, UserError, load_settings, open_engine


@click.command()
def status() -> None:
    """Show the store's health: freshness per source, counts, size, version.

    Example: fwtrend status
    """
    from bot.store.status import build_status, series_lines, source_line, status_lines

    engine = open_engine(load_settings())
    report = build_status(engine.store, engine.today, engine.stale_after)
    for line in status_lines(report):
        click.echo(line)
    click.echo("Sources:")
    for src in report.sources:
        click.echo(f"  {source_line(src)}")
        for line in series_lines(src):
            click.echo(f"      {line}")


@click.command()
@click.option(
    "--source",
    "names",
    multiple=True,
    metavar="NAME",
    help="Only this source (repeatable); default: all of them.",
)
@click.option("--dry-run", is_flag=True, help="Fetch and compare, but write nothing.")
def refresh(names: tuple[str, ...], dry_run: bool) -> None:
    """Fetch today's numbers from the public APIs into the store.

    Exit codes: 0 every source ok, 1 a source failed, 2 bad input, 3 another refresh is running.

    Example: fwtrend refresh --source github --source pypistats
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from bot.live.refresh import LockBusy, run_refresh, unknown_sources
    from bot.live.sources import SOURCES
    from bot.live.view import ProgressBars, headline, moves_lines, summary_table

    unknown = unknown_sources(names)
    if unknown:
        raise UserError(f"unknown source {', '.join(unknown)}; choose from {', '.join(SOURCES)}")
    settings = load_settings()
    engine = open_engine(settings)
    chosen = list(dict.fromkeys(names)) or list(SOURCES)
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            report = run_refresh(
                engine.store,
                settings,
                names=chosen,
                dry_run=dry_run,
                progress=ProgressBars(progress, chosen),
                today=settings.today,  # FWTREND_TODAY dates the points, as it dates answers
            )
    except LockBusy as exc:
        click.echo(f"fwtrend: {exc}; try again when it has finished", err=True)
        sys.exit(EXIT_BUSY)
    Console().print(summary_table(report))
    for line in moves_lines(report, {slug: f.name for slug, f in engine.frameworks.items()}):
        click.echo(line)
    click.echo(headline(report))
    if not report.ok:
        sys.exit(EXIT_SOURCE_FAILED)
