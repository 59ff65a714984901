"""The README shows only what exists, and shows all of it: each line of its ```sh blocks is read as a shell
would read it, and every `./scripts/X` it runs must be there and executable, every `interview-bot` line
must parse with the real argument parser (so a verb or an option that does not exist fails here), and
every `/interview WORD` it names must be a subcommand the code answers. The other way round, every
subcommand and every verb of the code is shown. Links to a section, in the README or in
benchmarks/README.md, must reach a heading."""

from __future__ import annotations

import argparse
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli.main import build_parser
from tests.support.subcommands import digest_verbs, subcommands

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

# Verbs of DESIGN.md's contract that the README documents before the parser has them: each line that runs
# one is reported as an expected failure naming it, until the verb lands; then the line must parse, and
# the verb must leave this list (the test says so).
# Verbs of DESIGN.md's contract the README may name before bot/cli/ has them (reported, not passed).
PENDING_VERBS: dict[str, str] = {}
ENV_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
REDIRECTIONS = {">", ">>", "<", ">|", "&>"}
SEPARATORS = {"|", "||", "&&", ";", "&"}
# `/interview WORD` and, after `digest`, its next word; placeholders (ACCOUNT, TEXT) are in capitals. Not
# a path that ends in /interview (postgresql+psycopg://…:5432/interview).
SLASH = re.compile(r"(?<![\w/:.])/interview(?: +([a-z]+))?(?: +([a-z]+))?")


@dataclass(frozen=True)
class Line:
    number: int  # in the README, 1-based: where a failure points
    text: str
    argv: tuple[str, ...]  # one simple command: env assignments and redirections dropped

    def __str__(self) -> str:
        return f"README.md:{self.number}: {self.text}"

    @property
    def id(self) -> str:
        return f"{self.number}:{' '.join(self.argv[:3])}"


def sh_lines(text: str) -> list[tuple[int, str]]:
    """The lines of the ```sh blocks, a line ending in a backslash joined to the next."""
    lines: list[tuple[int, str]] = []
    inside, pending, start = False, "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith("```"):
            inside = line.strip() == "```sh" if not inside else False
            continue
        if not inside:
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        lines.append((start, pending + line))
        pending = ""
    return lines


def simple_commands(line: str) -> list[list[str]]:
    """The simple commands of a shell line, without comments, env assignments and redirections."""
    lexer = shlex.shlex(re.sub(r"\b\d>", ">", line), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    tokens = iter(list(lexer))
    for token in tokens:
        if token in SEPARATORS:
            commands.append([])
        elif token in REDIRECTIONS:
            next(tokens, None)  # and its file
        elif not commands[-1] and ENV_ASSIGNMENT.match(token):
            continue
        else:
            commands[-1].append(token)
    return [c for c in commands if c and c[0] not in ("export", ".", "source")]


def readme_commands(text: str) -> list[Line]:
    return [
        Line(number, line.strip(), tuple(argv))
        for number, line in sh_lines(text)
        for argv in simple_commands(line)
    ]


def script_verb(script: Path) -> str | None:
    """The verb a script hands its arguments to (`exec .venv/bin/interview-bot demo "$@"`), if it does."""
    found = re.search(r'exec \.venv/bin/interview-bot (\w+) "\$@"', script.read_text())
    return found.group(1) if found else None


def cli_argv(argv: tuple[str, ...]) -> list[str] | None:
    """The arguments a README line gives the parser, or None when it does not run the CLI."""
    program = argv[0]
    if program == ".venv/bin/interview-bot":
        return list(argv[1:])
    if program.startswith("./scripts/"):
        verb = script_verb(ROOT / program)
        return [verb, *argv[1:]] if verb else None
    return None


def verbs(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every verb path of the parser: ("run",), ("themes", "rebuild"), …"""
    paths: set[tuple[str, ...]] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                inner = verbs(sub, (*prefix, name))
                paths |= inner or {(*prefix, name)}
    return paths


def parse(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str | None:
    """None when the parser takes argv, else what it said."""
    try:
        build_parser().parse_args(argv)
    except SystemExit as exit_:
        said = capsys.readouterr().err.strip()
        return said or f"exit status {exit_.code}"
    return None


TEXT = README.read_text()
COMMANDS = readme_commands(TEXT)
CLI_LINES = [line for line in COMMANDS if cli_argv(line.argv) is not None]
SCRIPT_LINES = [line for line in COMMANDS if line.argv[0].startswith("./scripts/")]


def test_the_readme_shows_commands_to_check() -> None:
    # The extraction itself: the three Quick start commands and the CLI are found, env and redirections gone.
    assert {line.argv[0] for line in SCRIPT_LINES} >= {"./scripts/run", "./scripts/test", "./scripts/demo"}
    export = next(line for line in CLI_LINES if "export" in line.argv and "demo.db" in line.text)
    assert export.argv == (".venv/bin/interview-bot", "export", "--team", "T0DEMO")


@pytest.mark.parametrize("line", SCRIPT_LINES, ids=lambda line: line.id)
def test_every_script_shown_is_there_and_executable(line: Line) -> None:
    script = ROOT / line.argv[0]
    assert script.is_file(), f"{line}: no {line.argv[0]} in the repository"
    assert os.access(script, os.X_OK), f"{line}: {line.argv[0]} is not executable (chmod +x)"


@pytest.mark.parametrize("line", CLI_LINES, ids=lambda line: line.id)
def test_every_cli_line_parses(line: Line, capsys: pytest.CaptureFixture[str]) -> None:
    argv = cli_argv(line.argv)
    assert argv is not None
    known = {path[0] for path in verbs(build_parser())}
    verb = argv[0] if argv else ""
    if verb in PENDING_VERBS:
        if verb not in known:
            pytest.xfail(f"{line}: {PENDING_VERBS[verb]}")
        pytest.fail(f"`{verb}` is in the parser now: take it out of PENDING_VERBS in {Path(__file__).name}")
    said = parse(argv, capsys)
    assert said is None, f"{line}: the parser refuses it: {said}"


def test_no_line_runs_a_command_a_new_shell_cannot_find() -> None:
    # `interview-bot` alone is only on PATH in a shell that activated the venv: the README names its path.
    bare = [str(line) for line in COMMANDS if line.argv[0] in ("interview-bot", "pytest")]
    assert bare == [], "write .venv/bin/interview-bot (or .venv/bin/pytest)"


def test_benchmarks_and_tests_named_in_commands_are_there() -> None:
    missing = []
    for line in COMMANDS:
        argv = list(line.argv)
        if "-m" in argv and argv[argv.index("-m") + 1 :][:1]:
            module = argv[argv.index("-m") + 1]
            if module.startswith("benchmarks.") and not (ROOT / (module.replace(".", "/") + ".py")).is_file():
                missing.append(f"{line}: no module {module}")
        paths = [arg for arg in argv if arg.startswith("tests/")]
        missing += [f"{line}: no {path}" for path in paths if not (ROOT / path).exists()]
    assert missing == []


def test_every_cli_verb_is_shown() -> None:
    shown = set()
    for line in CLI_LINES:
        argv = cli_argv(line.argv) or []
        shown |= {tuple(argv[:n]) for n in (1, 2)}
    assert sorted(verbs(build_parser()) - shown) == []


def test_every_slash_subcommand_named_exists_and_every_one_is_named() -> None:
    named = {m.group(1) for m in SLASH.finditer(TEXT) if m.group(1)}
    assert named - subcommands() == set(), "the README names /interview subcommands the bot does not answer"
    assert subcommands() - named == set(), "subcommands the README does not show"
    digest = {m.group(2) for m in SLASH.finditer(TEXT) if m.group(1) == "digest" and m.group(2)}
    assert digest - digest_verbs() == set(), (
        "the README names `/interview digest` words the bot does not know"
    )
    assert digest_verbs() - digest == set()


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    outside = re.sub(r"```.*?```", "", text, flags=re.S)  # a `# comment` in a code block is no heading
    return {slug(m.group(1)) for m in re.finditer(r"^#+ (.+)$", outside, flags=re.M)}


def test_every_section_link_reaches_a_heading() -> None:
    benchmarks = (ROOT / "benchmarks" / "README.md").read_text()
    targets = {"": anchors(TEXT), "benchmarks/README.md": anchors(benchmarks)}
    broken = [
        f"{page}#{anchor}"
        for page, anchor in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)", TEXT)
        if anchor not in targets.get(page, {anchor})
    ]
    assert broken == []
