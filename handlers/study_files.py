"""A study's whole sheet by DM: its CSV (every account's answer and words to every point, with the tallies)
and the accounts × points picture with its alt text. The click is answered at once; the files are drawn
and uploaded after the ack (a picture of sixty accounts takes half a second)."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App

from bot.errors import BotError
from bot.people.permissions import Act
from bot.studies.outputs import matrix_alt_text, matrix_png, sheet_csv
from bot.studies.sheet import build_sheet
from bot.studies.store import get_study
from handlers.deps import Actor, Deps
from handlers.views.common import as_object, id_number
from handlers.views.studies import StudyAction
from handlers.views.study_sheet import sheet_sent_note
from handlers.web_api.client import call, post_message
from handlers.web_api.refusals import SlackPermanentError

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(StudyAction.SEND_SHEET)(send_sheet_clicked)


def file_stem(name: str) -> str:
    """A study's name as a file's: letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:60] or "study"


def send_sheet_clicked(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    deps.require(actor, Act.STUDY)
    study_id = id_number(as_object((body.get("actions") or [{}])[0]).get("value"))
    if study_id is None:
        raise BotError("That button is out of date: open /interview study again.")
    with deps.db.read() as session:
        get_study(session=session, team_id=actor.team_id, study_id=study_id)  # another workspace's: refused
    ack()
    deps.after_ack(lambda: send_sheet(deps=deps, actor=actor, study_id=study_id))


def send_sheet(*, deps: Deps, actor: Actor, study_id: int) -> None:
    """The sheet as it is now (a closed study's as it closed), uploaded to the person's DM."""
    with deps.db.read() as session:
        sheet = build_sheet(session=session, team_id=actor.team_id, study_id=study_id)
    opened = call(deps.client.conversations_open, users=actor.user_id)
    channel = str((opened.get("channel") or {}).get("id") or actor.user_id)
    stem = file_stem(sheet.name)
    try:
        call(
            deps.client.files_upload_v2,
            channel=channel,
            initial_comment=sheet_sent_note(sheet.name),
            file_uploads=[
                {
                    "content": sheet_csv(sheet).encode("utf-8"),
                    "filename": f"{stem}.csv",
                    "title": f"{sheet.name} (CSV)",
                },
                {
                    "content": matrix_png(sheet),
                    "filename": f"{stem}.png",
                    "title": sheet.name,
                    "alt_txt": matrix_alt_text(sheet),
                },
            ],
        )
    except SlackPermanentError as exc:
        log.warning("the sheet of study %s could not be sent to %s (%s)", study_id, actor.user_id, exc.error)
        post_message(
            deps.client, channel=channel, text="I couldn't upload the sheet here just now; try again."
        )
