"""The `/interview` subcommands the code answers, read from its source: the words of the `match` in
handlers/commands.py, and the words handlers/digest.py compares `digest`'s next word with. The README and
the manifest's usage_hint are checked against these, so neither can name a subcommand that does not
exist, and the hint cannot leave one out."""

from __future__ import annotations

import ast
import inspect

from handlers import commands, digest


def _strings(pattern: ast.pattern) -> set[str]:
    if isinstance(pattern, ast.MatchValue) and isinstance(pattern.value, ast.Constant):
        return {pattern.value.value} if isinstance(pattern.value.value, str) else set()
    if isinstance(pattern, ast.MatchOr):
        return {word for each in pattern.patterns for word in _strings(each)}
    return set()


def subcommands() -> set[str]:
    """The words `/interview WORD` is answered for (help included), without the empty one."""
    tree = ast.parse(inspect.getsource(commands.answer_subcommand))
    words = {
        word for node in ast.walk(tree) if isinstance(node, ast.match_case) for word in _strings(node.pattern)
    }
    return words - {""}


def digest_verbs() -> set[str]:
    """The words `/interview digest WORD` is answered for."""
    tree = ast.parse(inspect.getsource(digest.digest_command))
    return {
        comparator.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) and node.left.id == "verb"
        for comparator in node.comparators
        if isinstance(comparator, ast.Constant) and isinstance(comparator.value, str) and comparator.value
    }
