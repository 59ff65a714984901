"""`.env`: the settings file every verb reads from the current directory, as `./scripts/run` reads it at
the top of the repo. KEY=value lines (an `export ` before them, blank lines and # comments allowed; a
value may be quoted); a variable set in the environment wins over the file's."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.config import ConfigError

ENV_FILE = Path(".env")

_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)")
# After an unquoted value, as in a shell: a # after a space starts a comment.
_COMMENT = re.compile(r"\s+#.*$")


def _value(raw: str) -> str | None:
    """The value as the shell would read it (without expanding $VARS), or None when a quote is unclosed."""
    raw = raw.strip()
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        end = raw.find(quote, 1) if quote == "'" else _closing_double_quote(raw)
        if end == -1 or _COMMENT.sub("", raw[end + 1 :]).strip():
            return None
        inner = raw[1:end]
        return inner if quote == "'" else re.sub(r'\\([\\"$`])', r"\1", inner)
    return _COMMENT.sub("", raw)


def _closing_double_quote(raw: str) -> int:
    i = 1
    while i < len(raw):
        if raw[i] == "\\":
            i += 2
            continue
        if raw[i] == '"':
            return i
        i += 1
    return -1


def read_env_file(path: Path = ENV_FILE) -> dict[str, str]:
    """The file's settings, in order; none when there is no file. A line that is not a setting is a
    ConfigError naming its number (not its text, which may hold a secret)."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise ConfigError(f"{path} cannot be read ({reason}); fix it or remove it.") from None
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        value = _value(match.group(2)) if match else None
        if match is None or value is None:
            raise ConfigError(f"{path} line {number} is not a KEY=value setting; fix it or remove it.")
        found[match.group(1)] = value
    return found


@contextmanager
def env_file_applied(path: Path = ENV_FILE) -> Iterator[dict[str, str]]:
    """The file's settings in the environment while the block runs, each where the environment has none
    of its own; yields those it added. Taken out again after, so that a process running several commands
    (a test, a script) gets each one's own."""
    added = {key: value for key, value in read_env_file(path).items() if key not in os.environ}
    os.environ.update(added)
    try:
        yield added
    finally:
        for key, value in added.items():
            if os.environ.get(key) == value:
                del os.environ[key]
