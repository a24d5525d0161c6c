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


def module_name(path: Path, root: Path) -> str:
    """``bot/answers/engine.py`` → ``bot.answers.engine``; a package's face is the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_arrows(path: Path, name: str, modules: set[str]) -> set[str]:
    """The modules among ``modules`` that ``path`` (module ``name``) names in any import.

    ``from a.b import c`` points at ``a.b.c`` when that is a module, else at ``a.b``; relative
    imports are resolved against the module's package.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    arrows: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            arrows |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    arrows.add(f"{base}.{alias.name}")
                elif base in modules:
                    arrows.add(base)
    arrows.discard(name)
    return arrows


def import_graph(root: Path, package: str = "bot") -> dict[str, set[str]]:
    """Every module under ``root/package`` and the modules of that package it imports."""
    paths = {module_name(p, root): p for p in sorted((root / package).rglob("*.py"))}
    return {name: import_arrows(path, name, set(paths)) for name, path in paths.items()}


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module: each is a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return circles


def test_no_import_circle_between_modules_of_bot() -> None:
    """No two modules of bot/ import each other, however indirectly.

    Every import counts: at the top, inside functions, and under ``if TYPE_CHECKING:``. A
    type-only or deferred import is not a runtime cycle, but it is still an arrow a reader
    follows: a circle of them means neither module can be read, tested or moved without the
    other. What is not counted is the implicit import of a package's ``__init__`` when one of
    its submodules is imported: a package face only hands names on, and counting it would make
    every package with a face a circle.
    """
    graph = import_graph(BOT.parent)
    assert len(graph) > 100  # the walk saw bot/, not an empty folder
    circles = [
        "; ".join(f"{m} imports {sorted(graph[m] & set(circle))}" for m in circle)
        for circle in import_circles(graph)
    ]
    assert circles == []


def test_the_circle_finder_sees_deferred_and_type_only_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "bot" / "pkg"
    pkg.mkdir(parents=True)
    (tmp_path / "bot" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("from bot.pkg.a import A\n")
    (pkg / "a.py").write_text("def f():\n    from . import b\nA = 1\n")
    (pkg / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.pkg.c import C\n"
    )
    (pkg / "c.py").write_text("from bot.pkg import a\nC = 1\n")
    (pkg / "d.py").write_text("import bot.pkg.a\n")  # leans on the circle, is not in it
    graph = import_graph(tmp_path)
    assert graph["bot.pkg.a"] == {"bot.pkg.b"}
    assert graph["bot.pkg"] == {"bot.pkg.a"}
    assert import_circles(graph) == [["bot.pkg.a", "bot.pkg.b", "bot.pkg.c"]]
    (pkg / "c.py").write_text("C = 1\n")
    assert import_circles(import_graph(tmp_path)) == []
