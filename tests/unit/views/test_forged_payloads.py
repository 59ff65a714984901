"""What the handlers read from a payload (a view's state and metadata, a button's value) is read as
"maybe": a forged or broken payload of any shape reads as not given, never as a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.views.common import id_number
from handlers.views.log_form import parse_log_form
from handlers.views.reminders import decode, follow_up_ids
from handlers.views.schedule import parse_schedule
from handlers.views.subscriptions import parse_subscription
from handlers.views.summary import SummaryModal, parse_summary
from handlers.views.themes import ThemesMetadata, ThemesView, parse_look_alike, parse_theme_menu, selected
from storage.models import RankBy
from tests.support.hostile import json_value, nasty_text

keys = nasty_text | st.sampled_from(["state", "values", "private_metadata", "summary", "value", "blocks"])
views = st.dictionaries(keys, json_value | st.dictionaries(keys, json_value), max_size=4)


def test_a_forged_schedule_reads_as_not_given() -> None:
    def state(**fields: Any) -> dict[str, Any]:
        return {block: {"value": value} for block, value in fields.items()}

    forged = parse_schedule(
        state(
            account={"selected_option": "Acme"},
            starts_at={"selected_date_time": "9" * 30},
            ends_at={"selected_date_time": 10**15},
            goal={"value": 5},
            participants={"selected_users": "U0001"},
        )
    )
    assert (forged.account, forged.starts_at, forged.ends_at, forged.goal, forged.participants) == (
        None,
        None,
        None,
        None,
        [],
    )
    fine = parse_schedule(
        state(
            account={"selected_option": {"value": "Acme"}},
            starts_at={"selected_date_time": 1_764_000_000},
            participants={"selected_users": ["U0001", 7, "not a user"]},
        )
    )
    assert fine.account == "Acme" and fine.starts_at is not None and fine.participants == ["U0001"]


def test_a_subscriptions_ranking_is_arr_only_when_the_form_says_arr() -> None:
    def ranked(option: Any) -> RankBy:
        return parse_subscription({"digest_rank": {"value": {"selected_option": option}}}).rank_by

    assert ranked({"value": "arr"}) is RankBy.ARR and ranked({"value": "accounts"}) is RankBy.ACCOUNTS
    for forged in ({"value": "ARR "}, {"value": ["arr"]}, {"value": {"arr": 1}}, "arr", None, {}):
        assert ranked(forged) is RankBy.ACCOUNTS, forged
    assert parse_subscription({}).rank_by is RankBy.ACCOUNTS  # a form of before: the default


def test_ids_are_ascii_digits_of_a_database_integer() -> None:
    assert id_number("42") == 42 and id_number(42) == 42
    for forged in ("²", "٣", "-1", "1.5", "9" * 400, "", " 1", True, 2**70, -3, None, [1], 4.0):
        assert id_number(forged) is None, forged


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # 100 kB examples
@settings(max_examples=300, derandomize=True, database=None)
@given(view=views, text=nasty_text)
def test_a_view_of_any_shape_reads_without_a_crash_as_the_types_handlers_use(
    view: dict[str, Any], text: str
) -> None:
    follow_up_id, summary, origin = parse_summary(view)
    assert isinstance(follow_up_id, int) and follow_up_id >= 0 and isinstance(summary, str)
    assert set(origin) == {"channel", "ts", "ids"} and all(isinstance(n, int) for n in origin["ids"])
    assert all(origin[key] is None or isinstance(origin[key], str) for key in ("channel", "ts"))
    assert isinstance(selected(view, ThemesView.NAME_BLOCK), str | None)
    metadata = ThemesMetadata.loads(text)
    assert all(isinstance(getattr(metadata, f), int | None) for f in ("theme_id", "line_id"))
    values = view.get("values")
    form = values if isinstance(values, dict) else view
    subscription = parse_subscription(form)
    assert subscription.channel_id is None or isinstance(subscription.channel_id, str)
    assert subscription.weekday is None or 0 <= subscription.weekday < 7
    assert subscription.rank_by in RankBy
    parse_log_form(form)
    parse_schedule(form)
    assert all(isinstance(n, int) for n in follow_up_ids([view, text]))
    decoded, menu, pair = decode(text), parse_theme_menu(text), parse_look_alike(text)
    assert decoded is None or (isinstance(decoded[0], str) and isinstance(decoded[1], int))
    assert menu is None or isinstance(menu[1], int)
    assert pair is None or all(isinstance(n, int) for n in pair)


not_an_id = json_value.filter(lambda v: id_number(v) is None)
not_a_string = json_value.filter(lambda v: not isinstance(v, str))


def summary_view(follow_up_id: Any, channel: Any, ts: Any, ids: Any, typed: Any) -> dict[str, Any]:
    """The summary modal as Slack sends it back, with these values where the bot put its own."""
    metadata = {"follow_up_id": follow_up_id, "origin": {"channel": channel, "ts": ts, "ids": ids}}
    return {
        "private_metadata": json.dumps(metadata),
        "state": {"values": {SummaryModal.SUMMARY_BLOCK: {SummaryModal.VALUE: {"value": typed}}}},
    }


def test_a_summary_view_reads_what_the_bot_put_in_it() -> None:
    view = summary_view(42, "D0001", "1700000000.000100", [42, 43], "  Sent the deck  ")
    assert parse_summary(view) == (
        42,
        "Sent the deck",
        {"channel": "D0001", "ts": "1700000000.000100", "ids": [42, 43]},
    )


@settings(max_examples=100, derandomize=True, database=None)
@given(
    follow_up_id=not_an_id,
    channel=not_a_string,
    ts=not_a_string,
    ids=st.lists(not_an_id, max_size=3) | json_value.filter(lambda v: not isinstance(v, list)),
    typed=not_a_string,
)
def test_a_forged_summary_view_reads_as_not_given(
    follow_up_id: Any, channel: Any, ts: Any, ids: Any, typed: Any
) -> None:
    """Forged values where Slack sends the bot's own (a number for the channel, a float or a word for an
    id): each reads as not given, never as a value a handler would act on."""
    view = summary_view(follow_up_id, channel, ts, ids, typed)
    assert parse_summary(view) == (0, "", {"channel": None, "ts": None, "ids": []})
