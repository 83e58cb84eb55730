"""The shape of the code, from its own imports (parsed with `ast`, nothing is run).

- No import circles under `bot/`: between files, and between the packages of the project.
- `bot/core` (the engine: normalise, screen, match, compose) imports nothing of the project
  but itself: it is the ground floor every adapter stands on.
- The Discord bot module knows lifecycle, error handling and the list of features to load; it
  imports no feature. Features register themselves (each has `async def setup(bot)`).
Every import counts, also those under `TYPE_CHECKING` or inside a function: a circle for type
hints is still a circle for a reader.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from tests.conftest import REPO

BOT = REPO / "bot"
BOT_MODULE = "bot.discord_app.client"  # FaqBot: lifecycle, errors, the list of features
# What the bot module may import from the Discord package: shared services, not features.
SHARED = {
    "bot.discord_app",
    "bot.discord_app.services",
    "bot.discord_app.render",
    "bot.discord_app.limits",
    "bot.discord_app.metrics",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(BOT.rglob("*.py"))}


def resolve(name: str) -> str | None:
    """The project module an imported name lives in (`bot.x.y.Name` -> `bot.x.y`), or None."""
    while name:
        if name in modules():
            return name
        name = name.rpartition(".")[0]
    return None


@cache
def imports() -> dict[str, frozenset[str]]:
    """Module -> the project modules it imports, anywhere in the file."""
    graph: dict[str, frozenset[str]] = {}
    for module, path in modules().items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                names = [f"{base}.{alias.name}" for alias in node.names] or [base]
            for name in names:
                target = resolve(name)
                if target is not None and target != module:
                    found.add(target)
        graph[module] = frozenset(found)
    return graph


def circles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def package_of(module: str) -> str:
    """`bot.core.engine` -> `bot.core`; a top-level module (`bot.cli`) is its own package."""
    parts = module.split(".")
    return ".".join(parts[:2])


def test_the_import_parser_sees_known_imports() -> None:
    # Guards the test itself: an import parser that saw nothing would pass every rule below.
    assert "bot.core.engine" in imports()["bot.runtime"]
    assert "bot.config" in imports()["bot.discord_app.runner"]


def test_no_import_circles_between_files() -> None:
    assert circles(imports()) == []


def test_no_import_circles_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for module, targets in imports().items():
        graph.setdefault(package_of(module), set()).update(
            package_of(t) for t in targets if package_of(t) != package_of(module)
        )
    assert circles({k: frozenset(v) for k, v in graph.items()}) == []


def test_core_imports_nothing_of_the_project_but_itself() -> None:
    outside = {
        f"{module} -> {target}"
        for module, targets in imports().items()
        if module.startswith("bot.core")
        for target in targets
        if not target.startswith("bot.core")
    }
    assert outside == set()


def test_the_discord_bot_imports_no_feature() -> None:
    features = {
        target
        for target in imports()[BOT_MODULE]
        if target.startswith("bot.discord_app") and target not in SHARED
    }
    assert features == set()
