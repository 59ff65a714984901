"""The workspaces a database holds, as `interview-bot teams` lists them and --team is checked against:
every team_id that left a row, with what it has in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from storage.models import (
    Account,
    DigestSubscription,
    DirectoryRead,
    FollowUp,
    Interview,
    Person,
    ScheduledCall,
    Study,
)


@dataclass(frozen=True)
class Workspace:
    team_id: str
    interviews: int = 0
    accounts: int = 0
    last_held_on: date | None = None


# Where a workspace leaves a row before its first interview: someone opened the bot (people), it read the
# member list, subscribed a channel to the digest, scheduled a call, started a study.
_PRESENT_IN = (Interview, Account, Person, DirectoryRead, DigestSubscription, ScheduledCall, FollowUp, Study)


def list_workspaces(*, session: Session) -> list[Workspace]:
    """Every workspace in the database, by team_id, with its interview and account counts and the date of
    its latest interview. Each count reads an index that starts with team_id."""
    present = union(*(select(model.team_id) for model in _PRESENT_IN))
    interviews = {
        team: (count, last)
        for team, count, last in session.execute(
            select(Interview.team_id, func.count(), func.max(Interview.held_on)).group_by(Interview.team_id)
        )
    }
    accounts = dict(
        (team, n)
        for team, n in session.execute(select(Account.team_id, func.count()).group_by(Account.team_id))
    )
    return [
        Workspace(
            team_id=team,
            interviews=interviews.get(team, (0, None))[0],
            accounts=accounts.get(team, 0),
            last_held_on=interviews.get(team, (0, None))[1],
        )
        for team in sorted(session.scalars(select(present.subquery().c.team_id)))
    ]
