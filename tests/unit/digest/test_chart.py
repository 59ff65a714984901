"""The digest's chart, read from its figure (not its pixels): a bar per top pain as long as its distinct
accounts, labels that fit, a trend row per pain only when there is history, dates with their year where the
span crosses one and never twice the same, a colour and a marker per series, words when there is nothing to
draw, and alt text in the period's own unit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import example, given
from hypothesis import strategies as st
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from bot.digest.chart import (
    LABEL_LINES,
    LABEL_WIDTH,
    chart_alt_text,
    chart_figure,
    chart_png,
    label,
    tick_labels,
)
from bot.digest.period import Period, trend_periods
from storage.models import RankBy
from tests.support.digests import digest, pain

WEEK = Period(end=date(2026, 12, 8))  # 1 – 7 December 2026
LONG = "Monthly reports take far too long to build and nobody trusts the totals at the end of the quarter"
TIED = [
    # Each said more often than by how many accounts: the bars are accounts, not mentions.
    replace(theme, mentions=theme.accounts * 2 + 1)
    for theme in [
        pain(1, LONG, 5, (0, 1, 1, 2, 2, 3, 3, 4)),
        pain(2, "Single sign-on fails", 3, (1, 1, 1, 1, 1, 1, 1, 1)),
        pain(3, "Onboarding takes days", 3, (1, 1, 1, 1, 1, 1, 1, 1)),  # the same line as the one above
        pain(4, "Mobile app useless without signal", 2, (0, 0, 2, 2, 0, 0, 0, 0)),
        pain(5, "Invoices show the wrong VAT number", 2, (1, 1, 1, 1, 1, 1, 1, 1)),
    ]
]


def bars_of(figure: Figure) -> Axes:
    (axes,) = [a for a in figure.axes if a.patches]
    return axes


def trend_rows(figure: Figure) -> list[Axes]:
    return [a for a in figure.axes if a.lines]


def every_text(figure: Figure) -> str:
    texts = [t.get_text() for t in figure.findobj(lambda o: hasattr(o, "get_text"))]
    return "\n".join(t for t in texts if t)


def test_a_bar_per_top_pain_as_long_as_its_distinct_accounts_the_top_one_on_top() -> None:
    figure = chart_figure(digest(WEEK, TIED))
    bars = bars_of(figure)
    assert [p.get_width() for p in bars.patches] == [5, 3, 3, 2, 2]
    assert [p.get_y() + p.get_height() / 2 for p in bars.patches] == [0, 1, 2, 3, 4]
    low, high = bars.get_ylim()
    assert low > high  # inverted: row 0, the top pain, is drawn on top
    assert [t.get_text() for t in bars.get_yticklabels()][1:] == [label(t.name) for t in TIED[1:]]
    assert "Top pains, 1 – 7 Dec 2026" in every_text(figure)


def test_the_longest_label_fits_on_two_lines_ending_in_an_ellipsis() -> None:
    wrapped = label(LONG)
    lines = wrapped.split("\n")
    assert len(lines) == LABEL_LINES and all(len(line) <= LABEL_WIDTH for line in lines)
    assert wrapped.endswith("…") and wrapped.startswith("Monthly reports")
    assert label("Pricing is $50, not $70") == r"Pricing is \$50, not \$70"  # no formula
    figure = chart_figure(digest(WEEK, TIED))
    figure.draw_without_rendering()  # lays the figure out, as saving it does
    frame = figure.bbox
    for tick in bars_of(figure).get_yticklabels():
        box = tick.get_window_extent()
        assert box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1


def test_a_trend_row_per_pain_each_its_own_colour_and_marker_and_the_colour_of_its_bar() -> None:
    figure = chart_figure(digest(WEEK, TIED))
    rows = trend_rows(figure)
    assert len(rows) == len(TIED)
    series = [row.lines[0] for row in rows]
    assert [list(line.get_ydata()) for line in series] == [[*t.history, t.accounts] for t in TIED]
    colours = [line.get_color() for line in series]
    markers = [line.get_marker() for line in series]
    assert len(set(colours)) == len(set(markers)) == len(TIED)
    bar_colours = [p.get_facecolor() for p in bars_of(figure).patches]
    assert bar_colours == [to_rgba(c) for c in colours]
    # Two pains with the same counts each keep a row of their own: neither hides the other.
    assert rows[1] is not rows[2] and list(series[1].get_ydata()) == list(series[2].get_ydata())
    assert all(a.get_legend() is None for a in figure.axes) and figure.legends == []


def test_no_trend_without_history_and_it_says_why() -> None:
    figure = chart_figure(digest(WEEK, [pain(1, "Slow reports", 5), pain(2, "Bad invoices", 3)]))
    assert trend_rows(figure) == [] and len(figure.axes) == 1
    assert [p.get_width() for p in bars_of(figure).patches] == [5, 3]
    assert "No earlier periods to compare with" in every_text(figure)


def test_dates_carry_their_year_where_the_span_crosses_one() -> None:
    within = tick_labels([p.start for p in trend_periods(WEEK)], WEEK.last_day)
    assert within == ["6 Oct", "13 Oct", "20 Oct", "27 Oct", "3 Nov", "10 Nov", "17 Nov", "24 Nov", "1 Dec"]
    new_year = Period(end=date(2027, 1, 12))
    across = tick_labels([p.start for p in trend_periods(new_year)], new_year.last_day)
    assert across[0] == "10 Nov 2026" and across[-2:] == ["29 Dec", "5 Jan 2027"]
    year = Period(end=date(2026, 12, 8), days=366)
    figure = chart_figure(
        digest(year, [pain(1, "Slow reports", 9, (4, 6)), pain(2, "Bad invoices", 7, (2, 3))])
    )
    shown = [t.get_text() for t in trend_rows(figure)[-1].get_xticklabels()]
    assert shown == ["6 Dec 2023", "6 Dec 2024", "7 Dec 2025"]
    assert "7 Dec 2025 – 7 Dec 2026" in every_text(figure)


@given(
    st.integers(min_value=1, max_value=366),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=1, max_value=8),
)
@example(days=73, end=date(2026, 1, 1), before=8)  # five a year: 15 Mar, 27 May … come back a year on
@example(days=366, end=date(2026, 12, 8), before=8)
def test_a_date_label_is_never_repeated(days: int, end: date, before: int) -> None:
    period = Period(end=end, days=days)
    labels = tick_labels([p.start for p in trend_periods(period, before)], period.last_day)
    assert len(set(labels)) == len(labels), labels
    years = {p.start.year for p in trend_periods(period, before)} | {period.last_day.year}
    assert (len(years) > 1) == any(str(y) in " ".join(labels) for y in years)


def test_the_drawn_dates_are_never_repeated_at_366_days_over_eight_periods() -> None:
    year = Period(end=date(2026, 12, 8), days=366)
    figure = chart_figure(digest(year, [pain(1, "Slow reports", 9, (1, 2, 3, 4, 5, 6, 7, 8))]))
    shown = [t.get_text() for t in trend_rows(figure)[-1].get_xticklabels()]
    assert len(shown) == 9 and len(set(shown)) == 9 and all(len(s.split()) == 3 for s in shown)


def test_nothing_to_draw_says_so_in_words() -> None:
    quiet = chart_figure(digest(WEEK, interviews=0, accounts=0))
    assert "No interviews this week" in every_text(quiet) and "1 – 7 Dec 2026" in every_text(quiet)
    assert not any(a.patches or a.lines for a in quiet.axes)
    month = chart_figure(digest(Period(end=date(2026, 12, 8), days=28), interviews=4, accounts=4))
    assert "No pain raised by more than one account in these 28 days" in every_text(month)
    assert "4 interviews heard" in every_text(month)
    assert chart_png(digest(WEEK, interviews=0, accounts=0)).startswith(b"\x89PNG")


def test_alt_text_names_the_top_pains_and_their_counts_in_the_periods_own_unit() -> None:
    week = chart_alt_text(digest(WEEK, TIED[:2]))
    assert week.startswith("Top pains this week (1 – 7 Dec 2026), by distinct accounts.")
    # Ranked by ARR, the order is not the bars': the words say which it is.
    by_arr = chart_alt_text(replace(digest(WEEK, TIED[:2]), rank_by=RankBy.ARR))
    assert by_arr.startswith(
        "Top pains this week (1 – 7 Dec 2026), by the ARR of the accounts that raised them (each counted "
        "once), in distinct accounts."
    )
    assert f"{LONG}: 5 accounts, Single sign-on fails: 3 accounts." in week
    assert "Accounts each week in the 8 weeks before, oldest first." in week
    assert "Single sign-on fails: 1, 1, 1, 1, 1, 1, 1, 1" in week
    month = Period(end=date(2026, 12, 8), days=28)
    alt = chart_alt_text(
        digest(month, [pain(1, "Slow reports", 1, (2, 0), ever=3), pain(2, "Bad invoices", 2, (1, 1))])
    )
    assert "Top pains in these 28 days (10 Nov – 7 Dec 2026)" in alt
    assert "Slow reports: 1 account, Bad invoices: 2 accounts." in alt
    assert "Accounts each 28 days in the 2 periods of 28 days before" in alt and "week" not in alt
    first = chart_alt_text(digest(WEEK, [pain(1, "Slow reports", 5)]))
    assert "No earlier periods to compare with." in first and "before, oldest first" not in first
    assert chart_alt_text(digest(WEEK, interviews=0)) == "No interviews this week (1 – 7 Dec 2026)."
    many = [pain(n, "x" * 150, 3, (1,)) for n in range(5)]
    assert len(chart_alt_text(digest(WEEK, many))) <= 1000
