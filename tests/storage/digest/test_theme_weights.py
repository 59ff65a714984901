"""The weight the App Home's week and `/interview themes` show beside a theme, on SQLite and PostgreSQL:
the Home's over the accounts that raised it in the week, as the digest's; the themes list's over every
account that ever raised it; both read in the workspace's currency, never another workspace's accounts,
and the Home's at the cost of one query."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, select

from bot.accounts.attributes import set_workspace_currency
from bot.digest.period import Period
from bot.digest.weight import theme_weights
from bot.home.reads import week_figures
from storage.db import Database
from storage.models import Account, ThemeKind
from tests.support.digest_data import NOW, WEEK_END, log_theme

WEEK = Period.ending_at(NOW, ZoneInfo("UTC"))  # 16–22 November
IN_WEEK, WEEKS_AGO = WEEK_END - timedelta(days=2), WEEK_END - timedelta(days=40)
WEIGHTS = {"Acme": (300_000, "Enterprise"), "Globex": (20_000, "SMB"), "Hooli": (1_000_000, "Enterprise")}


def _two_themes(db: Database, team_id: str = "T0001") -> tuple[int, int]:
    """Exports: Acme and Globex this week, Hooli weeks ago. Invoices: Initech this week, no ARR known."""
    exports = log_theme(
        db,
        "Exports time out",
        [
            ("Acme", IN_WEEK, f"{team_id}: exports time out"),
            ("Globex", IN_WEEK, f"{team_id}: the export never finishes"),
            ("Hooli", WEEKS_AGO, f"{team_id}: exporting hangs"),
        ],
        team_id=team_id,
    )
    invoices = log_theme(
        db, "Wrong invoices", [("Initech", IN_WEEK, f"{team_id}: wrong VAT")], team_id=team_id
    )
    with db.transaction() as session:
        for account in session.scalars(select(Account).where(Account.team_id == team_id)):
            account.arr, account.segment = WEIGHTS.get(account.name, (None, None))
    return exports, invoices


def test_the_homes_week_weighs_each_pain_by_its_accounts_that_week_in_one_query(database: Database) -> None:
    _two_themes(database)
    _two_themes(database, "T0002")  # the same names elsewhere, in another currency: never read here
    with database.transaction() as session:
        set_workspace_currency(session=session, team_id="T0002", currency="EUR")
    engine = database.engines[-1]
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with database.read() as session:
            week = week_figures(session=session, team_id="T0001", period=WEEK)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    weights = {t.name: t.weight.words() if t.weight else "unread" for t in week.top_pains}
    # Hooli raised exports weeks ago: not in this week's weight. Initech's ARR and segment are unknown.
    assert weights == {
        "Exports time out": "2 accounts · $320k ARR · Enterprise 1, SMB 1",
        "Wrong invoices": None,
    }
    # One query reads the accounts' ARR and segments, the workspace's currency in it: nothing more.
    weighing = [s for s in statements if "accounts.arr" in s or "workspaces" in s]
    assert len(weighing) == 1 and "workspaces" in weighing[0], weighing


def test_the_themes_list_weighs_each_theme_by_every_account_that_ever_raised_it(database: Database) -> None:
    exports, invoices = _two_themes(database)
    elsewhere, _ = _two_themes(database, "T0002")
    with database.transaction() as session:
        set_workspace_currency(session=session, team_id="T0001", currency="EUR")
    with database.read() as session:
        weights = theme_weights(
            session=session, team_id="T0001", kind=ThemeKind.PAIN, theme_ids=[exports, invoices, elsewhere]
        )
        # The requests' lines are other lines: a pain theme's id names none of them.
        requests = theme_weights(
            session=session, team_id="T0001", kind=ThemeKind.REQUEST, theme_ids=[exports]
        )
    assert requests[exports].accounts == 0
    assert weights[exports].words() == "3 accounts · EUR 1.3M ARR · Enterprise 2, SMB 1"
    assert weights[invoices].words() is None and weights[invoices].accounts == 1
    # Another workspace's theme, asked for by its id, weighs nothing here.
    assert weights[elsewhere].accounts == 0
