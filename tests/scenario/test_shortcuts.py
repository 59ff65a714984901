"""The message shortcut: a pasted call summary becomes a prefilled log modal."""

from __future__ import annotations

from handlers.shortcuts import Shortcut
from handlers.views.log_modal import LogField
from tests.conftest import RunningBot


def test_message_shortcut_prefills_the_notes_as_people_read_them(bot: RunningBot) -> None:
    # Message text arrives as Slack stores it: entities escaped, mentions and links as markup.
    stored = "Call with AT&amp;T: &lt;urgent&gt; <@U0002> said <https://a.example/deck|the deck> &amp;lt;"
    assert bot.slack.message_shortcut(Shortcut.LOG_FROM_MESSAGE, stored).status == 200
    view = bot.fake.calls("views.open")[0].args["view"]
    notes = next(b for b in view["blocks"] if b.get("block_id") == LogField.NOTES)
    assert notes["element"]["initial_value"] == (
        "Call with AT&T: <urgent> @U0002 said the deck (https://a.example/deck) &lt;"
    )
