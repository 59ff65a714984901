"""The digest's chart: how many accounts raised each top theme, period by period, as a PNG.

matplotlib with the Agg backend: no display, no GUI toolkit, safe in a server thread. A figure is made
and closed per chart (pyplot's global state is not shared across threads).
"""

from __future__ import annotations

import io
from datetime import date

from bot.digest.period import Period, trend_periods
from bot.digest.ranking import ThemeInPeriod

LABEL_MAX = 40


def chart_png(themes: list[ThemeInPeriod], period: Period) -> bytes:
    """A line per theme: its distinct accounts in each of the last periods, this one last."""
    from matplotlib.figure import Figure  # imported here: loading matplotlib takes a while

    starts = trend_periods(period)
    figure = Figure(figsize=(8, 4.2), dpi=110)
    axes = figure.subplots()
    for theme in themes:
        series = [*theme.history, theme.accounts]
        label = theme.name if len(theme.name) <= LABEL_MAX else theme.name[: LABEL_MAX - 1] + "…"
        axes.plot(range(len(series)), series, marker="o", linewidth=2, label=label)
    axes.set_xticks(range(len(starts)), [_day(d) for d in starts], rotation=30, ha="right", fontsize=8)
    axes.set_ylabel("accounts that raised it")
    every = "week" if period.days == 7 else f"{period.days} days"
    axes.set_title(f"Top pains: distinct accounts per {every}", fontsize=11)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    if themes:
        axes.legend(fontsize=8, loc="upper left", frameon=False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def chart_alt_text(themes: list[ThemeInPeriod], period: Period) -> str:
    """What the chart shows, in words, for people who cannot see it."""
    lines = (
        [
            f"Distinct accounts per week for the top pains, the {len(themes[0].history) + 1} weeks up to "
            f"{_day(period.end)}:"
        ]
        if themes
        else ["No recurring pains this week."]
    )
    for theme in themes:
        series = ", ".join(str(n) for n in [*theme.history, theme.accounts])
        lines.append(f"{theme.name}: {series}.")
    return " ".join(lines)[:1000]


def _day(day: date) -> str:
    return f"{day.day} {day:%b}"
