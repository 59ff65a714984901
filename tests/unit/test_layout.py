"""The house rules of DESIGN.md's layout, read from the code itself: no import circles, data flowing one
way (storage ← domain packages ← handlers ← the platform that wires them), no module over 400 lines,
and a docstring on every package saying what it owns."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE_PACKAGES = ("bot", "handlers", "storage")
MAX_LINES = 400
# bot/<word>/: the parts of the loop. They hold services and nothing of the platform that wires them.
DOMAIN_PACKAGES = ("bot.accounts", "bot.capture", "bot.followups", "bot.outbox", "bot.search", "bot.themes")
# The composition root: built from handlers and services, never imported by them.
WIRING = (
    "bot.app",
    "bot.cli",
    "handlers.requests.server",
    "bot.scheduler",
    "handlers.senders",
    "bot.__main__",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in SOURCE_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def imports_of(path: Path, known: set[str]) -> Iterator[tuple[str, int]]:
    """Every module of ours that `path` imports, anywhere in it (a lazy import inside a function still
    ties the two modules together), with the line it is on."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # `from bot.themes import grouping` imports the module bot.themes.grouping.
            names = [
                f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                yield name, node.lineno


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        # A package's __init__ is imported with each of its modules; it is not a step in a circle.
        graph[name] = {target for target, _ in imports_of(path, known) if target != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle in the graph, as the list of nodes that walk it (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def room_of(module: str) -> str:
    """The domain package a module lives in, or the module itself for the platform."""
    return next((p for p in DOMAIN_PACKAGES if module == p or module.startswith(p + ".")), module)


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    rooms: dict[str, set[str]] = {}
    for source, targets in graph.items():
        rooms.setdefault(room_of(source), set()).update(
            room_of(t) for t in targets if room_of(t) != room_of(source)
        )
    return rooms


def test_find_cycle_names_a_circle_and_passes_a_tree() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"x": {"y"}, "y": {"y2"}, "y2": {"y"}}) == ["y", "y2", "y"]


def test_imports_of_resolves_submodules_lazy_and_type_only_imports(tmp_path: Path) -> None:
    code = tmp_path / "m.py"
    code.write_text(
        "from typing import TYPE_CHECKING\nfrom bot.themes import grouping\n"
        "def f():\n    from bot.text import clean_text\n"
        "if TYPE_CHECKING:\n    from bot.app import build_app\n"
    )
    known = {"bot.themes", "bot.themes.grouping", "bot.text", "bot.app"}
    found = {name for name, _ in imports_of(code, known)}
    # A type-only import still ties two modules together: it counts.
    assert found == {"bot.themes.grouping", "bot.text", "bot.app"}


def test_no_module_imports_itself_back() -> None:
    cycle = find_cycle(import_graph(source_modules()))
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_no_circle_between_the_domain_packages() -> None:
    cycle = find_cycle(package_graph(import_graph(source_modules())))
    assert cycle is None, "circle between packages: " + " -> ".join(cycle or [])


def _imports(prefixes: tuple[str, ...]) -> Iterator[tuple[str, str, int]]:
    modules = source_modules()
    for name, path in modules.items():
        if name.startswith(prefixes):
            for target, line in imports_of(path, set(modules)):
                yield f"{path.relative_to(ROOT)}:{line}", target, line


@pytest.mark.parametrize(
    ("importers", "forbidden"),
    [
        # Services know nothing of Slack surfaces nor of the wiring.
        (DOMAIN_PACKAGES, ("handlers", *WIRING)),
        # Storage is the bottom floor.
        (("storage",), ("bot", "handlers")),
        # Block Kit builders are pure: no handler, no wiring.
        (("handlers.views",), ("handlers.commands", "handlers.log_modal", "handlers.reminders", *WIRING)),
        # Handlers are wired by the app, never the other way round.
        (("handlers",), WIRING),
    ],
)
def test_data_flows_one_way(importers: tuple[str, ...], forbidden: tuple[str, ...]) -> None:
    wrong = [
        f"{where} imports {target}"
        for where, target, _ in _imports(importers)
        if any(target == f or target.startswith(f + ".") for f in forbidden)
    ]
    assert wrong == []


def _third_party(prefixes: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    for name, path in source_modules().items():
        if not name.startswith(prefixes):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.module
            elif isinstance(node, ast.Import):
                yield from ((f"{path.relative_to(ROOT)}:{node.lineno}", a.name) for a in node.names)


def test_storage_knows_nothing_of_slack_and_handlers_write_no_sql() -> None:
    slack_in_storage = [w for w, m in _third_party(("storage",)) if m.startswith(("slack_sdk", "slack_bolt"))]
    # Handlers may name a Session in a signature; queries live in the services.
    sql_in_handlers = [
        w for w, m in _third_party(("handlers",)) if m.startswith("sqlalchemy") and m != "sqlalchemy.orm"
    ]
    assert slack_in_storage == []
    assert sql_in_handlers == []


def test_no_module_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in source_modules().values()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_package_says_what_it_owns() -> None:
    silent = [
        str(path.relative_to(ROOT))
        for name, path in source_modules().items()
        if path.name == "__init__.py" and not ast.get_docstring(ast.parse(path.read_text()))
    ]
    assert silent == []
