"""`fwtrend digest` and `fwtrend clock`: preview or post the weekly digest, or run its scheduler."""

from __future__ import annotations

import sys

import click

from bot.cli.common import EXIT_SOURCE_FAILED, UserError, load_settings, open_engine


@click.command()
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
    from bot.digest.clock import digest_poster, local_today
    from bot.digest.post import preview_digest
    from bot.digest.view import digest_lines
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


@click.command()
def clock() -> None:
    """Run the scheduler that posts the weekly digest (the Procfile's clock process).

    Example: FWTREND_DIGEST_CHANNELS=C0123456789 fwtrend clock
    """
    from bot.digest.clock import digest_poster, run_clock
    from bot.server.serve import configure_logging

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
