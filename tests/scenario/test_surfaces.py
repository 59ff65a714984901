"""The other ways in: account search while typing, App Home, shortcuts, and sharing to a channel."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from handlers.shortcuts import Shortcut
from handlers.views.home import Home
from handlers.views.log_modal import LogField, LogModal
from tests.conftest import RunningBot
from tests.support.after_ack import after_ack_done
from tests.support.forms import submit_log_modal
from tests.support.slack_requests import USER_ID


def suggest(bot: RunningBot, typed: str) -> list[dict]:
    response = bot.slack.block_suggestion(
        {"id": "V1", "callback_id": LogModal.CALLBACK_ID, "type": "modal"},
        block_id=LogField.ACCOUNT,
        action_id=LogModal.ACCOUNT_SEARCH,
        value=typed,
    )
    assert response.status == 200
    return response.json()["options"]


def test_account_search_offers_known_accounts_and_a_new_one(bot: RunningBot) -> None:
    submit_log_modal(bot, "ACME Inc.")
    submit_log_modal(bot, "Acorn Labs")
    bot.fake.wait_for("chat.postMessage", count=2)

    options = suggest(bot, "ac")
    assert [o["value"] for o in options] == ["ac", "ACME Inc.", "Acorn Labs"]
    assert options[0]["text"]["text"].startswith("➕ New account")

    # "acme" is ACME Inc.: no second account is offered.
    assert [o["value"] for o in suggest(bot, "acme")] == ["ACME Inc."]
    assert [o["value"] for o in suggest(bot, "Globex")] == ["Globex"]


def test_account_search_never_shows_another_workspace(bot: RunningBot) -> None:
    submit_log_modal(bot, "Initech")
    bot.fake.wait_for("chat.postMessage")
    response = bot.slack.block_suggestion(
        {"id": "V1", "callback_id": LogModal.CALLBACK_ID, "type": "modal"},
        block_id=LogField.ACCOUNT,
        action_id=LogModal.ACCOUNT_SEARCH,
        value="Init",
        team_id="T0OTHER",
    )
    assert [o["value"] for o in response.json()["options"]] == ["Init"]


def test_app_home_lists_latest_interviews_and_its_button_opens_the_modal(bot: RunningBot) -> None:
    submit_log_modal(bot, "Acme", pains="Approvals get lost in email")
    bot.fake.wait_for("chat.postMessage")
    assert (
        bot.slack.event({"type": "app_home_opened", "user": USER_ID, "tab": "home", "channel": "D1"}).status
        == 200
    )
    published = bot.fake.wait_for("views.publish")[0]
    assert published.response["ok"]
    assert published.args["user_id"] == USER_ID
    assert "Approvals get lost in email" in str(published.args["view"])

    opened = len(bot.fake.calls("views.open"))
    response = bot.slack.block_action(
        Home.LOG_INTERVIEW, block_id=Home.ACTIONS, view={"id": "VHOME", "type": "home"}
    )
    assert response.status == 200
    assert len(bot.fake.calls("views.open")) == opened + 1


def test_message_shortcut_prefills_the_notes_as_people_read_them(bot: RunningBot) -> None:
    # Message text arrives as Slack stores it: entities escaped, mentions and links as markup.
    stored = "Call with AT&amp;T: &lt;urgent&gt; <@U0002> said <https://a.example/deck|the deck> &amp;lt;"
    assert bot.slack.message_shortcut(Shortcut.LOG_FROM_MESSAGE, stored).status == 200
    view = bot.fake.calls("views.open")[0].args["view"]
    notes = next(b for b in view["blocks"] if b.get("block_id") == LogField.NOTES)
    assert notes["element"]["initial_value"] == (
        "Call with AT&T: <urgent> @U0002 said the deck (https://a.example/deck) &lt;"
    )


def test_an_escaped_account_in_the_command_is_the_same_account(bot: RunningBot) -> None:
    assert bot.slack.command("log AT&amp;T").status == 200
    view = bot.fake.calls("views.open")[0].args["view"]
    account = next(b for b in view["blocks"] if b.get("block_id") == LogField.ACCOUNT)
    assert account["element"]["initial_option"]["value"] == "AT&T"


def test_list_shows_my_ten_latest_interviews_newest_first(bot: RunningBot) -> None:
    names = [f"Customer {n:02d}" for n in range(12)]
    for name in names:
        submit_log_modal(bot, name)
    submit_log_modal(bot, "Globex", user_id="U0OTHER")  # the newest interview of the workspace, but not mine
    bot.fake.wait_for("chat.postMessage", count=13)
    body = bot.slack.command("list").json()
    assert body["response_type"] == "ephemeral"
    shown = [n for n in reversed(names) if n in str(body["blocks"])]
    assert shown == list(reversed(names))[:10]
    positions = [str(body["blocks"]).index(n) for n in shown]
    assert positions == sorted(positions)
    assert "Globex" not in str(body["blocks"])
    # Theirs lists what they logged and nothing of mine.
    other = str(bot.slack.command("list", user_id="U0OTHER").json()["blocks"])
    assert "Globex" in other and not any(name in other for name in names)
    nobody = bot.slack.command("list", user_id="U0NONE").json()
    assert "haven't logged any interviews" in str(nobody["blocks"])
    # The same person in another workspace has logged nothing there.
    elsewhere = str(bot.slack.command("list", team_id="T0OTHER").json()["blocks"])
    assert "haven't logged any interviews" in elsewhere and "Customer" not in elsewhere


def test_share_to_a_private_channel_without_the_bot_tells_the_user_how_to_fix_it(bot: RunningBot) -> None:
    bot.fake.answer("chat.postMessage", {"ok": True, "channel": "D1", "ts": "1.1"})  # the DM
    bot.fake.fail("chat.postMessage", "not_in_channel")  # the channel post
    submit_log_modal(bot, "Acme", share_channel="G0PRIVATE")
    calls = bot.fake.wait_for("chat.postMessage", count=3, include_rejected=True)
    assert calls[1].args["channel"] == "G0PRIVATE"
    told = calls[2]
    assert told.args["channel"] == USER_ID
    assert "/invite" in told.args["text"] and "saved" in told.args["text"]


@time_machine.travel(datetime(2026, 11, 23, 12, 0, tzinfo=UTC), tick=True)
def test_timezone_is_learned_once_and_the_date_follows_it(bot: RunningBot) -> None:
    # At noon UTC on the 23rd it is already 02:00 on the 24th in Kiritimati (UTC+14).
    bot.fake.set_user(USER_ID, tz="Pacific/Kiritimati")
    assert bot.slack.command("log").status == 200
    first = bot.fake.calls("views.open")[0].args["view"]
    assert held_on_default(first) == "2026-11-23"  # zone not known yet: UTC's date, at once
    update = bot.fake.wait_for("views.update")[0]
    assert held_on_default(update.args["view"]) == "2026-11-24"  # corrected in place once it is known

    assert bot.slack.command("log").status == 200
    assert held_on_default(bot.fake.calls("views.open")[-1].args["view"]) == "2026-11-24"
    after_ack_done(bot.deps)  # a second lookup would be made after the ack
    assert len(bot.fake.calls("users.info", include_rejected=True)) == 1


def held_on_default(view: dict) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == LogField.HELD_ON)
    return block["element"]["initial_date"]
