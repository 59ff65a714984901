"""App Home: the latest interviews, and its button that opens the log modal."""

from __future__ import annotations

from handlers.views.home import Home
from tests.conftest import RunningBot
from tests.support.forms import submit_log_modal
from tests.support.slack_requests import USER_ID


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
