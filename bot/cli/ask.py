"""`fwtrend ask`: answer a question as the Slack bot would, with its chart and data on request."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.common import EXIT_BAD_INPUT, UserError, load_settings, open_engine

if TYPE_CHECKING:
    from bot.models import Answer


@click.command()
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
    from bot.render.text import answer_json, render_text

    if csv_path is not None:
        check_writable(csv_path)
    question = " ".join(text)
    engine = open_engine(load_settings())
    answer = engine.ask(question)
    if csv_path is not None and answer.ok:
        write_csv(csv_path, answer)
    written = None
    if chart_path is not None and answer.ok and answer.chart is not None:
        from bot.render.charts import render_chart
        from bot.store.chart_files import write_atomically

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
    from bot.render.csv_export import answer_csv
    from bot.store.chart_files import write_atomically

    try:
        write_atomically(path, answer_csv(answer).encode("utf-8"))
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
