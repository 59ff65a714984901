"""The themes list with look-alike pairs at its top: within Slack's limits, and typed names ping nobody."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest.weight import Weight
from bot.themes.lookalikes import LookAlike
from bot.themes.store import THEME_NAME_MAX, ThemeSummary
from handlers.views.themes import (
    LOOK_ALIKES_SHOWN,
    ThemesAction,
    ThemesMetadata,
    ThemesView,
    parse_look_alike,
    themes_list,
)
from storage.models import ThemeKind
from tests.support.fake_slack import slack_would_reject

names = st.lists(st.sampled_from([*"<>&*_~`ab ", "<!channel>", "<@U1>", "😀"]), min_size=1, max_size=30).map(
    lambda parts: "".join(parts)[:THEME_NAME_MAX]
)


def themes(n: int, name: str = "theme") -> list[ThemeSummary]:
    return [
        ThemeSummary(i, ThemeKind.PAIN, f"{name} {i}", None, lines=3, accounts=2) for i in range(1, n + 1)
    ]


def pair(i: int, name: str) -> LookAlike:
    return LookAlike(1000 + i, name, 5, 2000 + i, name, 2, 0.8)


@settings(max_examples=50, deadline=None)
@given(names, st.integers(0, 8), st.booleans())
def test_the_list_keeps_within_100_blocks_whatever_is_offered(name: str, offered: int, pool: bool) -> None:
    view = themes_list(
        kind=ThemeKind.PAIN,
        themes=themes(100, name),
        pool=3 if pool else 0,
        total=120,
        metadata=ThemesMetadata(),
        look_alikes=[pair(i, name) for i in range(offered)],
    ).to_dict()
    assert slack_would_reject(view=view) == []
    blocks = view["blocks"]
    assert len(blocks) <= 100
    shown = sum(1 for b in blocks if b.get("accessory", {}).get("action_id") == ThemesAction.THEME_MENU)
    assert f"Showing the first {shown}." in str(blocks)
    # The pool is never pushed out by the themes, nor the pairs.
    assert any(b.get("block_id") == ThemesView.POOL_BLOCK for b in blocks) == pool
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["type"] == "button"]
    assert len(buttons) == 2 * min(offered, LOOK_ALIKES_SHOWN)
    assert "<!channel>" not in str(blocks) and "<@U1>" not in str(blocks)


def test_each_pair_carries_both_ids_and_the_kept_one_first() -> None:
    view = themes_list(
        kind=ThemeKind.PAIN,
        themes=themes(3),
        pool=0,
        total=3,
        metadata=ThemesMetadata(),
        look_alikes=[LookAlike(7, "Excel export", 5, 9, "export fails", 2, 0.8)],
    ).to_dict()
    actions = [
        b for b in view["blocks"] if b["type"] == "actions" and b.get("block_id") != ThemesView.KIND_BLOCK
    ]
    (merge, apart) = actions[0]["elements"]
    assert (merge["action_id"], apart["action_id"]) == (
        ThemesAction.MERGE_LOOK_ALIKE,
        ThemesAction.DISMISS_LOOK_ALIKE,
    )
    assert parse_look_alike(merge["value"]) == parse_look_alike(apart["value"]) == (7, 9)
    assert "*Excel export* (5 pains) and *export fails* (2 pains)" in str(view["blocks"])
    assert parse_look_alike("7:x") is None and parse_look_alike("") is None


def test_each_theme_shows_its_accounts_arr_and_segments_when_known() -> None:
    view = themes_list(
        kind=ThemeKind.PAIN,
        themes=themes(3),
        pool=0,
        total=3,
        metadata=ThemesMetadata(),
        weights={1: Weight(2, 1_300_000, 2, (("Mid <market>", 2),), "EUR"), 2: Weight(2, 0, 0, ())},
    ).to_dict()
    assert slack_would_reject(view=view) == []
    shown = str(view["blocks"])
    assert "*theme 1*\\n3 pains · 2 accounts · EUR 1.3M ARR · Mid &lt;market&gt; 2" in shown
    # Nothing known (theme 2), or not weighed (theme 3): the counts, as before.
    assert "*theme 2*\\n3 pains from 2 accounts" in shown and "*theme 3*\\n3 pains from 2 accounts" in shown
