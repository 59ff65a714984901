"""The export: one row per interview, streamed from the database onto the output, every cell defused."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.capture.interviews import interview_parts
from bot.exchange.cells import BOM, HEADERS, defuse
from storage.models import FollowUp, Interview, Theme

# Who logged an imported interview when the sheet did not say: no Slack member, so never shown as one.
IMPORTED_BY = "import"
# Interviews read per round trip: memory holds one batch, however many the workspace has.
BATCH = 500


def follow_up_line(item: FollowUp) -> str:
    return f"{item.kind.value} ({item.state.value}): {item.description}"


def interview_row(interview: Interview, theme_names: dict[int, str]) -> list[str]:
    """The cells of one interview, in the order of COLUMNS, before defusing."""
    lines = [*interview.pains, *interview.requests]
    themes = dict.fromkeys(theme_names[x.theme_id] for x in lines if x.theme_id in theme_names)
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
        "\n".join(themes),
    ]


def export_rows(
    *, session: Session, team_id: str, since: date | None = None, account_id: int | None = None
) -> Iterator[list[str]]:
    """The workspace's interviews (from `since`, of one account) as defused rows, oldest call first.

    Read in batches through a streaming cursor: only one batch and its lines are in memory at a time.
    """
    theme_names = dict(session.execute(select(Theme.id, Theme.name).where(Theme.team_id == team_id)).all())
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
        for interview in partition:
            yield [defuse(cell) for cell in interview_row(interview, theme_names)]
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
