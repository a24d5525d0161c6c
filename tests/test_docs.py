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


def test_manifest_matches_the_bot() -> None:
    import re

    import yaml

    from bot.server.app import COMMAND, EVENTS_PATH
    from bot.server.commands import ADMIN_ACTIONS

    manifest = yaml.safe_load((ROOT / "slack-manifest.yaml").read_text(encoding="utf-8"))
    [command] = manifest["features"]["slash_commands"]
    assert COMMAND.match(command["command"])
    settings = manifest["settings"]
    urls = [command["url"], settings["event_subscriptions"]["request_url"]]
    urls.append(settings["interactivity"]["request_url"])
    assert all(url.endswith(EVENTS_PATH) for url in urls)
    assert settings["interactivity"]["is_enabled"] is True
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # Each Web API method the bot calls needs its scope.
    needed = {"commands", "chat:write", "files:write", "files:read", "channels:join"}
    needed |= {"chat:write.public", "channels:history"}  # the digest
    needed.add("im:write")  # the Data (CSV) button opens a DM
    assert needed | {"app_mentions:read", "im:history"} <= scopes
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert len(manifest["display_information"]["description"]) <= 140
    assert len(command["usage_hint"]) <= 1000
    # The README's Slack walkthrough names the manifest and every admin command.
    assert "slack-manifest.yaml" in README
    for action in ADMIN_ACTIONS:
        assert re.search(rf"/fwtrend admin {action}\b", README), action


def test_procfile_runs_web_release_and_clock() -> None:
    processes = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert {name: cmd.strip() for name, cmd in processes.items()} == {
        "web": "fwtrend serve",
        "release": "fwtrend db upgrade",
        "clock": "fwtrend clock",
    }
