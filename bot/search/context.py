"""What a result shows beside its excerpts: the topics its pains are in, and the study it was logged into.
One query each for the whole page."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.themes.status import status_label
from storage.models import Pain, Study, StudyInterview, Theme, ThemeStatus, Topic


def topics_of(session: Session, team_id: str, interview_ids: list[int]) -> dict[int, list[str]]:
    """The topics of each interview's pains, in the order of its pains; a theme not open is named with
    its status ("Sign-in › Okta logouts [shipped]"), in a topic or not."""
    out: dict[int, list[str]] = {}
    if interview_ids:
        rows = session.execute(
            select(Pain.interview_id, Topic.name, Theme.name, Theme.status)
            .join(Theme, Theme.id == Pain.theme_id)
            .outerjoin(Topic, Topic.id == Theme.topic_id)
            .where(Pain.team_id == team_id, Pain.interview_id.in_(interview_ids))
            .where(or_(Theme.topic_id.is_not(None), Theme.status != ThemeStatus.OPEN))
            .order_by(Pain.interview_id, Pain.id)
        )
        for interview_id, topic, theme, status in rows:
            if status is ThemeStatus.OPEN:
                name = topic
            else:
                where = f"{topic} › {theme}" if topic else theme
                name = f"{where} [{status_label(status).lower()}]"
            out.setdefault(interview_id, []).append(name)
    return out


def studies_of(session: Session, team_id: str, interview_ids: list[int]) -> dict[int, str]:
    """The study each of these interviews was logged into (one at most)."""
    if not interview_ids:
        return {}
    rows = session.execute(
        select(StudyInterview.interview_id, Study.name)
        .join(Study, Study.id == StudyInterview.study_id)
        .where(StudyInterview.team_id == team_id, StudyInterview.interview_id.in_(interview_ids))
    )
    return {interview_id: name for interview_id, name in rows}
