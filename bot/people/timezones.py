"""People's timezones: times are stored in UTC and shown, and planned, in each person's own zone.

Slack says where each person is (handlers.web_api.timezones reads it and keeps it in memory); the
database keeps what it said and when, so replicas and restarts share it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import Person

log = logging.getLogger(__name__)

REFRESH_AFTER = timedelta(days=1)  # people travel; Slack's tz follows them
FALLBACK_TZ = ZoneInfo("UTC")


def find_person(session: Session, team_id: str, user_id: str) -> Person | None:
    return session.scalar(select(Person).where(Person.team_id == team_id, Person.user_id == user_id))


def person_for(session: Session, team_id: str, user_id: str) -> Person:
    """The person's row, added to the session when they have none yet."""
    person = find_person(session, team_id, user_id)
    if person is None:
        person = Person(team_id=team_id, user_id=user_id)
        session.add(person)
    return person


def zone(name: str | None) -> ZoneInfo:
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown timezone %r; using UTC", name)
    return FALLBACK_TZ


def stored_zone(*, session: Session, team_id: str, user_id: str) -> str | None:
    """The timezone last read from Slack for this person, however old; None when never read."""
    return session.scalar(select(Person.tz).where(Person.team_id == team_id, Person.user_id == user_id))


def fresh_zone(*, session: Session, team_id: str, user_id: str, now: datetime) -> str | None:
    """The timezone read from Slack less than REFRESH_AFTER ago; None when older or never read."""
    person = find_person(session, team_id, user_id)
    if person and person.tz and person.tz_fetched_at and now - person.tz_fetched_at < REFRESH_AFTER:
        return person.tz
    return None


def store_zone(db: Database, *, team_id: str, user_id: str, name: str | None, now: datetime) -> None:
    """What Slack just said of this person's timezone, in a transaction of its own: another replica
    storing the same person at the same moment is no error."""
    try:
        with db.transaction() as session:
            person = person_for(session, team_id, user_id)
            person.tz, person.tz_fetched_at = name, now
    except IntegrityError:
        pass
