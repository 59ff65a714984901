"""What the handlers read from a payload (a view's state and metadata, a button's value) is read as
"maybe": a forged or broken payload of any shape reads as not given, never as a crash."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.log_modal import parse_log_form
from handlers.schedule import parse_schedule
from handlers.views.common import id_number
from handlers.views.digest import parse_subscription
from handlers.views.reminders import decode, follow_up_ids
from handlers.views.summary import parse_summary
from handlers.views.themes import ThemesMetadata, ThemesView, parse_look_alike, parse_theme_menu, selected
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


def test_ids_are_ascii_digits_of_a_database_integer() -> None:
    assert id_number("42") == 42 and id_number(42) == 42
    for forged in ("²", "٣", "-1", "1.5", "9" * 400, "", " 1", True, 2**70, -3, None, [1], 4.0):
        assert id_number(forged) is None, forged


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # 100 kB examples
@settings(max_examples=300, derandomize=True, database=None)
@given(view=views, text=nasty_text)
def test_a_forged_view_reads_as_not_given(view: dict[str, Any], text: str) -> None:
    follow_up_id, _summary, origin = parse_summary(view)
    assert isinstance(follow_up_id, int) and isinstance(origin, dict)
    selected(view, ThemesView.NAME_BLOCK)
    ThemesMetadata.loads(text)
    values = view.get("values")
    parse_subscription(values if isinstance(values, dict) else view)
    parse_log_form(values if isinstance(values, dict) else view)
    parse_schedule(values if isinstance(values, dict) else view)
    follow_up_ids([view, text])
    decode(text), parse_theme_menu(text), parse_look_alike(text)
