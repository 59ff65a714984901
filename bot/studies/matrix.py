"""The sheet's matrix as a picture: accounts as rows, validation points as columns (P1, P2 … on the axis,
a key below with each point's words and counts), each cell coloured and marked ✓ ✗ ~ (empty: not
discussed). The mark carries the meaning, the colour only helps (Okabe-Ito colours, told apart with any
common colour blindness); columns where accounts disagree or too few have spoken are flagged above the
column in words. A sheet with no interviews yet is a picture that says so, not an empty grid.

Built like the digest's chart (bot/digest/chart.py): matplotlib's Figure on the Agg backend, no pyplot,
one figure per call; `matrix_figure` returns it so tests read what it draws without looking at pixels.
Everything is placed in inches from the sheet's shape, so 20 accounts × 12 points stay readable. Typed
text is drawn as typed (`parse_math=False`: a `$` is never read as a formula).
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

from bot.studies.sheet import MARKS, THIN_BELOW, Point, Row, Sheet
from bot.text import counted
from storage.models import Answer

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.markers import MarkerStyle

DPI = 110
CELL_W, CELL_H = 0.55, 0.3  # a cell, in inches
LABEL_W = 2.1  # room left of the grid for an account's name
NAME_CHARS = 28  # an account's name beside its row, cut with an ellipsis past this
MIN_WIDTH = 7.0
MARGIN = 0.3
HEAD = 1.6  # title, counts and the key of marks, above the grid's column labels
SUBTITLE_LINE = 0.19  # each line of the counts past the first
COLUMN_HEAD = 0.45  # the flags and P1 … above the grid
KEY_FONT = 8
MARK_SIZE = 11  # a cell's mark, in points
KEY_LINE = 0.16  # a line of the key, in inches
KEY_LINES = 2  # lines of a point's words in the key; longer ones end with an ellipsis
# Past this many accounts the grid shows those with the most interviews and says so; the CSV has all.
ROWS_MAX = 60
# Okabe-Ito bluish green, vermillion and orange; the mark's colour keeps it readable on each.
COLOURS = {Answer.SUPPORTS: "#009E73", Answer.CONTRADICTS: "#D55E00", Answer.MIXED: "#E69F00"}
MARK_COLOURS = {Answer.SUPPORTS: "white", Answer.CONTRADICTS: "white", Answer.MIXED: "black"}
BLANK = "#EFEFEF"
WORDS = {Answer.SUPPORTS: "supports", Answer.CONTRADICTS: "contradicts", Answer.MIXED: "mixed"}
SPLIT, THIN = "split", "thin"  # the flags above a column
FLAGS_KEY = (
    f"{SPLIT}: accounts disagree (some support, some contradict)   ·   "
    f"{THIN}: fewer than {THIN_BELOW} accounts have spoken to it"
)


def matrix_png(sheet: Sheet) -> bytes:
    """The matrix as a PNG."""
    out = io.BytesIO()
    matrix_figure(sheet).savefig(out, format="png")
    return out.getvalue()


def matrix_figure(sheet: Sheet) -> Figure:
    """The matrix's figure; with no interview yet, a picture that says so and lists the points."""
    from matplotlib.figure import Figure  # imported here: loading matplotlib takes a while

    points = sheet.points
    rows, hidden = shown_rows(sheet.rows)
    chars = key_chars(_width(len(points)))
    key = [key_line(n, p, len(sheet.rows), chars) for n, p in enumerate(points, 1)]
    key_height = sum(k.count("\n") + 1 for k in key) * KEY_LINE + 0.1 * len(key)
    if not rows:
        height = 1.7 + key_height + MARGIN
        figure = Figure(figsize=(_width(0), height), dpi=DPI)
        _nothing(figure, sheet, key, height)
        return figure
    grid = len(rows) * CELL_H
    subtitle = _subtitle(sheet, hidden)
    head = HEAD + SUBTITLE_LINE * (len(subtitle) - 1)
    height = head + COLUMN_HEAD + grid + 0.35 + key_height + MARGIN
    width = _width(len(points))
    figure = Figure(figsize=(width, height), dpi=DPI)
    _head(figure, sheet.name, subtitle, top=height, bottom=height - head)
    left = (width - LABEL_W - len(points) * CELL_W) / 2 + LABEL_W
    bottom = height - head - COLUMN_HEAD - grid
    axes = figure.add_axes(
        (left / width, bottom / height, len(points) * CELL_W / width, grid / height), gid="matrix"
    )
    _grid(axes, rows, points)
    _key(figure, key, top=bottom - 0.35)
    return figure


def shown_rows(rows: tuple[Row, ...]) -> tuple[list[Row], int]:
    """The rows the grid has room for (by name, as the sheet orders them) and how many are left out:
    past ROWS_MAX accounts, those with the most interviews stay."""
    if len(rows) <= ROWS_MAX:
        return list(rows), 0
    kept = {id(r) for r in sorted(rows, key=lambda r: -r.interviews)[:ROWS_MAX]}
    return [r for r in rows if id(r) in kept], len(rows) - ROWS_MAX


def key_chars(width: float) -> int:
    """Characters of the key on a line of a figure this wide (DejaVu Sans at KEY_FONT, generously)."""
    return int((width - 2 * MARGIN) * 72 / (KEY_FONT * 0.55))


def key_line(n: int, point: Point, accounts: int, chars: int) -> str:
    """ "P1: Teams re-key deals by hand  (✓ 5  ✗ 2  ~ 1  of 8 accounts)", wrapped on KEY_LINES lines."""
    counts = (
        f"  (✓ {point.supports}  ✗ {point.contradicts}  ~ {point.mixed}  of {counted(accounts, 'account')})"
        if accounts
        else ""
    )
    lines = textwrap.wrap(
        f"P{n}: {point.text}", chars - len(counts), max_lines=KEY_LINES, placeholder=" …"
    ) or [f"P{n}:"]
    return "\n".join(lines) + counts


def name_label(name: str) -> str:
    """An account's name beside its row: one line, cut in the middle with an ellipsis (long names that
    start alike often end differently: "Umbrella Corporat…Holdings 2")."""
    return cut_middle(" ".join(name.split()), NAME_CHARS)


def cut_middle(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    tail = (limit - 1) // 3
    return text[: limit - 1 - tail].rstrip() + "…" + text[len(text) - tail :].lstrip()


def _width(points: int) -> float:
    return max(MIN_WIDTH, LABEL_W + points * CELL_W + 2 * MARGIN)


def _subtitle(sheet: Sheet, hidden: int) -> list[str]:
    lines = [
        f"{counted(sheet.interviews, 'interview')} with {counted(len(sheet.rows), 'account')} · "
        f"{counted(len(sheet.points), 'validation point')} · each account's latest answer"
    ]
    if sheet.closed:
        lines.append("closed: the sheet as it was when the study closed")
    if hidden:
        lines.append(f"the {ROWS_MAX} accounts with the most interviews shown, {hidden} more in the CSV")
    return lines


def _head(figure: Figure, name: str, subtitle: list[str], *, top: float, bottom: float) -> None:
    """The title, the counts, and what the marks and flags mean, from `top` down to `bottom` (inches)."""
    from matplotlib.patches import Rectangle

    inches, width = figure.dpi_scale_trans, figure.get_figwidth()
    text = dict(transform=inches, ha="center", va="center", parse_math=False)
    figure.text(width / 2, top - 0.32, name, fontsize=13, fontweight="bold", **text)
    for n, line in enumerate(subtitle):
        figure.text(width / 2, top - 0.66 - n * SUBTITLE_LINE, line, fontsize=9, color="#333333", **text)
    items = [*WORDS.items(), (None, "not discussed")]
    step = 1.5
    x = (width - step * len(items)) / 2
    y = bottom + 0.6
    for answer, words in items:
        swatch = Rectangle(
            (x, y - 0.1),
            0.3,
            0.2,
            transform=inches,
            facecolor=COLOURS.get(answer, BLANK),
            edgecolor="#999999",
        )
        figure.add_artist(swatch)
        if answer is not None:
            figure.text(x + 0.15, y, MARKS[answer], color=MARK_COLOURS[answer], fontsize=10, **text)
        figure.text(x + 0.38, y, words, transform=inches, ha="left", va="center", fontsize=8.5)
        x += step
    figure.text(width / 2, y - 0.3, FLAGS_KEY, fontsize=7.5, color="#333333", **text)


def _grid(axes: Axes, rows: list[Row], points: tuple[Point, ...]) -> None:
    """The cells as one collection and each answer's marks as one set of markers (drawn in one call each,
    not a text per cell: a 60 × 12 grid draws in a fraction of the time)."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import offset_copy

    answers = [[c.answer if c is not None else None for c in row.cells] for row in rows]
    boxes = [Rectangle((j, i), 1, 1) for i, row in enumerate(answers) for j, _ in enumerate(row)]
    fills = [COLOURS.get(a, BLANK) for row in answers for a in row]
    axes.add_collection(
        PatchCollection(boxes, facecolors=fills, edgecolors="white", linewidths=1.5, gid="cells"),
        autolim=False,
    )
    for answer in COLOURS:
        at = [(j + 0.5, i + 0.5) for i, row in enumerate(answers) for j, a in enumerate(row) if a is answer]
        if at:
            axes.scatter(
                *zip(*at, strict=True), marker=_mark(MARKS[answer]), s=MARK_SIZE**2, c=MARK_COLOURS[answer],
                linewidths=0, gid=f"marks {MARKS[answer]}",
            )  # fmt: skip
    axes.set_xlim(0, len(points))
    axes.set_ylim(len(rows), 0)  # the first account on top
    axes.set_xticks([j + 0.5 for j in range(len(points))], [f"P{j}" for j in range(1, len(points) + 1)])
    axes.set_yticks(
        [i + 0.5 for i in range(len(rows))], [name_label(r.account) for r in rows], parse_math=False
    )
    axes.xaxis.tick_top()
    axes.tick_params(length=0, labelsize=8.5)
    axes.tick_params(axis="x", labelsize=9, pad=4)
    axes.spines[:].set_visible(False)
    above = offset_copy(axes.get_xaxis_transform(), fig=axes.figure, y=17, units="points")
    for j, point in enumerate(points):
        flags = [word for word, on in ((SPLIT, point.disagree), (THIN, point.thin)) if on]
        if flags:
            axes.text(
                j + 0.5, 1, "\n".join(flags), transform=above, ha="center", va="bottom", fontsize=7.5,
                fontweight="bold", color="#222222", linespacing=1.1, gid="flag",
            )  # fmt: skip


def _mark(glyph: str) -> MarkerStyle:
    """The glyph's outline in bold, centred, as a marker."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.markers import MarkerStyle
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    path = TextPath((0, 0), glyph, prop=FontProperties(weight="bold"))
    (x0, y0), (x1, y1) = path.get_extents().get_points()
    return MarkerStyle(path.transformed(Affine2D().translate(-(x0 + x1) / 2, -(y0 + y1) / 2)))


def _key(figure: Figure, key: list[str], *, top: float) -> None:
    """Each point's words and counts, one entry under the other, from `top` (inches from the bottom)."""
    y = top
    for entry in key:
        figure.text(
            MARGIN, y, entry, transform=figure.dpi_scale_trans, ha="left", va="top", fontsize=KEY_FONT,
            parse_math=False, gid="key", linespacing=1.2,
        )  # fmt: skip
        y -= (entry.count("\n") + 1) * KEY_LINE + 0.1


def _nothing(figure: Figure, sheet: Sheet, key: list[str], height: float) -> None:
    """No interview in the study yet: its name, that, what to do, and its points."""
    inches, width = figure.dpi_scale_trans, figure.get_figwidth()
    text = dict(transform=inches, ha="center", va="center", parse_math=False)
    figure.text(width / 2, height - 0.35, sheet.name, fontsize=13, fontweight="bold", **text)
    figure.text(width / 2, height - 0.8, "No interviews in this study yet", fontsize=14, **text)
    figure.text(
        width / 2, height - 1.15,
        f"Its {counted(len(sheet.points), 'validation point')} wait for answers: log a call into the "
        "study (/interview log) and answer them.",
        fontsize=9, color="#444444", **text,
    )  # fmt: skip
    _key(figure, key, top=height - 1.55)
