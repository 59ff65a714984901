"""The study form's state values, as Slack sends them in a view_submission, and the study modals opened,
clicked and submitted through the running bot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.views.studies import StudyAction, StudyField, StudyView
from tests.support.slack_requests import USER_ID, Response

if TYPE_CHECKING:
    from tests.conftest import RunningBot


def study_values(
    *,
    name: str = "CRM sync",
    goal: str = "Is two-way CRM sync worth building this quarter?",
    points: str = "Teams re-key deals by hand\nThey would pay for two-way sync\nAdmins can set it up alone",
    owners: list[str] | None = None,
    target: str | None = None,
    accounts: str | None = None,
    ends_on: str | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    """State values for the study form (a field left None: not filled in)."""

    def text(value: str | None) -> dict[str, Any]:
        return {StudyField.VALUE: {"type": "plain_text_input", "value": value}}

    return {
        StudyField.NAME: text(name),
        StudyField.GOAL: text(goal),
        StudyField.POINTS: text(points),
        StudyField.OWNERS: {StudyField.VALUE: {"type": "multi_users_select", "selected_users": owners or []}},
        StudyField.TARGET_INTERVIEWS: {StudyField.VALUE: {"type": "number_input", "value": target}},
        StudyField.TARGET_ACCOUNTS: text(accounts),
        StudyField.ENDS_ON: {StudyField.VALUE: {"type": "datepicker", "selected_date": ends_on}},
        StudyField.CHANNEL: {
            StudyField.VALUE: {"type": "conversations_select", "selected_conversation": channel}
        },
    }


def conclusion_values(conclusion: str) -> dict[str, Any]:
    return {StudyField.CONCLUSION: {StudyField.VALUE: {"type": "plain_text_input", "value": conclusion}}}


def opened(bot: RunningBot, text: str, *, user_id: str = USER_ID, callback_id: str) -> dict[str, Any]:
    """Run `/interview <text>`; the modal it opened, as Slack holds it (with its id)."""
    before = len(bot.fake.calls("views.open"))
    response = bot.slack.command(text, user_id=user_id)
    assert response.status == 200 and not response.body, response.body
    call = bot.fake.calls("views.open")[before]
    assert call.response["ok"] and call.args["view"]["callback_id"] == callback_id, call.response
    return call.response["view"]


def open_list(bot: RunningBot, *, user_id: str = USER_ID) -> dict[str, Any]:
    return opened(bot, "study", user_id=user_id, callback_id=StudyView.LIST)


def click(
    bot: RunningBot, view: dict[str, Any], action: StudyAction, study_id: int, *, user_id: str = USER_ID
) -> Response:
    return bot.slack.block_action(
        action, block_id=f"study_{study_id}", view=view, value=str(study_id), user_id=user_id
    )


def pushed(
    bot: RunningBot, view: dict[str, Any], action: StudyAction, study_id: int, **kw: Any
) -> dict[str, Any]:
    """Click `action` in `view`; the modal it pushed on top, as Slack holds it."""
    before = len(bot.fake.calls("views.push"))
    assert click(bot, view, action, study_id, **kw).status == 200
    calls = bot.fake.calls("views.push")
    assert len(calls) == before + 1, [c.method for c in bot.fake.calls()]
    return calls[-1].response["view"]


def create(bot: RunningBot, *, user_id: str = USER_ID, **values: Any) -> Response:
    """`/interview study new`, submitted with `values` (study_values' names)."""
    form = opened(bot, "study new", user_id=user_id, callback_id=StudyView.FORM)
    return bot.slack.view_submission(form, study_values(**values), user_id=user_id)
