"""The sheet's columns, and the cells that could run as a formula made harmless (and back again)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# The cells that could run as a formula are made harmless in bot.text (a study's sheet does the same).
from bot.text import BOM, defuse, restore, shown  # noqa: F401


@dataclass(frozen=True)
class Column:
    key: str  # what --map names it by
    header: str  # the export's header


COLUMNS: tuple[Column, ...] = (
    Column("account", "account"),
    Column("date", "date"),
    Column("kind", "kind"),
    Column("who", "who"),
    Column("contact", "contact"),
    Column("role", "role"),
    Column("goal", "goal"),
    Column("pains", "pains"),
    Column("requests", "requests"),
    Column("quotes", "what they said"),
    Column("interpretation", "what we heard"),
    Column("closing_answer", "closing answer"),
    Column("notes", "notes"),
    Column("follow_ups", "follow-ups"),
    # The study it was logged into (its name), and its answers to the study's points, one per line:
    # "point: supports: what they said" (bot/exchange/studies.py says why one column holds them all).
    Column("study", "study"),
    Column("study_answers", "study answers"),
    # Where each line went, aligned line by line with `pains` and `requests` ("topic › theme", empty for
    # a line in no theme): the export's own, for checking the grouping in a spreadsheet; an import
    # ignores them and regroups.
    Column("pain_themes", "pain themes"),
    Column("request_themes", "request themes"),
)
EXPORT_ONLY = ("pain_themes", "request_themes")
# Headers of the export's own columns in sheets exported before (one "themes" column): read as nothing,
# without a warning.
FORMER_HEADERS = ("themes",)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
HEADERS = tuple(c.header for c in COLUMNS)
REQUIRED = ("account", "date")


class HeaderError(ValueError):
    """The file's first line does not name the columns the import needs; str(self) says which."""


def _norm(header: str) -> str:
    return " ".join(header.replace("_", " ").replace("-", " ").split()).casefold()


def parse_map(pairs: Sequence[str], *, columns: Sequence[Column] = COLUMNS) -> dict[str, str]:
    """`--map pains="Pain points"` options as {column key: the file's header}; raises HeaderError.
    `columns`: another sheet's (the accounts')."""
    mapping: dict[str, str] = {}
    by_norm = {_norm(c.key): c.key for c in columns} | {_norm(c.header): c.key for c in columns}
    for pair in pairs:
        name, sep, header = pair.partition("=")
        key = by_norm.get(_norm(name))
        if not sep or not header.strip():
            raise HeaderError(f'--map {pair}: write it as column=Header, e.g. pains="Pain points"')
        if key is None:
            raise HeaderError(
                f"--map {pair}: there is no column {name!r}; the columns are "
                f"{', '.join(c.key for c in columns)}"
            )
        mapping[key] = header.strip()
    return mapping


def locate_columns(
    header_row: Sequence[str],
    mapping: Mapping[str, str] | None = None,
    *,
    columns: Sequence[Column] = COLUMNS,
    required: Sequence[str] = REQUIRED,
) -> dict[str, int]:
    """{column key: its position in the file}, from the header row (the export's headers or the column
    keys, in any case, plus --map's). Columns the file lacks are left out; missing required ones raise.
    `columns` and `required`: another sheet's (the accounts')."""
    mapping = mapping or {}
    positions: dict[str, int] = {}
    found = {_norm(h.removeprefix(BOM)): i for i, h in reversed(list(enumerate(header_row)))}
    for column in columns:
        wanted = [mapping[column.key]] if column.key in mapping else [column.header, column.key]
        for name in wanted:
            if _norm(name) in found:
                positions[column.key] = found[_norm(name)]
                break
        else:
            if column.key in mapping:
                raise HeaderError(f"--map {column.key}={mapping[column.key]}: the file has no such header")
    missing = [key for key in required if key not in positions]
    if missing:
        raise HeaderError(
            f"the first line names no {' and no '.join(missing)} column; name them, or map them with "
            f'--map {missing[0]}="Your header"'
        )
    return positions


def named_width(header_row: Sequence[str]) -> int:
    """How many columns the header names: up to its last cell with a name (spreadsheets often save empty
    ones after it)."""
    return max((at + 1 for at, name in enumerate(header_row) if name.strip()), default=0)


def _closest(header: str, keys: Sequence[str]) -> str | None:
    """The column among `keys` the header most likely means ("Pain points": pains), if one is close."""
    names = {_norm(c.header): c.key for c in COLUMNS if c.key in keys} | {
        _norm(c.key): c.key for c in COLUMNS if c.key in keys
    }
    for word in (_norm(header), *re.split(r"\W+", _norm(header))):
        match = difflib.get_close_matches(word, names, n=1, cutoff=0.75)
        if match:
            return names[match[0]]
    return None


def header_warnings(header_row: Sequence[str], positions: Mapping[str, int]) -> list[str]:
    """What the import will leave out, one line each: columns it does not read (with the --map that would
    read one, when a column the file lacks is close to its header), and a sheet with no pains column."""
    read = {at: key for key, at in positions.items()}
    # What a --map could still read (the theme columns are the export's own: an import regroups).
    lacking = [c.key for c in COLUMNS if c.key not in positions and c.key not in EXPORT_ONLY]
    warnings = []
    pains_map = '--map pains="Its header"'
    for at, header in enumerate(header_row[: named_width(header_row)]):
        name = header.removeprefix(BOM)
        if at in read:
            continue
        if not name.strip():
            warnings.append(f"column {at + 1} has no header: what is under it is left out")
            continue
        if _norm(name) in FORMER_HEADERS:
            continue
        twin = next((i for i in read if _norm(header_row[i].removeprefix(BOM)) == _norm(name)), None)
        if twin is not None:
            warnings.append(
                f"column {at + 1} {shown(name)} has the same header as column {twin + 1}: it is left out"
            )
            continue
        close = _closest(name, lacking)
        if close == "pains":
            pains_map = f"--map pains={shown(name, 80)}"
        how = (
            f"to read it as {close}: --map {close}={shown(name, 80)}"
            if close
            else f"--map COLUMN={shown(name, 80)} reads it as one of {', '.join(lacking)}"
        )
        warnings.append(f"column {at + 1} {shown(name)} is not one the import knows: it is left out ({how})")
    if "pains" not in positions:
        warnings.append(
            "the sheet has NO PAINS COLUMN: its interviews come in without pains, so none of them reach "
            f"themes or the digest (if a column holds them: {pains_map})"
        )
    return warnings
