"""The wings of bot/ lean downwards only, and Slack's framework stays at the edge (README's map)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

# What each wing must never import: the wings above it (README.md, "Project structure").
ABOVE = {
    "store": {"answers", "render", "slack", "server", "live", "digest", "workers", "cli"},
    "render": {"store", "answers", "slack", "server", "live", "digest", "workers", "cli"},
    "answers": {"slack", "server", "live", "digest", "workers", "cli"},
    "slack": {"answers", "server", "live", "digest", "workers", "cli"},
    "live": {"server", "digest", "workers", "cli"},
    "digest": {"server", "workers", "cli"},
}
SLACK_BOLT_IMPORTERS = {"server/app.py"}


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "bot":  # from bot import x: x is a module or a name of the core
                found |= {f"bot.{alias.name}" for alias in node.names}
    return found


def modules_of(wing: str) -> list[Path]:
    return sorted((BOT / wing).rglob("*.py"))


@pytest.mark.parametrize("wing", sorted(ABOVE))
def test_each_wing_imports_nothing_above_it(wing: str) -> None:
    assert modules_of(wing), f"bot/{wing}/ has no modules"
    wrong = [
        f"{path.relative_to(BOT)} imports {module}"
        for path in modules_of(wing)
        for module in sorted(imported_modules(path))
        if module.startswith("bot.") and module.split(".")[1] in ABOVE[wing]
    ]
    assert wrong == []


def test_only_the_server_edge_imports_slack_bolt() -> None:
    importers = {
        str(path.relative_to(BOT))
        for path in BOT.rglob("*.py")
        if any(m.split(".")[0] == "slack_bolt" for m in imported_modules(path))
    }
    assert importers == SLACK_BOLT_IMPORTERS


def test_the_core_is_only_small_shared_modules() -> None:
    """A new flat module in bot/ belongs in a wing; these few are what every wing shares."""
    flat = {path.name for path in BOT.glob("*.py")}
    assert flat == {
        "__init__.py",
        "__main__.py",
        "formatting.py",
        "helptext.py",
        "periods.py",
        "recent.py",
        "settings.py",
    }


def test_the_detector_sees_imports_inside_functions(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from bot.server.replies import Replier\nimport slack_bolt.app")
    assert imported_modules(source) == {"bot.server.replies", "slack_bolt.app"}
