"""A theme's status set from `/interview themes` through signed requests: the theme's menu opens the
status modal, the submission stores it (each change kept) and draws the list again with the status; a bad
link is refused on its field, a guest is refused, and a forged theme id of another workspace is gone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.people.permissions import Act, Role, refusal
from bot.themes.status import set_status
from handlers.views.theme_modals import status_modal
from handlers.views.themes import ThemeMenu, ThemesMetadata, ThemesView
from storage.models import Theme, ThemeStatus, ThemeStatusChange
from tests.conftest import RunningBot
from tests.scenario.test_search import stored
from tests.scenario.test_themes import chosen, menu, open_list, redrawn
from tests.support.after_ack import after_ack_done
from tests.support.slack_requests import TEAM_ID
from tests.support.themed import group_pains

PAINS = ["Reports are slow", "Reports take forever"]


def themed(bot: RunningBot, team_id: str = TEAM_ID) -> int:
    for n, pain in enumerate(PAINS):
        stored(bot, team_id=team_id, account=f"Customer {n}", pains=pain)
    (theme_id,) = group_pains(bot.db, team_id, [PAINS])
    return theme_id


def status_of(bot: RunningBot, theme_id: int) -> tuple[ThemeStatus, str | None, str | None, int]:
    with bot.db.read() as session:
        theme = session.get(Theme, theme_id)
        assert theme is not None
        changes = len(
            list(session.scalars(select(ThemeStatusChange).where(ThemeStatusChange.theme_id == theme_id)))
        )
        return theme.status, theme.status_note, theme.status_link, changes


def values(status: str, note: str | None = None, link: str | None = None) -> dict[str, Any]:
    out = chosen(ThemesView.STATUS_BLOCK, status)
    out[ThemesView.NOTE_BLOCK] = {ThemesView.VALUE: {"type": "plain_text_input", "value": note}}
    out[ThemesView.LINK_BLOCK] = {ThemesView.VALUE: {"type": "url_text_input", "value": link}}
    return out


def test_a_status_set_from_the_menu_is_kept_and_shown_in_the_list(bot: RunningBot) -> None:
    theme_id = themed(bot)
    listed = open_list(bot)
    assert "shipped" not in str(listed["blocks"])  # open: nothing beside the name
    modal = menu(bot, listed, ThemeMenu.STATUS, theme_id)
    assert modal["callback_id"] == ThemesView.STATUS
    answer = bot.slack.view_submission(
        modal, values(ThemeStatus.SHIPPED.value, "In <!channel> 2.4", "https://example.com/releases/2.4")
    )
    assert answer.accepted
    assert status_of(bot, theme_id) == (
        ThemeStatus.SHIPPED,
        "In <!channel> 2.4",
        "https://example.com/releases/2.4",
        1,
    )
    assert "· 🚢 shipped" in str(redrawn(bot, listed["id"]).args["view"])
    after_ack_done(bot.deps)
    # Opened again, the modal holds what is set; saved as it is, nothing more is kept.
    again = menu(bot, open_list(bot), ThemeMenu.STATUS, theme_id)
    assert again["blocks"][1]["element"]["initial_option"]["value"] == ThemeStatus.SHIPPED.value
    assert bot.slack.view_submission(
        again, values(ThemeStatus.SHIPPED.value, "In <!channel> 2.4", "https://example.com/releases/2.4")
    ).accepted
    assert status_of(bot, theme_id)[3] == 1
    # A merge says which status the merged theme keeps.
    merging = menu(bot, open_list(bot), ThemeMenu.MERGE, theme_id)
    assert "This one is *shipped*: the theme you pick becomes shipped too" in str(merging["blocks"])


def test_a_link_that_is_not_a_web_address_is_refused_on_its_field(bot: RunningBot) -> None:
    theme_id = themed(bot)
    modal = menu(bot, open_list(bot), ThemeMenu.STATUS, theme_id)
    answer = bot.slack.view_submission(
        modal, values(ThemeStatus.PLANNED.value, None, "javascript:alert(1)")
    ).json()
    assert answer["response_action"] == "errors" and list(answer["errors"]) == [ThemesView.LINK_BLOCK]
    assert status_of(bot, theme_id) == (ThemeStatus.OPEN, None, None, 0)


def test_a_guest_submitting_a_status_is_refused(bot: RunningBot) -> None:
    theme_id = themed(bot)
    bot.fake.set_user("U0GUEST", is_restricted=True)
    with bot.db.read() as session:
        theme = session.get(Theme, theme_id)
        assert theme is not None
        modal = status_modal(theme=theme, metadata=ThemesMetadata(theme_id=theme_id)).to_dict()
    answer = bot.slack.view_submission(modal, values(ThemeStatus.SHIPPED.value), user_id="U0GUEST").json()
    assert answer == {
        "response_action": "errors",
        "errors": {ThemesView.STATUS_BLOCK: refusal(Act.THEMES, Role.MEMBER)},
    }
    assert status_of(bot, theme_id) == (ThemeStatus.OPEN, None, None, 0)


def test_a_forged_theme_of_another_workspace_is_gone(bot: RunningBot) -> None:
    themed(bot)
    theirs = themed(bot, team_id="T0OTHER")
    with bot.db.read() as session:
        theme = session.get(Theme, theirs)
        assert theme is not None
        modal = status_modal(theme=theme, metadata=ThemesMetadata(theme_id=theirs)).to_dict()
    response = bot.slack.view_submission(modal, values(ThemeStatus.SHIPPED.value))
    assert "That theme is gone" in str(response.json())
    assert status_of(bot, theirs) == (ThemeStatus.OPEN, None, None, 0)


def test_search_results_name_a_theme_that_is_not_open_with_its_status(bot: RunningBot) -> None:
    theme_id = themed(bot)
    body = bot.slack.command("search reports").json()
    assert "[shipped]" not in json.dumps(body)
    with bot.db.transaction() as session:
        set_status(
            session=session,
            team_id=TEAM_ID,
            theme_id=theme_id,
            status=ThemeStatus.SHIPPED,
            note=None,
            link=None,
            by="U1",
            now=datetime.now(UTC),
        )
        name = session.get(Theme, theme_id).name  # type: ignore[union-attr]
    body = bot.slack.command("search reports").json()
    shown = "\n".join(
        b["text"]["text"] for b in body["blocks"] if b.get("type") == "section" and "accessory" in b
    )
    assert f"_Topics:_ {name} [shipped]" in shown
