"""The export: one row per interview, streamed from the database onto the output, every cell defused."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import date
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.capture.interviews import interview_parts
from bot.exchange.cells import BOM, HEADERS, defuse
from bot.exchange.studies import study_cells
from bot.themes.status import status_label
from storage.models import CustomerRequest, FollowUp, Interview, Pain, Theme, ThemeStatus, Topic

# Who logged an imported interview when the sheet did not say: no Slack member, so never shown as one.
IMPORTED_BY = "import"
# Interviews read per round trip: memory holds one batch, however many the workspace has.
BATCH = 500


def follow_up_line(item: FollowUp) -> str:
    return f"{item.kind.value} ({item.state.value}): {item.description}"


def placed_lines(lines: Sequence[Pain] | Sequence[CustomerRequest], places: dict[int, str]) -> str:
    """Where each line went ("topic › theme"), one per line in the lines' order, empty for none."""
    return "\n".join(places.get(line.theme_id, "") if line.theme_id is not None else "" for line in lines)


def theme_places(session: Session, team_id: str) -> dict[int, str]:
    """Each live theme of the workspace as the sheet shows where a line went: "topic › theme"."""
    rows = session.execute(
        select(Theme.id, Theme.name, Topic.name, Theme.status)
        .outerjoin(Topic, Topic.id == Theme.topic_id)
        .where(Theme.team_id == team_id, Theme.merged_into_id.is_(None))
    ).all()
    return {
        theme_id: (f"{topic} › {name}" if topic else name) + _status(status)
        for theme_id, name, topic, status in rows
    }


def _status(status: ThemeStatus) -> str:
    """' [shipped]' after a theme that is not open: the import ignores the column."""
    return "" if status is ThemeStatus.OPEN else f" [{status_label(status).lower()}]"


def interview_row(
    interview: Interview, places: dict[int, str], study: tuple[str, str] = ("", "")
) -> list[str]:
    """The cells of one interview, in the order of COLUMNS, before defusing; `study`: its study's name and
    answers (bot.exchange.studies.study_cells), empty for none."""
    return [
        interview.account.name,
        interview.held_on.isoformat(),
        interview.kind.value,
        " ".join(p.user_id for p in interview.participants if p.user_id != IMPORTED_BY),
        interview.contact_name or "",
        interview.contact_role or "",
        interview.goal or "",
        "\n".join(p.text for p in interview.pains),
        "\n".join(r.text for r in interview.requests),
        "\n".join(q.text for q in interview.quotes),
        interview.interpretation or "",
        interview.closing_answer or "",
        interview.notes or "",
        "\n".join(follow_up_line(f) for f in sorted(interview.follow_ups, key=lambda f: (f.due_at, f.id))),
        *study,
        placed_lines(interview.pains, places),
        placed_lines(interview.requests, places),
    ]


def export_rows(
    *, session: Session, team_id: str, since: date | None = None, account_id: int | None = None
) -> Iterator[list[str]]:
    """The workspace's interviews (from `since`, of one account) as defused rows, oldest call first.

    Read in batches through a streaming cursor: only one batch and its lines are in memory at a time.
    """
    places = theme_places(session, team_id)
    stmt = (
        select(Interview)
        .where(Interview.team_id == team_id)
        .options(*interview_parts(Interview.follow_ups))
        .order_by(Interview.held_on, Interview.id)
        .execution_options(yield_per=BATCH)
    )
    if since is not None:
        stmt = stmt.where(Interview.held_on >= since)
    if account_id is not None:
        stmt = stmt.where(Interview.account_id == account_id)
    for partition in session.scalars(stmt).partitions():
        # The batch's studies and answers in two queries, beside the rows' own.
        studies = study_cells(session=session, team_id=team_id, interview_ids=[i.id for i in partition])
        for interview in partition:
            cells = interview_row(interview, places, studies.get(interview.id, ("", "")))
            yield [defuse(cell) for cell in cells]
        # The session holds what it loaded weakly: once a batch is written and dropped, its objects go.


def write_csv(rows: Iterator[list[str]], out: TextIO) -> int:
    """The sheet onto `out` (opened with newline=""): a BOM, the headers, the rows. Returns the row count."""
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
