"""A study's sheet as files: the CSV (one row per account, one column per validation point, each point's
tally below), and the matrix picture with its alt text (bot/studies/matrix.py draws it; its functions are
named here too, so the sheet's outputs are found in one place).

The CSV follows the export's rules (bot/exchange): UTF-8 with a BOM, the csv module's default dialect,
and every cell that a spreadsheet would run as a formula defused.
"""

from __future__ import annotations

import csv
import io

from bot.studies.matrix import WORDS, matrix_figure, matrix_png
from bot.studies.sheet import MARKS, SPOKEN, THIN_BELOW, Point, Said, Sheet
from bot.text import BOM, counted, defuse

__all__ = ["cell_text", "flags", "matrix_alt_text", "matrix_figure", "matrix_png", "sheet_csv"]

ALT_TEXT_MAX = 1000  # Slack's limit for a file's alt text
DISAGREE = "accounts disagree"
# A point's text shortened below this says too little: the alt text leaves it out instead.
TEXT_AT_LEAST = 12
# The tallies said in full only while each point's text keeps this much; else in fewer words.
KEPT_WITH_FULL_TALLIES = 40
THIN = f"thin evidence (fewer than {THIN_BELOW} accounts)"
# The tally rows under the matrix, after an empty row: what the first cell says, and each point's value.
TALLY_ROWS = (
    ("supported by", lambda p: str(p.supports)),
    ("contradicted by", lambda p: str(p.contradicts)),
    ("mixed for", lambda p: str(p.mixed)),
    ("not discussed by", lambda p: str(p.not_discussed)),
    ("tally", lambda p: p.tally()),
    ("flags", lambda p: "; ".join(flags(p))),
)


def cell_text(said: Said | None) -> str:
    """A cell as words: "✓ supports: their words", "✗ contradicts", or empty (not discussed)."""
    if said is None or said.answer not in SPOKEN:
        return ""
    words = f"{MARKS[said.answer]} {WORDS[said.answer]}"
    return f"{words}: {said.evidence}" if said.evidence else words


def flags(point: Point) -> list[str]:
    """Why a point needs a second look: accounts disagree on it, or too few have spoken to it."""
    return [f for f, on in ((DISAGREE, point.disagree), (THIN, point.thin)) if on]


def sheet_csv(sheet: Sheet) -> str:
    """The sheet as CSV text (with its BOM): a header (account, interviews, then each point's text), a row
    per account with its cells, an empty row, then each point's tally, one row per count."""
    out = io.StringIO(newline="")
    out.write(BOM)
    writer = csv.writer(out)
    rows = [["account", "interviews", *(p.text for p in sheet.points)]]
    rows += [[row.account, str(row.interviews), *(cell_text(c) for c in row.cells)] for row in sheet.rows]
    rows.append([])
    rows += [[label, "", *(value(p) for p in sheet.points)] for label, value in TALLY_ROWS]
    writer.writerows([defuse(cell) for cell in row] for row in rows)
    return out.getvalue()


def matrix_alt_text(sheet: Sheet) -> str:
    """What the matrix shows, in words, within Slack's limit for a file's alt text: each point's tally
    ("P1 Teams re-key deals by hand: supported by 5 of 8 accounts, contradicted by 2, not discussed by 1"),
    the points accounts disagree on and those with thin evidence. On a long sheet the tallies are said in
    fewer words, then the longest point texts are shortened (or, with no room at all, left out) before
    anything is cut."""
    points = sheet.points
    if not sheet.rows:
        return (
            f"The study “{sheet.name}” has no interviews yet: its {counted(len(points), 'validation point')} "
            "have no answers."
        )
    head = (
        f"Sheet of the study “{sheet.name}”{' (closed)' if sheet.closed else ''}: "
        f"{counted(sheet.interviews, 'interview')} with {counted(len(sheet.rows), 'account')} (rows), "
        f"{counted(len(points), 'validation point')} (columns)."
    )
    tail = _flagged("Accounts disagree on", [p.disagree for p in points]) + _flagged(
        f"Too little evidence (fewer than {THIN_BELOW} accounts) on", [p.thin for p in points]
    )
    for short, at_least in ((False, KEPT_WITH_FULL_TALLIES), (True, TEXT_AT_LEAST)):
        tallies = [_short_tally(p) if short else p.tally() for p in points]
        room = (
            ALT_TEXT_MAX - len(head) - len(tail) - sum(len(f" P{n} : {t}.") for n, t in enumerate(tallies, 1))
        )
        texts = _fitted([p.text for p in points], room, at_least)
        if texts is None and not short:
            continue  # shorter tallies leave the texts more room
        said = " ".join(
            f"P{n}{' ' + text if text else ''}: {t}."
            for n, (text, t) in enumerate(zip(texts or [""] * len(points), tallies, strict=True), 1)
        )
        alt = f"{head} {said}{tail}"
        if len(alt) <= ALT_TEXT_MAX:
            return alt
    return alt[: ALT_TEXT_MAX - 1] + "…"


def _flagged(words: str, flagged: list[bool]) -> str:
    named = [f"P{n}" for n, on in enumerate(flagged, 1) if on]
    if not named:
        return ""
    return f" {words} {'every point' if len(named) == len(flagged) > 1 else ', '.join(named)}."


def _fitted(texts: list[str], room: int, at_least: int) -> list[str] | None:
    """The texts within `room` characters in all, the longest shortened first; None when one would keep
    fewer than `at_least` characters (or all of it, if shorter)."""
    if sum(min(len(t), at_least) for t in texts) > room:
        return None
    limits: dict[int, int] = {}
    for done, at in enumerate(sorted(range(len(texts)), key=lambda i: len(texts[i]))):
        limits[at] = min(len(texts[at]), room // (len(texts) - done))
        room -= limits[at]
    return [_cut(text, limits[at]) for at, text in enumerate(texts)]


def _short_tally(point: Point) -> str:
    """ "5 support, 2 contradict, 1 not discussed": the tally in fewer words, for a long sheet (the head
    says of how many accounts)."""
    mixed = f", {point.mixed} mixed" if point.mixed else ""
    said = f"{point.supports} support, {point.contradicts} contradict{mixed}"
    return f"{said}, {point.not_discussed} not discussed"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
