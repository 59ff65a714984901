"""The import: a team's earlier interview notes, from a sheet with the export's columns, checked row by row
and stored like logged interviews (the same validation; their pains and requests wait for the theme
engine like any others).

Each row is keyed by a hash of its content ("import:" + sha256, in `source_view_id`), so importing the same
file twice creates nothing new. A row changed in the file has another key: it is a new interview, and the
one imported before stays (the dry run lists it as one it would create).

A row may name the study it was logged into and its answers (bot/exchange/studies.py): the study must be
the workspace's and open, each point one of its live points; the answers are stored with the row, in its
savepoint.

Imported calls are in the past, so no thank-you or summary reminder is planned for them (a reminder for a
year-old thank-you is noise). The follow-ups the sheet lists come back with their states and are never
reminded of.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from bot.accounts.names import get_or_create_account, normalize_account_name
from bot.capture.interviews import (
    FIELD_MAX,
    STORED_AS_TYPED,
    InterviewDraft,
    log_interview,
    validate_draft,
)
from bot.errors import InvalidInput
from bot.exchange.cells import COLUMNS, restore
from bot.exchange.export import IMPORTED_BY
from bot.exchange.studies import Resolved, check_answer_lines
from bot.studies.answers import set_study
from bot.text import clean_text, split_lines
from storage.models import (
    Account,
    CustomerRequest,
    FollowUp,
    FollowUpKind,
    FollowUpState,
    Interview,
    InterviewKind,
    Pain,
    Participant,
    Quote,
)

KEY_PREFIX = "import:"
# Longer than any field takes, so the reason names the column; the csv reader's own limit is far above.
CELL_MAX = max(FIELD_MAX.values())
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_FOLLOW_UP = re.compile(r"^(?P<kind>[a-z_]+) \((?P<state>[a-z_]+)\): (?P<text>.+)$")
_KINDS = {k.value: k for k in InterviewKind} | {k.label.casefold(): k for k in InterviewKind}
# The form's field names as the sheet's columns, for the reasons a row is rejected.
_FIELD_COLUMN = {"contact_name": "contact", "contact_role": "role", "held_on": "date"}
_HEADER = {c.key: c.header for c in COLUMNS}


@dataclass(frozen=True)
class ImportedFollowUp:
    kind: FollowUpKind
    state: FollowUpState
    description: str


@dataclass
class Row:
    """One good row of the file, checked, with the key that makes importing it twice a no-op."""

    line: int
    draft: InterviewDraft
    logged_by: str
    follow_ups: list[ImportedFollowUp] = field(default_factory=list)
    key: str = ""
    study: str = ""  # the study's name as the sheet writes it, "" for none
    answers: list[str] = field(default_factory=list)  # `point: answer: evidence`, checked for form only
    resolved: Resolved | None = None  # the study and answers as the workspace holds them, once checked


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


def _cell(record: list[str], positions: Mapping[str, int], key: str) -> str:
    at = positions.get(key)
    return restore(record[at]).strip() if at is not None and at < len(record) else ""


def _follow_ups(cell: str) -> list[ImportedFollowUp]:
    items = []
    for line in cell.splitlines():
        if not line.strip():
            continue
        match = _FOLLOW_UP.match(line.strip())
        try:
            assert match is not None
            items.append(
                ImportedFollowUp(
                    FollowUpKind(match["kind"]), FollowUpState(match["state"]), match["text"].strip()
                )
            )
        except (AssertionError, ValueError):
            raise ValueError(
                f"follow-ups: “{line.strip()[:80]}” is not like “thank_you (done): Send Acme a thank-you”"
            ) from None
    return items


def _key(row: Row) -> str:
    d = row.draft
    content = [
        (d.account or "").casefold(),
        d.held_on.isoformat() if d.held_on else "",
        d.kind,
        row.logged_by,
        sorted(d.participants),
        *[(getattr(d, name) or "").strip() for name in _TEXT_FIELDS],
        [(f.kind.value, f.state.value, f.description) for f in row.follow_ups],
    ]
    if row.study:  # only then: a row with no study keeps the key it had before studies were exported
        content.append([row.study.casefold(), [line.casefold() for line in row.answers]])
    digest = hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()
    return KEY_PREFIX + digest[: 64 - len(KEY_PREFIX)]


# Stored as typed (trimmed), as logging stores them; the rest are split into lines. The sheet has no
# recording link.
_STORED_AS_TYPED = tuple(name for name in STORED_AS_TYPED if name != "recording_url")
_TEXT_FIELDS = (
    "contact_name",
    "contact_role",
    "goal",
    "pains",
    "requests",
    "quotes",
    "interpretation",
    "closing_answer",
    "notes",
)


def check_record(record: list[str], positions: Mapping[str, int], *, line: int, today: date) -> Row:
    """One record of the file as a row to store; raises ValueError saying what is wrong with it."""
    for key, at in positions.items():
        if at < len(record) and len(record[at]) > CELL_MAX:
            raise ValueError(
                f"{_HEADER[key]}: the cell has {len(record[at])} characters; keep it under {CELL_MAX}"
            )
        if at < len(record) and "\0" in record[at]:
            # Never typed: a file saved as UTF-16, or bytes that are not text, read as if they were.
            raise ValueError(f"{_HEADER[key]}: the cell holds a NUL character; take it out")
    get = lambda key: _cell(record, positions, key)  # noqa: E731
    raw_date = get("date")
    if not raw_date:
        held_on = None
    elif not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw_date):
        raise ValueError(f"date: “{raw_date[:40]}” is not a date like 2026-03-04")
    else:
        try:
            held_on = date.fromisoformat(raw_date)
        except ValueError:
            raise ValueError(f"date: “{raw_date}” is not a real date") from None
    raw_kind = get("kind")
    kind = _KINDS.get(raw_kind.casefold()) if raw_kind else InterviewKind.DISCOVERY
    if kind is None:
        raise ValueError(f"kind: “{raw_kind[:40]}” is none of {', '.join(k.value for k in InterviewKind)}")
    who = [w for w in re.split(r"[\s,;]+", get("who")) if w]
    strangers = [w for w in who if not _SLACK_ID.match(w)]
    if strangers:
        raise ValueError(f"who: “{strangers[0][:40]}” is not a Slack member id (like U0123ABCD)")
    draft = InterviewDraft(
        account=get("account"),
        kind=kind.value,
        held_on=held_on,
        participants=who[1:],
        contact_name=get("contact"),
        contact_role=get("role"),
        goal=get("goal"),
        pains=get("pains"),
        requests=get("requests"),
        quotes=get("quotes"),
        interpretation=get("interpretation"),
        closing_answer=get("closing_answer"),
        notes=get("notes"),
        # Said so: the interview plans no thank-you of its own.
        thank_you_sent=True,
    )
    try:
        validate_draft(draft, today=today)
    except InvalidInput as exc:
        name, reason = next(iter(exc.fields.items()))
        column = _HEADER.get(_FIELD_COLUMN.get(name, name), name)
        if name == "pains":
            reason = "write at least one pain (one per line), or some notes"
        raise ValueError(f"{column}: {reason[0].lower()}{reason[1:]}".rstrip(".")) from None
    row = Row(
        line=line,
        draft=draft,
        logged_by=who[0] if who else IMPORTED_BY,
        follow_ups=_follow_ups(get("follow_ups")),
        study=" ".join(clean_text(get("study")).split()),
    )
    row.answers = check_answer_lines(get("study_answers"), study=row.study)
    row.key = _key(row)
    return row


def already_imported(*, session: Session, team_id: str, keys: Iterable[str]) -> set[str]:
    """Which of these keys the workspace already holds."""
    keys = list(keys)
    found: set[str] = set()
    for at in range(0, len(keys), 500):
        found.update(
            session.scalars(
                select(Interview.source_view_id).where(
                    Interview.team_id == team_id, Interview.source_view_id.in_(keys[at : at + 500])
                )
            )
        )
    return found


def store_row(*, session: Session, team_id: str, row: Row, now: datetime) -> bool:
    """Store one checked row with its follow-ups (never reminded); False when it was imported before."""
    logged = log_interview(
        session=session,
        team_id=team_id,
        user_id=row.logged_by,
        draft=row.draft,
        now=now,
        tz=UTC,
        thank_you_after=timedelta(0),
        summary_after=timedelta(0),
        source_view_id=row.key,
        plan=False,
    )
    if not logged.created:
        return False
    _store_study(session, team_id, row, logged.interview.id, now)
    assert row.draft.held_on is not None  # checked
    due_at = datetime.combine(row.draft.held_on, time(12), tzinfo=UTC)
    for item in row.follow_ups:
        logged.interview.follow_ups.append(
            FollowUp(
                team_id=team_id,
                owner_id=row.logged_by,
                kind=item.kind,
                description=item.description,
                due_at=due_at,
                state=item.state,
                closed_at=None,  # closed before it came in, at a time the sheet does not say
                remind_at=None,
                reminders_sent=0,
            )
        )
    session.flush()
    return True


def store_rows(*, session: Session, team_id: str, rows: list[Row], now: datetime) -> int:
    """Store checked rows not imported before, in a few statements per batch rather than a few per row
    (the same rows and lines `store_row` stores). The caller runs it in a savepoint and falls back to
    `store_row` one by one if the database refuses the batch (the same file imported at the same moment)."""
    if not rows:
        return 0
    accounts: dict[str, int] = {}
    latest: dict[int, date] = {}
    # The accounts the batch names that exist already, in one query: most of a sheet's are.
    names = {(row.draft.account or "").casefold(): row.draft.account or "" for row in rows}
    normalized = {normalize_account_name(name): folded for folded, name in names.items()}
    for at in range(0, len(normalized), 500):
        for account_id, key in session.execute(
            select(Account.id, Account.normalized_name).where(
                Account.team_id == team_id, Account.normalized_name.in_(list(normalized)[at : at + 500])
            )
        ):
            accounts[normalized[key]] = account_id
    for row in rows:
        name = row.draft.account or ""
        if name.casefold() not in accounts:
            accounts[name.casefold()] = get_or_create_account(session=session, team_id=team_id, name=name).id
    interview_values = []
    for row in rows:
        d = row.draft
        assert d.held_on is not None and d.kind is not None  # checked
        account_id = accounts[(d.account or "").casefold()]
        latest[account_id] = max(latest.get(account_id, d.held_on), d.held_on)
        interview_values.append(
            {
                "team_id": team_id,
                "account_id": account_id,
                "kind": InterviewKind(d.kind),
                "held_on": d.held_on,
                "logged_by": row.logged_by,
                "logged_at": now,
                **{name: clean_text(getattr(d, name) or "") or None for name in _STORED_AS_TYPED},
                "recording_permission": False,
                "thank_you_sent": True,
                "source_view_id": row.key,
            }
        )
    ids = session.scalars(
        insert(Interview).returning(Interview.id, sort_by_parameter_order=True), interview_values
    ).all()
    participants, pains, requests, quotes, follow_ups = [], [], [], [], []
    for row, interview_id, values in zip(rows, ids, interview_values, strict=True):
        d, account_id = row.draft, values["account_id"]
        base = {"team_id": team_id, "interview_id": interview_id}
        participants += [{**base, "user_id": u} for u in dict.fromkeys([row.logged_by, *d.participants])]
        for target, text in ((pains, d.pains), (requests, d.requests)):
            target += [
                {**base, "account_id": account_id, "position": i, "text": t}
                for i, t in enumerate(split_lines(text))
            ]
        quotes += [{**base, "position": i, "text": t} for i, t in enumerate(split_lines(d.quotes))]
        assert d.held_on is not None
        due_at = datetime.combine(d.held_on, time(12), tzinfo=UTC)
        follow_ups += [
            {
                **base,
                "owner_id": row.logged_by,
                "kind": f.kind,
                "description": f.description,
                "due_at": due_at,
                "state": f.state,
                "created_at": now,
                "closed_at": None,  # closed before it came in, at a time the sheet does not say
                "remind_at": None,
                "reminders_sent": 0,
            }
            for f in row.follow_ups
        ]
    for model, values in (
        (Participant, participants),
        (Pain, pains),
        (CustomerRequest, requests),
        (Quote, quotes),
        (FollowUp, follow_ups),
    ):
        if values:
            session.execute(insert(model), values)
    # One conditional update, as logging does (an interview logged meanwhile with a later date keeps its
    # date), sent for every account of the batch at once rather than one round trip each.
    held = bindparam("held_on_", type_=Account.last_held_on.type)
    later = (
        update(Account)
        .where(
            Account.id == bindparam("account_id_"),
            or_(Account.last_held_on.is_(None), Account.last_held_on < held),
        )
        .values(last_held_on=held)
    )
    if latest:
        session.connection().execute(
            later, [{"account_id_": a, "held_on_": d} for a, d in sorted(latest.items())]
        )
    for row, interview_id in zip(rows, ids, strict=True):
        _store_study(session, team_id, row, interview_id, now)
    return len(ids)


def _store_study(session: Session, team_id: str, row: Row, interview_id: int, now: datetime) -> None:
    """The row's study and answers, checked before (`resolve_all`); closed since: StudyClosed."""
    assert not row.study or row.resolved is not None, "a row's study is checked before it is stored"
    if row.resolved is not None:
        set_study(
            session=session,
            team_id=team_id,
            interview_id=interview_id,
            study_id=row.resolved.study_id,
            replies=row.resolved.replies,
            by=row.logged_by,
            now=now,
            remember=False,
        )
