"""The log modal's state values, as Slack sends them in a view_submission, and the modal opened and
submitted through the running bot; its study fields (the study picked, each point's answer and words),
which the edit, schedule and study modals share."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from handlers.views.log_modal import TEXT_FIELDS, LogField, LogModal
from handlers.views.study_pick import StudyPickId
from tests.support.slack_requests import USER_ID, Response

if TYPE_CHECKING:
    from tests.conftest import RunningBot


def open_log_modal(
    bot: RunningBot, text: str = "log Acme", *, user_id: str = USER_ID, team_id: str | None = None
) -> dict[str, Any]:
    """Run `/interview <text>`; the log modal it opened, as the bot sent it to views.open."""
    opened = len(bot.fake.calls("views.open"))
    assert bot.slack.command(text, user_id=user_id, team_id=team_id).status == 200
    # views.open happened before the command's HTTP response came back.
    calls = bot.fake.calls("views.open")
    assert len(calls) == opened + 1, [c.method for c in bot.fake.calls()]
    view = calls[-1].args["view"]
    assert view["callback_id"] == LogModal.CALLBACK_ID
    return view


def submit_log_modal(
    bot: RunningBot,
    account: str = "Acme",
    *,
    user_id: str = USER_ID,
    team_id: str | None = None,
    held_on: str | None = None,
    pains: str | None = "Reports are slow",
    **form: Any,
) -> Response:
    """Open the log modal with `/interview log <account>` and submit it filled in with log_form, held
    today where the user is unless `held_on` says otherwise; Slack's answer, a bare 200 (modal closed)."""
    team_id = team_id or bot.slack.team_id
    view = open_log_modal(bot, f"log {account}", user_id=user_id, team_id=team_id)
    # A person takes longer to fill the modal in than the bot takes to learn their zone after the ack.
    tz = bot.deps.timezones.resolve(client=bot.deps.client, team_id=team_id, user_id=user_id)
    values = log_form(
        account=account, held_on=held_on or datetime.now(tz).date().isoformat(), pains=pains, **form
    )
    response = bot.slack.view_submission(view, values, user_id=user_id, team_id=team_id)
    assert response.status == 200 and not response.body, response.body
    return response


def log_form(
    *,
    account: str | None = "Acme",
    kind: str | None = "discovery",
    held_on: str | None = None,
    participants: list[str] | None = None,
    recording_permission: bool = False,
    thank_you_sent: bool = False,
    share_channel: str | None = None,
    study: dict[str, Any] | None = None,
    **texts: str | None,
) -> dict[str, Any]:
    """State values for the log modal; unknown keyword names fail loudly. `study`: its study fields, as
    study_form writes them."""
    values: dict[str, Any] = {
        LogField.ACCOUNT: {
            LogModal.ACCOUNT_SEARCH: {
                "type": "external_select",
                "selected_option": {"text": {"type": "plain_text", "text": account}, "value": account}
                if account
                else None,
            }
        },
        LogField.KIND: {
            LogModal.VALUE: {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": kind}, "value": kind}
                if kind
                else None,
            }
        },
        LogField.HELD_ON: {LogModal.VALUE: {"type": "datepicker", "selected_date": held_on}},
        LogField.PARTICIPANTS: {
            LogModal.VALUE: {"type": "multi_users_select", "selected_users": participants or []}
        },
        LogField.RECORDING_PERMISSION: _checkbox(recording_permission),
        LogField.THANK_YOU_SENT: _checkbox(thank_you_sent),
        LogField.SHARE_CHANNEL: {
            LogModal.VALUE: {"type": "conversations_select", "selected_conversation": share_channel}
        },
    }
    known = {f.value for f in TEXT_FIELDS}
    unknown = set(texts) - known
    if unknown:
        raise TypeError(f"log_form has no text fields {sorted(unknown)}")
    for field in TEXT_FIELDS:
        values[field] = {LogModal.VALUE: {"type": "plain_text_input", "value": texts.get(field.value)}}
    values.update(study or {})
    return {str(k): {str(a): v for a, v in inner.items()} for k, inner in values.items()}


def study_form(
    study_id: int | str | None, answers: dict[int, tuple[str, str | None]] | None = None
) -> dict[str, Any]:
    """State values of the study fields: the study picked (None: "No study"; a str is sent as is, as a
    forged payload would) and, by point id, each point's answer ("supports", …) and words."""
    value = StudyPickId.NO_STUDY.value if study_id is None else str(study_id)
    values: dict[str, Any] = {
        StudyPickId.STUDY.value: {
            StudyPickId.PICK.value: {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
            }
        }
    }
    for point_id, (answer, words) in (answers or {}).items():
        values[f"{StudyPickId.ANSWER_BLOCK}{point_id}"] = {
            StudyPickId.ANSWER.value: {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": answer}, "value": answer},
            }
        }
        values[f"{StudyPickId.WORDS_BLOCK}{point_id}"] = {
            StudyPickId.WORDS.value: {"type": "plain_text_input", "value": words}
        }
    return values


def _checkbox(on: bool) -> dict[str, Any]:
    selected = [{"text": {"type": "plain_text", "text": "yes"}, "value": "yes"}] if on else []
    return {LogModal.CHECKED: {"type": "checkboxes", "selected_options": selected}}
