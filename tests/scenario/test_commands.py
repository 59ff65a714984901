"""`/interview` and its subcommands as a person types them: list, help, an escaped account."""

from __future__ import annotations

from handlers.views.log_modal import LogField
from tests.conftest import RunningBot
from tests.support.forms import submit_log_modal


def test_an_escaped_account_in_the_command_is_the_same_account(bot: RunningBot) -> None:
    assert bot.slack.command("log AT&amp;T").status == 200
    view = bot.fake.calls("views.open")[0].args["view"]
    account = next(b for b in view["blocks"] if b.get("block_id") == LogField.ACCOUNT)
    assert account["element"]["initial_option"]["value"] == "AT&T"


def test_list_shows_my_ten_latest_interviews_newest_first(bot: RunningBot, elsewhere: RunningBot) -> None:
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
    theirs = str(elsewhere.slack.command("list").json()["blocks"])
    assert "haven't logged any interviews" in theirs and "Customer" not in theirs
