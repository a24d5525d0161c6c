"""The `fwtrend` command line: ask questions, check the knowledge base, manage the store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from bot import __version__
from bot.helptext import HELP_EXAMPLES, PERIOD_HELP

if TYPE_CHECKING:
    from bot.answers import Engine
    from bot.models import Answer
    from bot.settings import Settings
    from bot.store import Store

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


class UserError(click.ClickException):
    """Bad input or configuration: a clear message and exit code 2."""

    exit_code = EXIT_BAD_INPUT


def load_settings() -> Settings:
    """Settings from the environment, with a clear message when one is malformed."""
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise UserError(f"invalid setting: {problems}") from None


def open_store_or_exit(settings: Settings, *, prepare: bool = True) -> Store:
    """The configured store (DATABASE_URL or FWTREND_DB), or a clear one-line error."""
    from bot.knowledge import KnowledgeError, default_knowledge_dir
    from bot.store import StoreBroken, StoreUnavailable, open_store

    root = settings.knowledge_dir or default_knowledge_dir()
    try:
        return open_store(settings, root, prepare=prepare)
    except FileNotFoundError as exc:
        raise UserError(f"{exc} (set FWTREND_DB to a writable path)") from None
    except StoreUnavailable as exc:
        raise UserError(f"{exc} (check DATABASE_URL)") from None
    except KnowledgeError as exc:
        lines = "\n".join(f"  {err}" for err in exc.errors[:10])
        raise click.ClickException(f"the knowledge base at {root} is invalid:\n{lines}") from None
    except StoreBroken as exc:
        raise click.ClickException(str(exc)) from None


def open_engine(settings: Settings) -> Engine:
    """Open the store (creating and loading it as needed) and build the answer engine."""
    from bot.answers import Engine

    store = open_store_or_exit(settings)
    return Engine(store, today=settings.today, stale_after_days=settings.stale_after_days)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fwtrend")
def cli() -> None:
    """fwtrend: where PyTorch, TensorFlow, JAX and Keras really stand, with sources.

    Example: fwtrend ask pytorch hf-models
    """


@cli.command(name="help")
def help_command() -> None:
    """Show what you can ask, with examples.

    Example: fwtrend help
    """
    click.echo("fwtrend: where the deep-learning frameworks stand\n")
    for example, what in HELP_EXAMPLES:
        click.echo(f"  fwtrend ask {example:<46} {what}")
    click.echo(f"\n{PERIOD_HELP}")
    click.echo(
        "Other commands: fwtrend refresh, fwtrend digest, fwtrend serve, fwtrend clock,"
        " fwtrend status, fwtrend kb check, fwtrend db upgrade, fwtrend db copy;"
        " --help on any command."
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option(
    "--chart",
    "chart_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the answer's chart to this PNG file.",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path),
    help="Also write the points behind the answer to this CSV file.",
)
@click.argument("text", nargs=-1)
def ask(
    as_json: bool, chart_path: Path | None, csv_path: Path | None, text: tuple[str, ...]
) -> None:
    """Answer a question exactly as the Slack bot would.

    Example: fwtrend ask --csv data.csv pytorch vs tensorflow
    """
    from bot.render_text import answer_json, render_text

    if csv_path is not None:
        check_writable(csv_path)
    question = " ".join(text)
    engine = open_engine(load_settings())
    answer = engine.ask(question)
    if csv_path is not None and answer.ok:
        write_csv(csv_path, answer)
    written = None
    if chart_path is not None and answer.ok and answer.chart is not None:
        from bot.chart_files import write_atomically
        from bot.render.charts import render_chart

        write_atomically(chart_path, render_chart(answer.chart))
        written = str(chart_path)
    if as_json:
        click.echo(json.dumps(answer_json(answer, written), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(answer))
        if chart_path is not None:
            click.echo(f"\nChart: {written}" if written else "\nChart: none for this answer")
        if csv_path is not None and answer.ok:
            click.echo(f"Data: {csv_path}")
    if not answer.ok:
        sys.exit(EXIT_BAD_INPUT)


def check_writable(path: Path) -> None:
    """Fail before any work when a file cannot be written there."""
    import os

    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UserError(f"{path} is a directory; give a file name")
    if not folder.is_dir():
        raise UserError(f"the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UserError(f"cannot write to {path}: permission denied")


def write_csv(path: Path, answer: Answer) -> None:
    """The answer's data as CSV, written whole or not at all."""
    from bot.chart_files import write_atomically
    from bot.export import answer_csv

    try:
        write_atomically(path, answer_csv(answer).encode("utf-8"))
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


@cli.group()
def kb() -> None:
    """Work with the curated knowledge base."""


@kb.command(name="check")
@click.option(
    "--dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Knowledge directory to check (default: the configured one).",
)
def kb_check(root: Path | None) -> None:
    """Validate every knowledge entry; list each invalid one with file, entry and field.

    Example: fwtrend kb check --dir knowledge
    """
    from bot.knowledge import check_knowledge, default_knowledge_dir

    root = root or load_settings().knowledge_dir or default_knowledge_dir()
    kbase, errors = check_knowledge(root)
    if errors:
        for err in errors:
            click.echo(str(err), err=True)
        click.echo(f"{len(errors)} invalid entries in {root}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(
        f"ok: {len(kbase.frameworks)} frameworks, {len(kbase.metrics)} metrics, "
        f"{len(kbase.sources)} sources, {len(kbase.claims)} claims, "
        f"{len(kbase.series)} series files in {root}"
    )


@cli.group()
def db() -> None:
    """Manage the metrics store."""


@db.command(name="upgrade")
def db_upgrade() -> None:
    """Apply pending migrations and load knowledge changes into the store.

    Example: FWTREND_DB=/data/fwtrend.db fwtrend db upgrade
    """
    from bot.knowledge import default_knowledge_dir

    settings = load_settings()
    store = open_store_or_exit(settings, prepare=False)
    try:
        applied = store.upgrade()
        loaded = store.sync_knowledge(settings.knowledge_dir or default_knowledge_dir())
    finally:
        store.close()
    click.echo(
        f"{store.describe()}: {len(applied)} migrations applied"
        f"{' (' + ', '.join(applied) + ')' if applied else ''}; knowledge "
        f"{'reloaded' if loaded else 'already current'}"
    )


@db.command(name="copy")
@click.option(
    "--to", "url", required=True, metavar="URL", help="postgresql:// URL of an empty database."
)
def db_copy(url: str) -> None:
    """Copy the SQLite store (FWTREND_DB) into an empty PostgreSQL database, in one go.

    Live history, the digest log, refresh runs, kept answers and charts are copied exactly and
    verified by counts; the knowledge base is loaded afresh.

    Example: fwtrend db copy --to postgresql://user@db.example.com/fwtrend
    """
    from bot.knowledge import default_knowledge_dir
    from bot.store import SqliteStore, StoreUnavailable, describe_target
    from bot.store.pg_conn import is_postgres_url

    if not is_postgres_url(url):
        raise UserError("--to must be a postgresql:// URL")
    settings = load_settings().model_copy(update={"database_url": None})
    if not settings.db_path.exists():
        raise UserError(f"no SQLite store at {settings.db_path} (set FWTREND_DB)")
    source = open_store_or_exit(settings)
    assert isinstance(source, SqliteStore)
    from bot.store.copy import CopyRefused, copy_to_postgres

    try:
        counts = copy_to_postgres(source, url, settings.knowledge_dir or default_knowledge_dir())
    except (CopyRefused, StoreUnavailable) as exc:
        raise UserError(str(exc)) from None
    finally:
        source.close()
    click.echo(f"copied {source.describe()} to {describe_target(url)}, verified:")
    for table, count in counts.items():
        click.echo(f"  {table:<18} {count:>8,} rows")


@cli.command()
def status() -> None:
    """Show the store's health: freshness per source, counts, size, version.

    Example: fwtrend status
    """
    from bot.status import build_status, series_lines, source_line, status_lines

    engine = open_engine(load_settings())
    report = build_status(engine.store, engine.today, engine.stale_after)
    for line in status_lines(report):
        click.echo(line)
    click.echo("Sources:")
    for src in report.sources:
        click.echo(f"  {source_line(src)}")
        for line in series_lines(src):
            click.echo(f"      {line}")


EXIT_SOURCE_FAILED = 1
EXIT_BUSY = 3


@cli.command()
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

    from bot.refresh import LockBusy, run_refresh, unknown_sources
    from bot.refresh_view import ProgressBars, headline, moves_lines, summary_table
    from bot.sources import SOURCES

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


@cli.command()
@click.option("--preview", is_flag=True, help="Print the digest as text (the default).")
@click.option("--post", "post_now", is_flag=True, help="Post it to Slack now.")
@click.option(
    "--channel",
    "channels",
    multiple=True,
    metavar="ID",
    help="Channel id to post to (repeatable); default: FWTREND_DIGEST_CHANNELS.",
)
@click.option("--force", is_flag=True, help="Post even if this week's digest already went.")
def digest(preview: bool, post_now: bool, channels: tuple[str, ...], force: bool) -> None:
    """Preview or post the weekly digest.

    Example: fwtrend digest --post --channel C0123456789
    """
    from bot.clock import digest_poster, local_today
    from bot.digest_post import preview_digest
    from bot.digest_view import digest_lines
    from bot.settings import CHANNEL_ID

    if preview and post_now:
        raise UserError("choose --preview or --post, not both")
    bad = [c for c in channels if not CHANNEL_ID.match(c)]
    if bad:
        raise UserError(f"{', '.join(bad)}: channel ids look like C0123ABCD, not #names")
    settings = load_settings()
    engine = open_engine(settings)
    today = local_today(settings)
    if not post_now:
        channel = channels[0] if channels else None  # the preview follows that channel's log
        click.echo("\n".join(digest_lines(preview_digest(engine, today, channel))))
        return
    targets = list(channels) or settings.digest_channels
    if not targets:
        raise UserError("no channel: give --channel C… or set FWTREND_DIGEST_CHANNELS")
    if settings.slack_bot_token is None:
        raise UserError("SLACK_BOT_TOKEN is not set: posting needs the bot token")
    poster = digest_poster(settings, engine)
    failed = False
    for channel in targets:
        result = poster.post(channel, today, force=force)
        click.echo(
            f"{channel}: {result.outcome}" + (f" ({result.reason})" if result.reason else "")
        )
        failed |= result.outcome == "failed"
    if failed:
        sys.exit(EXIT_SOURCE_FAILED)


@cli.command()
def clock() -> None:
    """Run the scheduler that posts the weekly digest (the Procfile's clock process).

    Example: FWTREND_DIGEST_CHANNELS=C0123456789 fwtrend clock
    """
    from bot.clock import digest_poster, run_clock
    from bot.serve import configure_logging

    settings = load_settings()
    if settings.slack_bot_token is None:
        raise UserError("SLACK_BOT_TOKEN is not set: the clock posts to Slack")
    if not settings.digest_channels:
        raise UserError("FWTREND_DIGEST_CHANNELS is empty: no channel to post the digest to")
    engine = open_engine(settings)
    configure_logging()
    click.echo(
        f"fwtrend clock: digest to {', '.join(settings.digest_channels)} on "
        f"'{settings.digest_cron}' ({settings.digest_tz})",
        err=True,
    )
    run_clock(settings, engine, digest_poster(settings, engine))
    click.echo("fwtrend clock: stopped", err=True)


@cli.command()
@click.option("--socket", is_flag=True, help="Socket Mode (SLACK_APP_TOKEN) instead of HTTP.")
def serve(socket: bool) -> None:
    """Run the Slack bot: HTTP on $PORT (gunicorn), or Socket Mode for local use.

    Example: PORT=3000 fwtrend serve
    """
    from bot.serve import (
        ConfigError,
        check_slack_auth,
        check_slack_settings,
        configure_logging,
        run_http,
        run_socket,
    )
    from bot.slack_app import ACK_THREADS

    settings = load_settings()
    try:
        check_slack_settings(settings, socket=socket)
        engine = open_engine(settings)  # fails here, clearly, if the store is unusable
        who = check_slack_auth(settings)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    configure_logging()
    if socket:
        click.echo(f"fwtrend {__version__}: Socket Mode as {who}", err=True)
        run_socket(settings, engine)
        return
    click.echo(f"fwtrend {__version__}: HTTP on {settings.host}:{settings.port} as {who}", err=True)
    engine.store.close()  # the worker process opens its own
    run_http(settings, threads=ACK_THREADS)


def main() -> NoReturn:
    """Console entry point: bad input exits 2, internal errors exit 1, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_INTERNAL)
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
        # Click's own usage errors (unknown option, missing argument) are bad input too.
        sys.exit(EXIT_BAD_INPUT if isinstance(exc, click.UsageError) else code)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        click.echo(f"fwtrend: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(0)
