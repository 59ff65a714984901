"""The sheet's columns, and the cells that could run as a formula made harmless (and back again)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DEFUSE_MARK = "'"
# Excel needs it to read the file as UTF-8; LibreOffice and Google Sheets take it too.
BOM = "\ufeff"


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
    Column("themes", "themes"),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
HEADERS = tuple(c.header for c in COLUMNS)
REQUIRED = ("account", "date")


def defuse(cell: str) -> str:
    """The cell as a spreadsheet shows it, never runs it: a leading quote before a formula's first character.

    A cell that already starts with the mark before such a character (or before another mark) gets one
    more, so `restore` gives back exactly what was exported.
    """
    if cell.startswith(FORMULA_STARTS) or (
        cell.startswith(DEFUSE_MARK) and cell[1:2] and cell[1:2] in (*FORMULA_STARTS, DEFUSE_MARK)
    ):
        return DEFUSE_MARK + cell
    return cell


def restore(cell: str) -> str:
    """The inverse of `defuse`: a cell read back from an export is the text that was logged."""
    if cell.startswith(DEFUSE_MARK) and cell[1:2] and cell[1:2] in (*FORMULA_STARTS, DEFUSE_MARK):
        return cell[1:]
    return cell


class HeaderError(ValueError):
    """The file's first line does not name the columns the import needs; str(self) says which."""


def _norm(header: str) -> str:
    return " ".join(header.replace("_", " ").replace("-", " ").split()).casefold()


def parse_map(pairs: Sequence[str]) -> dict[str, str]:
    """`--map pains="Pain points"` options as {column key: the file's header}; raises HeaderError."""
    mapping: dict[str, str] = {}
    by_norm = {_norm(c.key): c.key for c in COLUMNS} | {_norm(c.header): c.key for c in COLUMNS}
    for pair in pairs:
        name, sep, header = pair.partition("=")
        key = by_norm.get(_norm(name))
        if not sep or not header.strip():
            raise HeaderError(f'--map {pair}: write it as column=Header, e.g. pains="Pain points"')
        if key is None:
            raise HeaderError(
                f"--map {pair}: there is no column {name!r}; the columns are {', '.join(COLUMN_KEYS)}"
            )
        mapping[key] = header.strip()
    return mapping


def locate_columns(header_row: Sequence[str], mapping: Mapping[str, str] | None = None) -> dict[str, int]:
    """{column key: its position in the file}, from the header row (the export's headers or the column
    keys, in any case, plus --map's). Columns the file lacks are left out; missing required ones raise."""
    mapping = mapping or {}
    positions: dict[str, int] = {}
    found = {_norm(h.removeprefix(BOM)): i for i, h in reversed(list(enumerate(header_row)))}
    for column in COLUMNS:
        wanted = [mapping[column.key]] if column.key in mapping else [column.header, column.key]
        for name in wanted:
            if _norm(name) in found:
                positions[column.key] = found[_norm(name)]
                break
        else:
            if column.key in mapping:
                raise HeaderError(f"--map {column.key}={mapping[column.key]}: the file has no such header")
    missing = [key for key in REQUIRED if key not in positions]
    if missing:
        raise HeaderError(
            f"the first line names no {' and no '.join(missing)} column; name them, or map them with "
            f'--map {missing[0]}="Your header"'
        )
    return positions
