"""An account owner's daily summary DM as its owner reads it: how many calls and when, in plain English;
one line per call with what was typed shown as typed (pinging nobody); Slack accepts it however many
calls a week after downtime brings."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.reminders.owner_summary import CallToTell, DueSummary
from handlers.views.owner_summary import owner_summary
from tests.support.block_kit import slack_would_reject

WEDNESDAY = date(2026, 11, 25)


def call(n: int = 1, **fields: object) -> CallToTell:
    values: dict[str, object] = {
        "interview_id": n,
        "account": "Acme",
        "logged_by": "U0LOGGER",
        "logged_at": datetime(2026, 11, 24, 15, 0, tzinfo=UTC),
        **fields,
    }
    return CallToTell(**values)  # type: ignore[arg-type]


def summary(calls: list[CallToTell], *, today: date = WEDNESDAY, first_day: date | None = None) -> DueSummary:
    yesterday = date.fromordinal(today.toordinal() - 1)
    return DueSummary("U0OWNER", today, first_day or yesterday, yesterday, tuple(calls))


def test_it_counts_the_calls_and_says_which_days() -> None:
    assert owner_summary(summary([call()]))[0] == "1 call with your accounts yesterday"
    monday = date(2026, 11, 30)
    weekend = summary([call(1), call(2), call(3)], today=monday, first_day=date(2026, 11, 27))
    assert owner_summary(weekend)[0] == "3 calls with your accounts since Friday"
    a_week = summary([call(1), call(2)], today=monday, first_day=date(2026, 11, 23))
    assert owner_summary(a_week)[0] == "2 calls with your accounts since last Monday"


def test_each_call_is_one_line_with_what_was_typed_escaped() -> None:
    typed = call(
        account="Acme & <!channel>",
        contact_name="Dana <@U0BOSS>",
        contact_role="Head of Finance",
        first_pain="Month-end takes two days <!here>",
    )
    text, blocks = owner_summary(summary([typed, call(2, account="Globex")]))
    lines = blocks[1]["text"]["text"].split("\n")
    assert lines == [
        "• *Acme &amp; &lt;!channel&gt;* · logged by <@U0LOGGER> · with Dana &lt;@U0BOSS&gt;, Head of Finance"
        " · “Month-end takes two days &lt;!here&gt;” · `/interview list Acme &amp; &lt;!channel&gt;`",
        "• *Globex* · logged by <@U0LOGGER> · `/interview list Globex`",
    ]
    assert text == "2 calls with your accounts yesterday"


def test_a_long_week_of_calls_still_fits_one_message() -> None:
    calls = [call(n, account=f"Account {n} " + "x" * 150, first_pain="p" * 2000) for n in range(600)]
    text, blocks = owner_summary(summary(calls, first_day=date(2026, 11, 18)))
    assert slack_would_reject(message={"channel": "U0OWNER", "text": text, "blocks": blocks}) == []
    assert len(blocks) == 50 and "too long for one Slack message" in str(blocks[-2])
