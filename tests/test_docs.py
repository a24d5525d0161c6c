"""The README documents every setting and command, and its quickstart matches .ci/run."""

from __future__ import annotations

from pathlib import Path

from bot.cli import cli
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_docs_every_setting_in_readme() -> None:
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        assert isinstance(alias, str), name
        assert f"`{alias}`" in README, f"{alias} is not documented in README.md"


def test_docs_every_command_in_readme() -> None:
    for name, command in cli.commands.items():
        assert f"fwtrend {name}" in README, name
        for sub in getattr(command, "commands", {}):
            assert f"fwtrend {name} {sub}" in README, f"{name} {sub}"


def test_docs_ci_runs_the_readme_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in README.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2
    for command in commands:
        assert command in ci
