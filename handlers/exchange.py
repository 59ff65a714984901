"""`/interview export [ACCOUNT] [since DATE]`: the workspace's interviews as a CSV file, sent by DM.

The ack says the file is coming; the sheet is written and uploaded after it (an export may be long)."""

from __future__ import annotations

import logging
import re
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from slack_bolt import Ack

from bot.accounts.names import find_account
from bot.exchange.export import export_rows, write_csv
from bot.people.permissions import Act
from bot.text import escape_mrkdwn, truncate
from handlers.deps import Actor, Deps
from handlers.web_api.client import call, post_message
from handlers.web_api.refusals import SlackPermanentError

log = logging.getLogger(__name__)

_SINCE = re.compile(r"^(?P<account>.*?)\s*\bsince\s+(?P<date>\S+)\s*$", re.IGNORECASE | re.DOTALL)


def parse_export_text(text: str) -> tuple[str | None, str | None]:
    """`Acme since 2026-03-01` as (account, date as typed); either may be None."""
    match = _SINCE.match(text.strip())
    account, since = (match["account"], match["date"]) if match else (text, None)
    return (account.strip() or None), since


def export_command(*, ack: Ack, text: str, actor: Actor, deps: Deps) -> None:
    # Before anything is looked up: whether an account exists is the workspace's to know.
    deps.require(actor, Act.EXPORT)
    account_name, raw_since = parse_export_text(text)
    since: date | None = None
    if raw_since is not None:
        try:
            since = date.fromisoformat(raw_since)
        except ValueError:
            shown = escape_mrkdwn(truncate(raw_since, 40, "…"))
            ack(
                text=f"“{shown}” is not a date: write `/interview export since 2026-03-01`.",
                response_type="ephemeral",
            )
            return
    account_id: int | None = None
    if account_name is not None:
        with deps.db.read() as session:
            account = find_account(session=session, team_id=actor.team_id, name=account_name)
            account_id = account.id if account is not None else None
        if account_id is None:
            shown = escape_mrkdwn(truncate(account_name, 100, "…"))
            ack(text=f"There is no account named “{shown}” here.", response_type="ephemeral")
            return
    ack(text="I'll DM you the file in a moment.", response_type="ephemeral")
    deps.after_ack(lambda: send_export(deps=deps, actor=actor, since=since, account_id=account_id))


def send_export(*, deps: Deps, actor: Actor, since: date | None, account_id: int | None) -> None:
    """Write the sheet to a temporary file (memory stays flat) and upload it to the person's DM."""
    opened = call(deps.client.conversations_open, users=actor.user_id)
    channel = str((opened.get("channel") or {}).get("id") or actor.user_id)
    with tempfile.TemporaryDirectory() as tmp:
        today = datetime.now(UTC).date().isoformat()
        path = Path(tmp) / f"interviews-{today}.csv"
        with path.open("w", encoding="utf-8", newline="") as out, deps.db.read() as session:
            rows = export_rows(session=session, team_id=actor.team_id, since=since, account_id=account_id)
            count = write_csv(rows, out)
        if count == 0:
            post_message(deps.client, channel=channel, text="There are no interviews to export yet.")
            return
        try:
            call(
                deps.client.files_upload_v2,
                channel=channel,
                file=str(path),
                filename=path.name,
                title=f"Interviews ({count})",
                initial_comment=f"Here are {count} interviews, one row each.",
            )
        except SlackPermanentError as exc:
            log.warning("the export could not be sent to %s (%s)", actor.user_id, exc.error)
