"""The house rules of DESIGN.md's layout, read from the code itself: the product (bot/) never speaks Slack
and never reaches into handlers/; handlers/ speaks Slack and writes no SQL; storage/ is the ground floor;
only the composition root imports both sides. No import circles, no module over 400 lines, no flat module
in bot/ but the runtime's, and a docstring on every package saying what it owns."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE_PACKAGES = ("bot", "handlers", "storage")
MAX_LINES = 400
SLACK_LIBRARIES = ("slack_sdk", "slack_bolt")
# The composition root builds everything once, from both sides; nothing imports it. Of it, only bot.app
# imports both sides: the CLI asks it to serve.
COMPOSITION_ROOT = ("bot.app", "bot.cli", "bot.__main__")
BOTH_SIDES = ("bot.app",)
# The runtime at bot/'s top, beside the product's packages: configuration, logging, errors, text helpers.
RUNTIME = (
    "bot",
    "bot.config",
    "bot.errors",
    "bot.logs",
    "bot.replica",
    "bot.scheduler",
    "bot.text",
    *COMPOSITION_ROOT,
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
    """The package of bot/ a module lives in (bot.themes for bot.themes.grouping), or the module itself."""
    parts = module.split(".")
    package = ".".join(parts[:2])
    is_package = len(parts) > 1 and (ROOT / "bot" / parts[1] / "__init__.py").exists()
    return package if parts[0] == "bot" and is_package else module


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


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def modules_under(*prefixes: str, but: tuple[str, ...] = ()) -> set[str]:
    return {m for m in source_modules() if _under(m, prefixes) and not _under(m, but)}


def _imports(importers: set[str]) -> Iterator[tuple[str, str]]:
    """(where, module of ours it imports) for every module in `importers`."""
    modules = source_modules()
    for name in sorted(importers):
        for target, line in imports_of(modules[name], set(modules)):
            yield f"{modules[name].relative_to(ROOT)}:{line}", target


def _third_party(importers: set[str]) -> Iterator[tuple[str, str]]:
    modules = source_modules()
    for name in sorted(importers):
        path = modules[name]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.module
            elif isinstance(node, ast.Import):
                yield from ((f"{path.relative_to(ROOT)}:{node.lineno}", a.name) for a in node.names)


# bot/ but the one module that wires both sides: never speaking Slack nor reaching into handlers/.
PRODUCT = modules_under("bot", but=BOTH_SIDES)


@pytest.mark.parametrize(
    ("importers", "forbidden"),
    [
        # The product never reaches into the Slack side.
        (PRODUCT, modules_under("handlers")),
        # Storage is the ground floor.
        (modules_under("storage"), modules_under("bot", "handlers")),
        # Block Kit builders are pure: no listener, sender, request guard or Web API call.
        (modules_under("handlers.views"), modules_under("handlers", but=("handlers.views",))),
        # Nothing imports the composition root: it imports everything else.
        (modules_under("bot", "handlers", "storage", but=COMPOSITION_ROOT), modules_under(*COMPOSITION_ROOT)),
    ],
    ids=["product", "storage", "views", "composition root"],
)
def test_data_flows_one_way(importers: set[str], forbidden: set[str]) -> None:
    wrong = [f"{where} imports {target}" for where, target in _imports(importers) if target in forbidden]
    assert wrong == []


def test_the_product_and_storage_never_speak_slack() -> None:
    speaking = [
        f"{where} imports {module}"
        for where, module in _third_party(PRODUCT | modules_under("storage"))
        if _under(module, SLACK_LIBRARIES)
    ]
    assert speaking == []


def test_handlers_write_no_sql() -> None:
    # A handler may name a Session in a signature and hand it to a service; queries live in the services.
    sql = [
        f"{w} imports {m}" for w, m in _third_party(modules_under("handlers")) if _under(m, ("sqlalchemy",))
    ]
    assert [line for line in sql if not line.endswith(" imports sqlalchemy.orm")] == []


def test_bot_has_no_flat_module_but_the_runtime() -> None:
    flat = {
        m
        for m, path in source_modules().items()
        if path.parent == ROOT / "bot" and path.name != "__init__.py"
    }
    assert sorted(flat - set(RUNTIME)) == []


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


# Tests mirror the tree: in each scope, a package's tests sit in a folder named for it (tests/unit/themes/
# for bot/themes/, tests/unit/views/ for handlers/views/), and a scenario is named for the listener module
# whose surface it drives (tests/scenario/test_edit.py for handlers/edit.py). These do not, and say why.
AT_A_SCOPES_TOP = {
    # The runtime at bot/'s top, and handlers/' own top modules.
    "unit/test_app.py",  # handlers/app.py
    "unit/test_deps.py",  # handlers/deps.py
    "unit/test_logs.py",  # bot/logs.py
    "unit/test_scheduler.py",  # bot/scheduler.py
    "unit/test_config.py",  # bot/config.py
    "unit/test_text.py",  # bot/text.py
    # The house itself: its layout, the Slack app's manifest, the README, the fake Slack every scenario uses.
    "unit/test_layout.py",
    "unit/test_manifest.py",
    "unit/test_readme.py",
    "unit/test_fake_slack.py",
    "storage/test_databases.py",  # the database every storage and scenario test gets
    # How it is installed: scripts/, the Docker image and the compose file.
    "unit/test_install.py",
}
SCENARIOS_ACROSS_SURFACES = {
    "test_account_timeline",  # an account's history, shown by search, reminders' prep notes and Home
    "test_bad_input",  # hostile typed text on every surface
    "test_big_submission",  # a log and an edit at the modal's limits
    "test_cli",  # the console script (bot/cli/)
    "test_cli_output",  # what every verb says of itself: its database, migrations, .env, dry runs
    "test_demo",  # ./scripts/demo: the sample imported, its digest and chart, as a newcomer sees them
    "test_cli_workspaces",  # `teams`, and every verb's --team checked against the database
    "test_exchange_cli",  # export and import from the command line
    "test_accounts_cli",  # `accounts import` and `accounts export` from the command line
    "test_study_cli",  # `study sheet` from the command line
    "test_cli_digest_rank",  # `digest preview --rank arr` from the command line
    "test_failures",  # Slack failing under every surface
    "test_forged_redraws",  # forged ids in every redraw
    "test_forged_response_url",
    "test_forget",  # forgetting an account (delete's admin form)
    "test_front_door",  # the request guard (handlers/requests/)
    "test_theme_topics",  # topics on the themes list, in search results and on the Home tab
    "test_fuzz",
    "test_outage",  # the database going away under every surface
    "test_outbox",  # the outbox's sender (handlers/senders/outbox.py)
    "test_permissions",  # who may do what, on every surface
    "test_reminder_hours",  # reminders' sender and the person's working hours
    "test_reminder_owner",
    "test_owner_summary",  # calls logged in the log modal, told to their accounts' owner on the next tick
    "test_send_races",  # senders racing edits and deletions
    "test_server",  # the HTTP server (handlers/requests/server.py)
    "test_slack_refusals",
    "test_socket_mode",
    "test_study_loop",  # a study where the loop meets it: prep DMs, summary reminders, the digest
    "test_theme_look_alikes",
    "test_theme_paraphrases",
    "test_theme_status",  # a theme's status: set on the themes list, shown wherever the theme is
    "test_close_the_loop",  # a shipped theme: the themes list, the loop's planner, reminders, the digest
    "test_undelivered_told",
}


def _packages() -> set[str]:
    """The last word of every package of bot/ and handlers/ (bot/themes/upkeep/ gives "upkeep")."""
    return {
        path.parent.name
        for package in ("bot", "handlers")
        for path in (ROOT / package).rglob("__init__.py")
        if path.parent != ROOT / package
    }


def test_tests_mirror_the_tree() -> None:
    tests, packages = ROOT / "tests", _packages()
    listeners = {path.stem for path in (ROOT / "handlers").glob("*.py")}
    astray = []
    for scope in ("unit", "storage"):
        for path in sorted((tests / scope).rglob("test_*.py")):
            where = path.relative_to(tests)
            if path.parent == tests / scope:
                astray += [] if str(where) in AT_A_SCOPES_TOP else [str(where)]
            elif path.parent.name not in packages:
                astray.append(str(where))
    for path in sorted((tests / "scenario").glob("test_*.py")):
        named_for = path.stem.removeprefix("test_")
        if named_for not in listeners and path.stem not in SCENARIOS_ACROSS_SURFACES:
            astray.append(str(path.relative_to(tests)))
    assert astray == []


def test_the_readme_names_every_folder_of_the_tree_once() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## How the code is laid out", 1)[1].split("```")[1]
    named = [line.split()[0] for line in section.splitlines() if line.strip()]
    folders = sorted(
        f"{path.parent.relative_to(ROOT)}/"
        for package in SOURCE_PACKAGES
        for path in (ROOT / package).rglob("__init__.py")
    )
    assert sorted(n for n in named if n.split("/")[0] in SOURCE_PACKAGES) == folders
    assert [n for n in named if not (ROOT / n).is_dir()] == []
