"""Closing the loop on the scheduler's tick: each status change that asks for it is planned once (see
bot.loop.plan), after asking Slack who of the people to ask has left the workspace. They are skipped, and
whoever set the status is told by DM which accounts nobody will tell because of it.

The follow-ups it makes are due at once: the same tick's reminders send them, in each person's working
hours."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.loop.plan import DueLoop, LoopPlan, due_loops, people_to_ask, plan_loop
from bot.outbox.queue import enqueue
from handlers.views.loop import loop_skipped_text
from handlers.web_api.client import call
from handlers.web_api.refusals import SlackPermanentError, slack_said
from handlers.web_api.roles import NOBODY
from storage.db import Database
from storage.models import OutboxKind

log = logging.getLogger(__name__)

# users.info refusals that say the person is not in the workspace any more: those about a person, but one
# merely hidden from the bot.
LEFT = NOBODY - {"user_not_visible"}


class LoopPlanner:
    """One per process; `tick` plans every loop that is due and returns how many it planned."""

    def __init__(self, *, db: Database, client: WebClient) -> None:
        self.db, self.client = db, client

    def tick(self) -> int:
        with self.db.read() as session:
            due = due_loops(session=session)
        planned = 0
        for loop in due:
            try:
                gone = self._gone(loop)
            except (
                SlackApiError,
                SlackPermanentError,
                OSError,
            ) as exc:  # who left is not known now: plan it next tick
                log.info("closing the loop on theme %s waits: %s", loop.theme_id, slack_said(exc) or exc)
                continue
            plan = self.db.run(lambda session, loop=loop, gone=gone: self._plan(session, loop, gone))
            if plan is not None:
                planned += 1
                log.info(
                    "closing the loop on theme %s: %d asked, %d left the workspace%s",
                    plan.theme_id,
                    len(plan.asked),
                    len(plan.gone),
                    f" ({plan.nothing})" if plan.nothing else "",
                )
        return planned

    def _gone(self, loop: DueLoop) -> set[str]:
        with self.db.read() as session:
            people = people_to_ask(session=session, theme_id=loop.theme_id)
        return {person for person in sorted(people) if self._left(person)}

    def _left(self, user_id: str) -> bool:
        try:
            user = call(self.client.users_info, user=user_id).get("user") or {}
        except SlackPermanentError as exc:
            if exc.error in LEFT:
                return True
            raise
        return user.get("deleted") is True

    def _plan(self, session: Session, loop: DueLoop, gone: set[str]) -> LoopPlan | None:
        now = datetime.now(UTC)
        plan = plan_loop(session=session, change_id=loop.change_id, now=now, gone=gone)
        if plan is not None and plan.gone and plan.changed_by not in plan.gone:
            text = loop_skipped_text(plan)
            enqueue(
                session=session,
                team_id=loop.team_id,
                user_id=plan.changed_by,
                kind=OutboxKind.LOOP_SKIPPED,
                channel_id=plan.changed_by,
                text=text,
                about=f"closing the loop on {plan.theme}",
                now=now,
            )
        return plan
