"""The matrix picture, read from its figure (not its pixels): a cell per account × point coloured and marked
by the account's latest answer, the columns where accounts disagree or evidence is thin flagged in words
above them, a key with each point's words and counts, the title with the study and its counts; labels that
neither overlap nor leave the picture at 20 accounts × 12 points; words instead of an empty grid when
the study has no interview yet."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bot.studies.matrix import (
    BLANK,
    COLOURS,
    FLAGS_KEY,
    ROWS_MAX,
    matrix_figure,
    matrix_png,
    name_label,
)
from bot.studies.sheet import MARKS, Sheet
from tests.support.sheets import POINTS, C, M, S, big_sheet, empty_sheet, small_sheet


def grid_of(figure: Figure) -> Axes:
    (axes,) = [a for a in figure.axes if a.get_gid() == "matrix"]
    return axes


def cells(figure: Figure) -> dict[tuple[int, int], tuple[str, str]]:
    """{(row, column): (fill colour, mark)} as drawn: the grid's cells and the marks on them."""
    axes = grid_of(figure)
    (boxes,) = [c for c in axes.collections if c.get_gid() == "cells"]
    marks = {
        (int(y), int(x)): collection.get_gid().removeprefix("marks ")
        for collection in axes.collections
        if collection.get_gid().startswith("marks ")
        for x, y in collection.get_offsets()
    }
    corners = [path.get_extents().get_points()[0] for path in boxes.get_paths()]
    fills = [to_hex(colour) for colour in boxes.get_facecolors()]
    assert len(corners) == len(fills) == len({(x, y) for x, y in corners})  # one each, none drawn twice
    return {
        (int(y), int(x)): (fill, marks.get((int(y), int(x)), ""))
        for (x, y), fill in zip(corners, fills, strict=True)
    }


def flags_of(figure: Figure) -> dict[int, str]:
    """{column: the flag words above it}."""
    return {int(t.get_position()[0]): t.get_text() for t in grid_of(figure).texts if t.get_gid() == "flag"}


def every_text(figure: Figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_text() and t.get_visible()]


def expected(sheet: Sheet) -> dict[tuple[int, int], tuple[str, str]]:
    return {
        (i, j): (COLOURS[c.answer], MARKS[c.answer]) if c else (BLANK, "")
        for i, row in enumerate(sheet.rows)
        for j, c in enumerate(row.cells)
    }


def test_a_cell_per_account_and_point_coloured_and_marked_by_its_latest_answer() -> None:
    sheet = small_sheet()
    figure = matrix_figure(sheet)
    drawn = cells(figure)
    assert drawn == {k: (v[0].lower(), v[1]) for k, v in expected(sheet).items()}
    green, red, amber = (COLOURS[a].lower() for a in (S, C, M))
    # Acme (row 0): its later call contradicts P1, its earlier one supports P2, P3 never discussed.
    assert [drawn[(0, j)] for j in range(3)] == [(red, "✗"), (green, "✓"), (BLANK.lower(), "")]
    assert drawn[(3, 0)] == (amber, "~")  # Initech
    axes = grid_of(figure)
    assert [t.get_text() for t in axes.get_yticklabels()] == [
        "Acme",
        "Globex",
        "Hooli",
        "Initech",
        "Umbrella",
    ]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["P1", "P2", "P3"]
    low, high = axes.get_ylim()
    assert low > high  # the first account on top


def test_disagreement_and_thin_evidence_are_flagged_above_their_columns_in_words() -> None:
    figure = matrix_figure(small_sheet())
    assert flags_of(figure) == {0: "split", 1: "split\nthin", 2: "thin"}
    texts = [t.get_text() for t in every_text(figure)]
    assert FLAGS_KEY in texts and "split: accounts disagree" in FLAGS_KEY


def test_the_title_names_the_study_and_its_counts_and_the_key_each_point() -> None:
    figure = matrix_figure(small_sheet(closed=True))
    texts = [t.get_text() for t in every_text(figure)]
    assert "CRM sync" in texts
    assert "6 interviews with 5 accounts · 3 validation points · each account's latest answer" in texts
    assert "closed: the sheet as it was when the study closed" in texts
    key = [t.get_text() for t in figure.texts if t.get_gid() == "key"]
    assert key == [
        f"P1: {POINTS[0][1]}  (✓ 2  ✗ 1  ~ 1  of 5 accounts)",
        f"P2: {POINTS[1][1]}  (✓ 1  ✗ 1  ~ 0  of 5 accounts)",
        f"P3: {POINTS[2][1]}  (✓ 0  ✗ 1  ~ 0  of 5 accounts)",
    ]
    # Each answer is in the key of marks with its mark, not its colour alone.
    for word in ("supports", "contradicts", "mixed", "not discussed"):
        assert word in texts


def overlap(a: Bbox, b: Bbox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize(
    "sheet",
    [
        big_sheet(20, 12),
        replace(big_sheet(5, 3), closed=True),
        big_sheet(3, 1),
        replace(big_sheet(ROWS_MAX + 1, 12), closed=True),
        small_sheet(),  # both flags above a column
    ],
    ids=["20x12", "5x3-closed", "3x1", "61x12-closed", "split-and-thin"],
)
def test_nothing_overlaps_or_leaves_the_picture(sheet: Sheet) -> None:
    figure = matrix_figure(sheet)
    figure.draw_without_rendering()  # lays the figure out, as saving it does
    axes = grid_of(figure)
    frame = figure.bbox
    texts = every_text(figure)
    for text in texts:
        box = text.get_window_extent()
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, text
        assert text.get_fontsize() >= 7.5, text
    rows = [t.get_window_extent() for t in axes.get_yticklabels()]
    columns = [t.get_window_extent() for t in axes.get_xticklabels()]
    assert not any(overlap(a, b) for a, b in pairwise(rows))
    assert not any(overlap(a, b) for a, b in pairwise(columns))
    grid = axes.get_window_extent()
    above = [t.get_window_extent() for t in axes.texts if t.get_gid() == "flag"] + columns
    outside = [t for t in figure.texts if t.get_text()]  # title, counts, keys
    for box in [*above, *(t.get_window_extent() for t in outside)]:
        assert not overlap(box, grid)
    boxes = [t.get_window_extent() for t in outside] + above + rows
    for a, b in ((a, b) for n, a in enumerate(boxes) for b in boxes[n + 1 :]):
        assert not overlap(a, b)


def test_names_are_drawn_as_typed_and_cut_on_one_line() -> None:
    names = ["Pricing $5 and $6 $\\frac$", "Umbrella Corporation International Holdings"]
    sheet = big_sheet(2, 2, names=names)
    figure = matrix_figure(sheet)
    labels = [t.get_text() for t in grid_of(figure).get_yticklabels()]
    assert labels == ["Pricing $5 and $6 $\\frac$", "Umbrella Corporati…Holdings"]
    assert matrix_png(sheet).startswith(b"\x89PNG")  # no formula read in a name: it draws


def test_past_the_rows_it_has_room_for_the_busiest_accounts_stay_and_it_says_so() -> None:
    sheet = big_sheet(ROWS_MAX + 5, 3)
    figure = matrix_figure(sheet)
    shown = [t.get_text() for t in grid_of(figure).get_yticklabels()]
    assert len(shown) == ROWS_MAX and len(cells(figure)) == ROWS_MAX * 3
    busiest = sorted(sheet.rows, key=lambda r: -r.interviews)[:ROWS_MAX]
    assert {name_label(r.account) for r in busiest} == set(shown)
    assert len(set(shown)) == len(shown)  # long names alike stay told apart
    assert any("5 more in the CSV" in t.get_text() for t in every_text(figure))


def test_a_study_with_no_interview_says_so_instead_of_an_empty_grid() -> None:
    figure = matrix_figure(empty_sheet())
    assert not [a for a in figure.axes if a.get_gid() == "matrix"]
    texts = [t.get_text() for t in every_text(figure)]
    assert "No interviews in this study yet" in texts and "Pricing" in texts
    assert [t for t in texts if t.startswith("P1: ")] == [f"P1: {POINTS[0][1]}"]
    assert matrix_png(empty_sheet()).startswith(b"\x89PNG")
