"""The digest's chart, read at a glance: the period's top pains as bars of distinct accounts and, when
earlier periods hold interviews, each pain's trend beside its bar.

Each pain's trend has a row of its own (small multiples): no line can hide another, however many tie. Its
colour and marker are its own too, and its bar has the same colour. With nothing to draw, the picture says
so in words instead of showing an empty frame.

matplotlib with the Agg backend: no display, no GUI toolkit, safe in a server thread. A figure is made and
dropped per chart (pyplot's global state is not shared across threads); `chart_figure` returns it, so what
it draws can be read without looking at pixels.
"""

from __future__ import annotations

import io
import textwrap
from datetime import date
from typing import TYPE_CHECKING

from bot.digest.content import Digest
from bot.digest.period import Period, long_day, short_day, trend_periods
from bot.digest.ranking import ThemeInPeriod
from bot.digest.terminal import ranked_by
from bot.text import counted
from storage.models import RankBy

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.gridspec import GridSpec

LABEL_WIDTH = 26  # characters on a line of a pain's name beside its bar
LABEL_LINES = 2  # lines of it; a longer name ends with an ellipsis
# Okabe-Ito: told apart by people with any common colour blindness; a marker each tells them apart in grey.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
DPI = 110
ALT_TEXT_MAX = 1000  # Slack's limit for a file's alt text


def chart_png(digest: Digest) -> bytes:
    """The chart as a PNG."""
    out = io.BytesIO()
    chart_figure(digest).savefig(out, format="png")
    return out.getvalue()


def chart_figure(digest: Digest) -> Figure:
    """The chart's figure: the bars (and the trends, with history), or a sentence when there is no data."""
    from matplotlib.figure import Figure  # imported here: loading matplotlib takes a while

    themes, period = digest.chart, digest.period
    if not themes:
        figure = Figure(figsize=(7, 2.6), dpi=DPI, layout="constrained")
        _nothing(figure, digest)
        return figure
    before = len(themes[0].history)  # every theme's history covers the same earlier periods
    height = 1.3 + 0.62 * len(themes)
    figure = Figure(figsize=(10 if before else 6.5, max(height, 3.0)), dpi=DPI, layout="constrained")
    figure.suptitle(f"Top pains, {period.title}", fontsize=12, fontweight="bold")
    if before:
        grid = figure.add_gridspec(len(themes), 2, width_ratios=(1.25, 1))
        _bars(figure.add_subplot(grid[:, 0]), themes, period)
        _trends(figure, grid, themes, period, before)
    else:
        axes = figure.add_subplot()
        _bars(axes, themes, period)
        axes.set_title("No earlier periods to compare with yet", fontsize=9, color="#444444")
    return figure


def chart_alt_text(digest: Digest) -> str:
    """What the chart shows, in words and in the period's own unit, for people who cannot see it."""
    themes, period = digest.chart, digest.period
    when = f"{period.this} ({period.title})"
    if digest.quiet:
        return f"No interviews {when}."
    if not themes:
        return f"No pain was raised by more than one account {when}."
    top = ", ".join(f"{t.name}: {counted(t.accounts, 'account')}" for t in themes)
    # The bars are distinct accounts whatever the ranking; one by ARR says so, since its order is not theirs.
    order = (
        f"{ranked_by(digest.rank_by, 'raised them')}, in distinct accounts"
        if digest.rank_by is RankBy.ARR
        else "by distinct accounts"
    )
    text = f"Top pains {when}, {order}. {top}."
    before = len(themes[0].history)
    if before:
        trends = "; ".join(f"{t.name}: {', '.join(str(n) for n in t.history)}" for t in themes)
        text += f" Accounts {_each(period)} in the {period.periods(before)} before, oldest first. {trends}."
    else:
        text += " No earlier periods to compare with."
    return text if len(text) <= ALT_TEXT_MAX else text[: ALT_TEXT_MAX - 1] + "…"


def tick_labels(starts: list[date], last_day: date) -> list[str]:
    """Each period's first day, with its year where the span crosses one: on the first label and on each
    that starts a new year; on every label when a day and month would otherwise repeat (long periods)."""
    if starts[0].year == last_day.year:
        return [short_day(d) for d in starts]
    if len({short_day(d) for d in starts}) < len(starts):
        return [long_day(d) for d in starts]
    return [
        long_day(d) if n == 0 or d.year != starts[n - 1].year else short_day(d) for n, d in enumerate(starts)
    ]


def label(name: str) -> str:
    """A pain's name beside its bar: wrapped, cut with an ellipsis past LABEL_LINES, and with `$` shown as
    typed (matplotlib would read text between two of them as a formula)."""
    lines = textwrap.wrap(name, LABEL_WIDTH, max_lines=LABEL_LINES, placeholder="…") or ["?"]
    return "\n".join(lines).replace("$", r"\$")


def _each(period: Period) -> str:
    """'each week', 'each 28 days'."""
    return "each week" if period.weekly else "each day" if period.days == 1 else f"each {period.days} days"


def _bars(axes: Axes, themes: list[ThemeInPeriod], period: Period) -> None:
    rows = range(len(themes))
    bars = axes.barh(
        rows, [t.accounts for t in themes], color=[COLOURS[n % len(COLOURS)] for n in rows], height=0.6
    )
    axes.bar_label(bars, padding=3, fontsize=9)
    axes.set_yticks(rows, [label(t.name) for t in themes], fontsize=9)
    axes.set_ylim(len(themes) - 0.5, -0.5)  # the top pain on top, each row level with its trend
    axes.set_xlim(0, max(t.accounts for t in themes) * 1.15 + 0.5)  # room for the count after the bar
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel(f"distinct accounts {period.this}", fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="x", alpha=0.3)


def _trends(figure: Figure, grid: GridSpec, themes: list[ThemeInPeriod], period: Period, before: int) -> None:
    """A row per pain: its accounts in each earlier period and this one, on one scale for all rows."""
    periods = trend_periods(period, before)
    labels = tick_labels([p.start for p in periods], period.last_day)
    top = max(max(t.history) for t in themes)
    top = max(top, *(t.accounts for t in themes), 1)
    first: Axes | None = None
    for n, theme in enumerate(themes):
        axes = figure.add_subplot(grid[n, 1], sharex=first, sharey=first)
        first = first or axes
        colour, marker = COLOURS[n % len(COLOURS)], MARKERS[n % len(MARKERS)]
        series = [*theme.history, theme.accounts]
        axes.plot(range(len(series)), series, color=colour, marker=marker, markersize=5, linewidth=1.8)
        # This period's point stands out: the bar beside it says the same number.
        axes.plot(
            [len(series) - 1], [series[-1]], linestyle="none", marker=marker, markersize=9, color=colour
        )
        axes.set_ylim(-0.15 * top, top * 1.2)
        axes.set_yticks([0, top], ["0", str(top)], fontsize=7)
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(alpha=0.25)
        axes.tick_params(axis="x", labelbottom=n == len(themes) - 1)
        if n == 0:
            axes.set_title(f"Accounts in each {period.name}, oldest first", fontsize=9)
    bottom = figure.axes[-1]
    bottom.set_xticks(range(len(labels)), labels, rotation=40, ha="right", fontsize=7)
    bottom.set_xlabel(f"{period.name} starting", fontsize=8)


def _nothing(figure: Figure, digest: Digest) -> None:
    """A picture that says there is nothing to draw, and why."""
    period = digest.period
    if digest.quiet:
        headline, detail = f"No interviews {period.this}", "Log one with /interview log after your next call."
    else:
        headline = f"No pain raised by more than one account {period.this}"
        detail = f"{counted(digest.heard.interviews, 'interview')} heard; one customer is not a trend yet."
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.text(0.5, 0.62, headline, ha="center", va="center", fontsize=14, fontweight="bold")
    axes.text(0.5, 0.4, period.title, ha="center", va="center", fontsize=11, color="#444444")
    axes.text(0.5, 0.2, detail, ha="center", va="center", fontsize=9, color="#666666")
