"""Closing the loop, planned from a status change: who is asked, about which accounts and lines; once per
person and theme (the claim and the unique key each alone); nothing on a status set back and forth, on a
theme that moved on before the tick, or for a deleted line; and who left is skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from bot.capture.removal import remove_interviews
from bot.followups.actions import close
from bot.loop import plan as loop_plan
from bot.loop.plan import due_loops, plan_loop
from bot.loop.tells import tell_account, tell_lists, told_counts
from bot.themes.status import set_status
from storage.db import Database
from storage.models import (
    Account,
    CustomerTell,
    DeliveryState,
    FollowUp,
    FollowUpKind,
    FollowUpState,
    Interview,
    Pain,
    ReminderDelivery,
    ThemeStatus,
)
from tests.support.loop import ASKED, O1, O2, P1, P2, logged, raised

TEAM = "T0LOOP"
NOW = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)


@dataclass
class Shipping:
    theme_id: int
    interviews: dict[str, int]


@pytest.fixture
def shipping(database: Database) -> Shipping:
    return Shipping(*raised(database, TEAM, NOW))


def set_to(db: Database, theme_id: int, status: ThemeStatus, *, at: datetime = NOW, **kw: object) -> None:
    with db.transaction() as session:
        set_status(
            session=session,
            team_id=TEAM,
            theme_id=theme_id,
            status=status,
            note=kw.pop("note", None),  # type: ignore[arg-type]
            link=kw.pop("link", None),  # type: ignore[arg-type]
            by="U0PM",
            now=at,
            **kw,  # type: ignore[arg-type]
        )


def plan_all(db: Database, *, gone: set[str] | None = None, at: datetime = NOW) -> list:
    with db.read() as session:
        due = due_loops(session=session)
    return [
        db.run(lambda s, d=d: plan_loop(session=s, change_id=d.change_id, now=at, gone=gone or set()))
        for d in due
    ]


def loop_follow_ups(db: Database) -> dict[str, int]:
    """Each person's closing-the-loop follow-up id."""
    with db.read() as session:
        return dict(
            session.execute(
                select(FollowUp.owner_id, FollowUp.id).where(FollowUp.theme_id.is_not(None))
            ).all()
        )


def asked(db: Database) -> dict[str, list[str]]:
    """Each person's closing-the-loop follow-ups, as the accounts each lists."""
    with db.read() as session:
        items = list(
            session.scalars(select(FollowUp).where(FollowUp.kind.in_([k for k in FollowUpKind if k.tells])))
        )
        lists = tell_lists(session=session, team_id=TEAM, items=items)
        out: dict[str, list[str]] = {}
        for item in items:
            assert item.owner_id not in out, f"{item.owner_id} was asked twice"
            out[item.owner_id] = [a.name for a in lists[item.id].accounts]
        return out


def test_shipping_asks_each_logger_and_owner_once_about_their_accounts(
    database: Database, shipping: Shipping
) -> None:
    set_to(
        database,
        shipping.theme_id,
        ThemeStatus.SHIPPED,
        note="Exports stream now",
        link="https://example.com/r/5",
    )
    (plan,) = plan_all(database)
    assert set(plan.asked) == set(ASKED) and not plan.gone
    assert asked(database) == ASKED
    with database.read() as session:
        item = session.scalar(select(FollowUp).where(FollowUp.owner_id == P1))
        (tell,) = tell_lists(session=session, team_id=TEAM, items=[item]).values()
    assert item.kind is FollowUpKind.TELL_SHIPPED and item.remind_at == NOW
    assert (tell.note, tell.link) == ("Exports stream now", "https://example.com/r/5")
    acme = tell.accounts[0]
    assert [line.text for line in acme.lines] == ["Exports are slow on big stores"]
    assert (acme.contact, acme.lines[0].held_on) == ("Jane Roe", date(2026, 11, 2))
    # Nothing is due any more, and a second plan of the same change makes nothing.
    assert plan_all(database) == []
    assert asked(database) == ASKED


def test_the_claim_alone_keeps_a_second_plan_from_asking_anyone(
    database: Database, shipping: Shipping, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_to(database, shipping.theme_id, ThemeStatus.SHIPPED)
    with database.read() as session:
        (due,) = due_loops(session=session)
    assert database.run(lambda s: plan_loop(session=s, change_id=due.change_id, now=NOW)) is not None
    # A replica that read the change as due before the first committed: its claim finds it taken, so it
    # never gets as far as the unique key.
    tried: list[str] = []
    real_ask = loop_plan._ask

    def counting_ask(*args: object, **kw: object) -> int | None:
        tried.append(str(kw["person"]))
        return real_ask(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(loop_plan, "_ask", counting_ask)
    assert database.run(lambda s: plan_loop(session=s, change_id=due.change_id, now=NOW)) is None
    assert tried == []


def test_the_unique_key_alone_keeps_one_follow_up_per_person_and_theme(
    database: Database, shipping: Shipping
) -> None:
    set_to(database, shipping.theme_id, ThemeStatus.SHIPPED)
    plan_all(database)
    with database.transaction() as session:
        session.execute(delete(CustomerTell))
    # A loop planned again without its claim (say, a change claimed twice): each person already has one.
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(
            FollowUp(
                team_id=TEAM,
                owner_id=P1,
                kind=FollowUpKind.TELL_SHIPPED,
                theme_id=shipping.theme_id,
                description="again",
                due_at=NOW,
            )
        )
    with database.transaction() as session:
        theme = session.get(loop_plan.Theme, shipping.theme_id)
        lines = loop_plan.who_tells(loop_plan.heard_lines(session=session, theme=theme))
        again = loop_plan._ask(
            session, theme=theme, kind=FollowUpKind.TELL_SHIPPED, person=P1, accounts=lines[P1], now=NOW
        )
    assert again is None
    with database.read() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(FollowUp)
                .where(FollowUp.owner_id == P1, FollowUp.theme_id.is_not(None))
            )
            == 1
        )


def test_status_back_and_forth_asks_nobody_again_even_someone_new(
    database: Database, shipping: Shipping
) -> None:
    set_to(database, shipping.theme_id, ThemeStatus.SHIPPED)
    plan_all(database)
    # After the loop: a new person hears it from a new account, then the status goes back and forth.
    logged(database, TEAM, "Echo", "U0NEWCOMER", "Exports are slow again", None, date(2026, 11, 7), NOW)
    with database.transaction() as session:
        line = session.scalar(select(Pain).where(Pain.text == "Exports are slow again"))
        line.theme_id = shipping.theme_id
    set_to(database, shipping.theme_id, ThemeStatus.IN_PROGRESS, at=NOW + timedelta(hours=1))
    set_to(database, shipping.theme_id, ThemeStatus.SHIPPED, at=NOW + timedelta(hours=2))
    (plan,) = plan_all(database, at=NOW + timedelta(hours=3))
    assert plan.asked == {} and plan.nothing == "its customers were asked to be told before"
    assert asked(database) == ASKED  # the newcomer was not asked: the unique key would not have stopped it


def test_a_theme_set_back_before_the_tick_asks_nobody(database: Database, shipping: Shipping) -> None:
    set_to(database, shipping.theme_id, ThemeStatus.SHIPPED)
    set_to(database, shipping.theme_id, ThemeStatus.IN_PROGRESS, at=NOW + timedelta(minutes=1))
    (plan,) = plan_all(database)
    assert plan.asked == {} and plan.nothing == "the theme is in_progress again"
    assert asked(database) == {}


def test_a_line_deleted_before_shipping_is_not_listed_and_one_deleted_after_drops_out(
    database: Database, shipping: Shipping
) -> None:
    with database.transaction() as session:
        session.delete(session.get(Interview, shipping.interviews["Beta"]))
    set_to(database, shipping.theme_id, ThemeStatus.SHIPPED)
    plan_all(database)
    assert asked(database)[P1] == ["Acme", "Delta"]
    with database.transaction() as session:
        session.delete(session.get(Interview, shipping.interviews["Cobalt"]))
    assert asked(database)[P2] == ["Delta"] and asked(database)[O2] == []


def test_someone_who_left_is_skipped_and_the_accounts_only_they_heard_are_named(
    database: Database, shipping: Shipping
) -> None:
    set_to(database, shipping.theme_id, ThemeStatus.SHIPPED)
    (plan,) = plan_all(database, gone={P1})
    assert P1 not in asked(database)
    assert plan.gone == {P1: ["Acme", "Beta", "Delta"]}
    # Acme has its owner and Delta its other logger; Beta was heard by P1 alone.
    assert plan.untold == ["Beta"]


def test_wont_do_closes_the_loop_only_when_asked(database: Database, shipping: Shipping) -> None:
    set_to(database, shipping.theme_id, ThemeStatus.WONT_DO)
    assert plan_all(database) == []
    set_to(database, shipping.theme_id, ThemeStatus.OPEN, at=NOW + timedelta(minutes=1))
    set_to(database, shipping.theme_id, ThemeStatus.WONT_DO, at=NOW + timedelta(minutes=2), tell_wont_do=True)
    plan_all(database)
    with database.read() as session:
        kinds = set(session.scalars(select(FollowUp.kind).where(FollowUp.theme_id == shipping.theme_id)))
    assert kinds == {FollowUpKind.TELL_WONT_DO}
    assert asked(database) == ASKED


def test_told_per_account_leaves_the_rest_open_and_the_last_one_closes_it(
    database: Database, shipping: Shipping
) -> None:
    set_to(database, shipping.theme_id, ThemeStatus.SHIPPED)
    plan_all(database)
    ids = loop_follow_ups(database)
    with database.read() as session:
        accounts = dict(session.execute(select(Account.name, Account.id)).all())

    def told(person: str, account: str) -> FollowUpState:
        change = database.run(
            lambda s: tell_account(
                session=s,
                team_id=TEAM,
                user_id=person,
                follow_up_id=ids[person],
                account_id=accounts[account],
                now=NOW,
            )
        )
        assert change is not None
        return change.item.state

    assert told(P2, "Delta") is FollowUpState.OPEN  # Cobalt is still to tell
    with database.read() as session:
        item = session.get(FollowUp, ids[P2])
        (tell,) = tell_lists(session=session, team_id=TEAM, items=[item]).values()
        assert [(a.name, a.told) for a in tell.accounts] == [("Cobalt", False), ("Delta", True)]
        counts = told_counts(session=session, team_id=TEAM, theme_ids=[shipping.theme_id])
    assert counts[shipping.theme_id].words() == "told 1 of 4"
    assert told(P2, "Cobalt") is FollowUpState.DONE
    # Done on the whole of another's marks each of theirs told.
    database.run(
        lambda s: close(
            session=s, team_id=TEAM, user_id=O1, follow_up_id=ids[O1], state=FollowUpState.DONE, now=NOW
        )
    )
    with database.read() as session:
        counts = told_counts(session=session, team_id=TEAM, theme_ids=[shipping.theme_id])
    assert counts[shipping.theme_id].words() == "told 3 of 4"


def test_deleting_a_call_takes_its_line_out_of_the_loop_and_a_follow_up_left_empty_goes(
    database: Database, shipping: Shipping
) -> None:
    set_to(database, shipping.theme_id, ThemeStatus.SHIPPED)
    plan_all(database)
    ids = loop_follow_ups(database)
    with database.transaction() as session:  # P1's DM went out, listing their follow-up
        session.add(
            ReminderDelivery(
                team_id=TEAM,
                owner_id=P1,
                state=DeliveryState.SENT,
                follow_up_ids=[ids[P1]],
                lease_owner="r",
                lease_until=NOW,
                channel_id="D0P1",
                message_ts="1.000100",
            )
        )
    with database.transaction() as session:
        removed = remove_interviews(
            session=session, team_id=TEAM, interview_ids=[shipping.interviews["Beta"]]
        )
    # P1's DM is to be drawn again without Beta's words; their follow-up stays, listing the rest.
    assert [(owner, sent.follow_up_ids) for owner, sent in removed.reminders_sent] == [(P1, [ids[P1]])]
    assert asked(database)[P1] == ["Acme", "Delta"]
    with database.transaction() as session:
        removed = remove_interviews(
            session=session, team_id=TEAM, interview_ids=[shipping.interviews["Cobalt"]]
        )
    # O2 owned only Cobalt: their follow-up has nothing left to tell, and goes with it.
    assert removed.follow_ups == 1 and O2 not in asked(database)
    assert asked(database)[P2] == ["Delta"]


def test_a_plan_that_dies_half_way_leaves_the_change_due_and_the_next_asks_everyone_once(
    database: Database, shipping: Shipping, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_to(database, shipping.theme_id, ThemeStatus.SHIPPED)
    real_ask = loop_plan._ask
    asked_so_far: list[str] = []

    def dies_on_the_third(*args: object, **kw: object) -> int | None:
        if len(asked_so_far) == 2:
            raise ConnectionError("the replica died")
        asked_so_far.append(str(kw["person"]))
        return real_ask(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(loop_plan, "_ask", dies_on_the_third)
    with pytest.raises(ConnectionError):
        plan_all(database)
    assert asked(database) == {}  # nothing of it was kept, the claim neither
    monkeypatch.setattr(loop_plan, "_ask", real_ask)
    (plan,) = plan_all(database)
    assert asked(database) == ASKED and len(plan.asked) == 4


def test_an_account_that_said_it_often_is_listed_with_its_latest_lines(
    database: Database, shipping: Shipping
) -> None:
    for n in range(6):  # Acme says it again every day after
        logged(database, TEAM, "Acme", P1, f"Exports are slow, day {n}", None, date(2026, 11, 5 + n), NOW)
    with database.transaction() as session:
        for line in session.scalars(select(Pain).where(Pain.text.like("Exports are slow, day %"))):
            line.theme_id = shipping.theme_id
    set_to(database, shipping.theme_id, ThemeStatus.SHIPPED)
    plan_all(database)
    with database.read() as session:
        item = session.get(FollowUp, loop_follow_ups(database)[O1])
        (tell,) = tell_lists(session=session, team_id=TEAM, items=[item]).values()
    (acme,) = tell.accounts
    assert [line.text for line in acme.lines] == [f"Exports are slow, day {n}" for n in (5, 4, 3, 2, 1)]
