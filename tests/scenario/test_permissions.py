"""Who may do what, through signed requests a person could forge: guests log and see their own calls and
nothing of the team's; exporting and forgetting are for admins and owners (EXPORT_ALLOWED=members opens
export to full members, never to guests); a digest subscription is changed by whoever set it up or by
an admin. Each refusal says who may, changes nothing and sends the refused person nothing else; when
Slack cannot say who someone is, what needs a role is refused with "try again", and logging goes on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot.digest.subscriptions import DEFAULT_TIME, Schedule, subscribe
from bot.people.permissions import (
    DELETE_ADMINS,
    EXPORT_ADMINS,
    FORGET_ADMINS,
    SUBSCRIPTION_ADMINS,
    Act,
    Role,
    RoleUnknown,
    refusal,
)
from handlers.senders.reminders import ReminderSender
from handlers.views.interview import InterviewAction
from handlers.views.log_modal import LogField, LogModal
from handlers.views.reminders import ReminderAction
from handlers.views.search import SearchAction, page_value
from handlers.views.subscriptions import DigestModal, SubscriptionForm, subscriptions_modal
from handlers.views.theme_modals import rename_modal
from handlers.views.themes import (
    ThemeMenu,
    ThemesAction,
    ThemesMetadata,
    ThemesView,
    theme_menu_value,
)
from handlers.web_api.directory import Directory
from handlers.web_api.roles import Roles
from storage.models import Account, DigestSubscription, Interview, ScheduledCall, Theme
from tests.conftest import RunningBot
from tests.scenario.test_schedule import schedule, sent_to
from tests.scenario.test_search import stored
from tests.support.after_ack import after_ack_done, swap
from tests.support.clock import NEW_YORK_TUESDAY_10AM
from tests.support.forms import submit_log_modal
from tests.support.slack_requests import TEAM_ID, USER_ID
from tests.support.themed import group_pains

GUEST = "U0GUEST"  # a multi-channel guest: is_restricted
SINGLE = "U0SINGLE"  # a single-channel guest: Slack sets is_restricted and is_ultra_restricted
MEMBER = "U0MEMBER"
ADMIN = "U0ADMIN"
OWNER = "U0OWNER"  # the workspace's owner, not flagged admin: owners may what admins may
CHANNEL = "C0DIGEST"  # subscribed by USER_ID, a member
GENERAL = "C0GENERAL"
HOME = {"id": "VHOME", "type": "home"}

# What shows the refused person something, or changes something in Slack.
SHOWN = (
    "chat.postMessage",
    "chat.update",
    "views.open",
    "views.push",
    "views.update",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
    "conversations.open",
    "conversations.join",
    "response.url",
)


@pytest.fixture
def backend() -> str:
    """SQLite only: these tests are about who may, decided before any storage is touched; what is stored
    when someone may is tested on both databases by the surfaces' own tests."""
    return "sqlite"


@pytest.fixture
def team(bot: RunningBot) -> RunningBot:
    """The workspace's people, an interview of USER_ID's with Acme (in a theme), and USER_ID's digest
    subscription of CHANNEL."""
    bot.fake.set_user(GUEST, is_restricted=True)
    bot.fake.set_user(SINGLE, is_restricted=True, is_ultra_restricted=True)
    bot.fake.add_users(MEMBER)
    bot.fake.set_user(ADMIN, is_admin=True)
    bot.fake.set_user(OWNER, is_owner=True)
    bot.fake.set_channel(CHANNEL, name="customer-voice", member=True)
    bot.fake.set_channel(GENERAL, name="general", member=False, private=False)
    stored(bot, account="Acme", pains="Reports are slow", quotes="We hate Fridays")
    group_pains(bot.db, TEAM_ID, [["Reports are slow"]])
    schedule_ = Schedule(0, DEFAULT_TIME, "UTC")
    now = datetime.now(UTC)
    bot.db.run(
        lambda s: subscribe(
            session=s, team_id=TEAM_ID, channel_id=CHANNEL, schedule=schedule_, by=USER_ID, now=now
        )
    )
    return bot


def snapshot(bot: RunningBot) -> dict[str, Any]:
    """What a refusal must leave as it was: interviews, accounts, theme names, subscriptions."""
    with bot.db.read() as session:
        return {
            "interviews": session.scalar(select(func.count()).select_from(Interview)),
            "accounts": sorted(session.scalars(select(Account.name))),
            "themes": sorted(session.scalars(select(Theme.name))),
            "subscriptions": sorted(
                (s.channel_id, s.weekday, s.minute_of_day, s.created_by, s.paused_reason)
                for s in session.scalars(select(DigestSubscription))
            ),
        }


def shown_counts(bot: RunningBot) -> dict[str, int]:
    return {method: len(bot.fake.calls(method)) for method in SHOWN}


def only_told(bot: RunningBot, before: dict[str, int], user_id: str, said: str) -> None:
    """Since `before`, the bot showed nothing and changed nothing in Slack but one DM to `user_id`
    saying `said` (how a click is refused: its HTTP answer shows nothing)."""
    after_ack_done(bot.deps)
    grew = {m: n - before[m] for m, n in shown_counts(bot).items() if n != before[m]}
    assert grew == {"chat.postMessage": 1}, grew
    told = bot.fake.calls("chat.postMessage")[-1]
    assert (told.args["channel"], told.args["text"]) == (user_id, said)


def nothing_shown(bot: RunningBot, before: dict[str, int]) -> None:
    after_ack_done(bot.deps)
    assert shown_counts(bot) == before


def interview_of(bot: RunningBot, user_id: str = USER_ID) -> int:
    with bot.db.read() as session:
        return session.scalars(select(Interview.id).where(Interview.logged_by == user_id)).first() or 0


def subscription_id(bot: RunningBot, channel: str = CHANNEL) -> int:
    with bot.db.read() as session:
        return session.scalars(
            select(DigestSubscription.id).where(DigestSubscription.channel_id == channel)
        ).one()


MEMBERS_SEARCH = "Only full members of the workspace can search the team's interviews"
GUEST_REFUSED = [
    ("search reports", refusal(Act.SEARCH, Role.MEMBER)),
    ("list Acme", refusal(Act.LIST_ACCOUNT, Role.MEMBER)),
    ("export", EXPORT_ADMINS),
    ("export Acme since 2026-01-01", EXPORT_ADMINS),
    ("forget Acme", FORGET_ADMINS),
    ("digest", refusal(Act.DIGEST, Role.MEMBER)),
    ("digest preview", refusal(Act.DIGEST, Role.MEMBER)),
    (f"digest subscribe <#{GENERAL}|general>", refusal(Act.DIGEST, Role.MEMBER)),
    (f"digest unsubscribe <#{CHANNEL}|customer-voice>", refusal(Act.DIGEST, Role.MEMBER)),
    ("themes", refusal(Act.THEMES, Role.MEMBER)),
]


def test_each_refusal_says_who_may() -> None:
    said = dict(GUEST_REFUSED)
    assert said["search reports"].startswith(MEMBERS_SEARCH)
    assert said["list Acme"].startswith("Only full members of the workspace can list an account's")
    assert said["export"].startswith("Only workspace admins and owners can export interviews")
    assert "EXPORT_ALLOWED=members" in said["export"]
    assert said["forget Acme"].startswith("Only workspace admins and owners can forget an account")
    assert said["themes"].startswith("Only full members of the workspace can see or correct the themes")
    assert SUBSCRIPTION_ADMINS.startswith("Only the person who set up this digest subscription, or a")


@pytest.mark.parametrize("guest", [GUEST, SINGLE])
@pytest.mark.parametrize(("text", "said"), GUEST_REFUSED)
def test_a_guest_is_refused_the_teams_commands_and_told_who_may(
    team: RunningBot, guest: str, text: str, said: str
) -> None:
    before, shown = snapshot(team), shown_counts(team)
    assert team.slack.command(text, user_id=guest).json() == {"response_type": "ephemeral", "text": said}
    nothing_shown(team, shown)  # no modal, no file, no join, no digest in the channel, no DM
    assert snapshot(team) == before


def test_a_guest_clicking_or_submitting_the_teams_surfaces_is_refused_and_nothing_changes(
    team: RunningBot,
) -> None:
    before = snapshot(team)
    interview_id, sub_id = interview_of(team), subscription_id(team)
    (theme_id,) = [t for t in team.db.run(lambda s: list(s.scalars(select(Theme.id))))]

    # Another's interview, from a digest or a search result it was never shown.
    shown = shown_counts(team)
    team.slack.block_action(
        InterviewAction.OPEN, block_id="x", view=HOME, value=str(interview_id), user_id=GUEST
    )
    only_told(team, shown, GUEST, refusal(Act.OPEN_INTERVIEW, Role.MEMBER))

    # The next page of a search.
    shown = shown_counts(team)
    team.slack.block_action(
        SearchAction.NEXT,
        block_id="x",
        value=page_value("reports", 1),
        response_url=team.fake.response_url,
        user_id=GUEST,
    )
    only_told(team, shown, GUEST, refusal(Act.SEARCH, Role.MEMBER))

    # The themes' menu, and a rename submitted without it.
    shown = shown_counts(team)
    team.slack.block_action(
        ThemesAction.THEME_MENU,
        block_id="x",
        view={"id": "VTHEMES", "type": "modal", "private_metadata": ThemesMetadata().dumps()},
        type="overflow",
        selected_option={"value": theme_menu_value(ThemeMenu.RENAME, theme_id)},
        user_id=GUEST,
    )
    only_told(team, shown, GUEST, refusal(Act.THEMES, Role.MEMBER))
    rename = rename_modal(current="Reports", metadata=ThemesMetadata(theme_id=theme_id)).to_dict()
    values = {ThemesView.NAME_BLOCK: {ThemesView.VALUE: {"type": "plain_text_input", "value": "Mine now"}}}
    shown = shown_counts(team)
    answer = team.slack.view_submission(rename, values, user_id=GUEST).json()
    assert answer == {
        "response_action": "errors",
        "errors": {ThemesView.NAME_BLOCK: refusal(Act.THEMES, Role.MEMBER)},
    }
    nothing_shown(team, shown)

    # The digest's buttons on the subscription someone else set up, and its form.
    modal = {"id": "VDIGEST", "type": "modal", "callback_id": DigestModal.CALLBACK_ID}
    for action in (DigestModal.UNSUBSCRIBE, DigestModal.POST_NOW, DigestModal.EDIT):
        shown = shown_counts(team)
        team.slack.block_action(action, block_id="x", view=modal, value=str(sub_id), user_id=GUEST)
        only_told(team, shown, GUEST, SUBSCRIPTION_ADMINS)
    form = subscriptions_modal(SubscriptionForm(timezone="UTC"), []).to_dict()
    shown = shown_counts(team)
    answer = team.slack.view_submission(form, subscription_values(GENERAL), user_id=GUEST).json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"].values()) == [refusal(Act.DIGEST, Role.MEMBER)]
    nothing_shown(team, shown)

    assert snapshot(team) == before


def subscription_values(channel: str, weekday: int = 4, at: str = "10:00") -> dict[str, Any]:
    return {
        DigestModal.CHANNEL: {
            DigestModal.VALUE: {"type": "conversations_select", "selected_conversation": channel}
        },
        DigestModal.WEEKDAY: {
            DigestModal.VALUE: {"type": "static_select", "selected_option": {"value": str(weekday)}}
        },
        DigestModal.TIME: {DigestModal.VALUE: {"type": "timepicker", "selected_time": at}},
        DigestModal.TIMEZONE: {DigestModal.VALUE: {"type": "plain_text_input", "value": "UTC"}},
    }


def suggested(bot: RunningBot, typed: str, user_id: str) -> list[tuple[str, str]]:
    response = bot.slack.block_suggestion(
        {"id": "V1", "callback_id": LogModal.CALLBACK_ID, "type": "modal"},
        block_id=LogField.ACCOUNT,
        action_id=LogModal.ACCOUNT_SEARCH,
        value=typed,
        user_id=user_id,
    )
    assert response.status == 200
    return [(o["value"], o["text"]["text"]) for o in response.json()["options"]]


def test_a_guest_logs_their_own_call_end_to_end_and_sees_only_their_own(team: RunningBot) -> None:
    # The account search lists none of the workspace's accounts, nor says whether one exists.
    assert suggested(team, "ac", GUEST) == [("ac", "ac")]
    assert suggested(team, "acme", GUEST) == [("acme", "acme")]
    assert suggested(team, "ac", MEMBER) == [("ac", "➕ New account: ac"), ("Acme", "Acme")]

    submit_log_modal(team, "Initech", user_id=GUEST, pains="Invoices arrive late")
    saved = team.fake.wait_for("chat.postMessage")[-1]
    assert saved.args["channel"] == GUEST and "Saved your interview with Initech" in saved.args["text"]
    mine = interview_of(team, GUEST)
    assert mine

    # Their own account is theirs to pick again.
    assert suggested(team, "ini", GUEST) == [("ini", "ini"), ("Initech", "Initech")]

    # The message shortcut, /interview schedule: their own calls.
    opened = len(team.fake.calls("views.open"))
    assert team.slack.message_shortcut("log_from_message", "Call notes", user_id=GUEST).status == 200
    assert team.slack.command("schedule", user_id=GUEST).status == 200
    assert [c.args["view"]["callback_id"] for c in team.fake.calls("views.open")[opened:]] == [
        LogModal.CALLBACK_ID,
        "schedule_call",
    ]

    # /interview list: theirs, not the team's.
    listed = json.dumps(team.slack.command("list", user_id=GUEST).json())
    assert "Initech" in listed and "Acme" not in listed

    # Their own interview opens.
    opened = len(team.fake.calls("views.open"))
    team.slack.block_action(InterviewAction.OPEN, block_id="x", view=HOME, value=str(mine), user_id=GUEST)
    (modal,) = team.fake.calls("views.open")[opened:]
    assert "Invoices arrive late" in json.dumps(modal.args["view"])

    # Their App Home: their interview, and not the team's week (a member's Home has it).
    home = json.dumps(open_home(team, GUEST))
    assert "Initech" in home and "The team's last 7 days" not in home and "Acme" not in home
    assert "The team's last 7 days" in json.dumps(open_home(team, MEMBER))


def open_home(bot: RunningBot, user_id: str) -> dict[str, Any]:
    before = len(bot.fake.calls("views.publish"))
    event = {"type": "app_home_opened", "user": user_id, "tab": "home", "channel": "D1"}
    assert bot.slack.event(event).status == 200
    published = bot.fake.wait_for("views.publish", count=before + 1)[-1]
    assert published.args["user_id"] == user_id
    return published.args["view"]


def test_a_member_cannot_change_anothers_subscription_an_admin_can(team: RunningBot) -> None:
    before, sub_id = snapshot(team), subscription_id(team)
    answer = team.slack.command(f"digest unsubscribe <#{CHANNEL}|customer-voice>", user_id=MEMBER).json()
    assert answer == {"response_type": "ephemeral", "text": SUBSCRIPTION_ADMINS}

    # Subscribing the channel again would change its schedule: the same refusal, said after the ack.
    shown = shown_counts(team)
    assert team.slack.command(f"digest subscribe <#{CHANNEL}> friday 10:00", user_id=MEMBER).status == 200
    after_ack_done(team.deps)
    assert team.fake.calls("response.url")[-1].args["text"] == SUBSCRIPTION_ADMINS
    assert team.fake.calls("conversations.join") == []
    assert shown_counts(team)["response.url"] == shown["response.url"] + 1

    modal = {"id": "VDIGEST", "type": "modal", "callback_id": DigestModal.CALLBACK_ID}
    for action in (DigestModal.UNSUBSCRIBE, DigestModal.POST_NOW, DigestModal.EDIT):
        shown = shown_counts(team)
        team.slack.block_action(action, block_id="x", view=modal, value=str(sub_id), user_id=MEMBER)
        only_told(team, shown, MEMBER, SUBSCRIPTION_ADMINS)
    form = subscriptions_modal(SubscriptionForm(timezone="UTC"), []).to_dict()
    for metadata in ("", json.dumps({"editing": sub_id})):  # a new one on its channel, or an edit of it
        answer = team.slack.view_submission(
            {**form, "private_metadata": metadata}, subscription_values(CHANNEL), user_id=MEMBER
        ).json()
        assert list(answer["errors"].values()) == [SUBSCRIPTION_ADMINS]
    assert snapshot(team) == before

    # A member sets up a subscription of their own, and may change it.
    form_answer = team.slack.view_submission(form, subscription_values(GENERAL), user_id=MEMBER)
    assert form_answer.json()["response_action"] == "update"
    assert [(c, by) for c, _, _, by, _ in snapshot(team)["subscriptions"]] == [
        (CHANNEL, USER_ID),
        (GENERAL, MEMBER),
    ]
    gone = team.slack.command(f"digest unsubscribe <#{GENERAL}>", user_id=MEMBER).json()
    assert "gets no more digests" in gone["text"]

    # An admin may change anyone's.
    gone = team.slack.command(f"digest unsubscribe <#{CHANNEL}|customer-voice>", user_id=ADMIN).json()
    assert "gets no more digests" in gone["text"]
    assert snapshot(team)["subscriptions"] == []


def test_an_owner_unsubscribes_anothers_subscription_from_the_modal(team: RunningBot) -> None:
    modal = {"id": "VDIGEST", "type": "modal", "callback_id": DigestModal.CALLBACK_ID}
    team.slack.block_action(
        DigestModal.UNSUBSCRIBE, block_id="x", view=modal, value=str(subscription_id(team)), user_id=OWNER
    )
    after_ack_done(team.deps)
    assert snapshot(team)["subscriptions"] == []


def exports(bot: RunningBot, user_id: str) -> tuple[dict[str, Any], list[str]]:
    """`/interview export` as `user_id`: its answer, and the channels a file was shared to."""
    before = len(bot.fake.calls("files.completeUploadExternal"))
    answer = bot.slack.command("export", user_id=user_id).json()
    after_ack_done(bot.deps)
    shared = bot.fake.calls("files.completeUploadExternal")[before:]
    return answer, [str(c.args.get("channel_id")) for c in shared]


def exported_to_their_dm(bot: RunningBot, user_id: str) -> None:
    answer, shared = exports(bot, user_id)
    dm = bot.fake.calls("conversations.open")[-1]
    assert "DM you" in answer["text"] and dm.args["users"] == user_id
    assert shared == [dm.response["channel"]["id"]]


def test_export_is_for_admins_and_owners_by_default(team: RunningBot) -> None:
    assert exports(team, MEMBER) == ({"response_type": "ephemeral", "text": EXPORT_ADMINS}, [])
    for who in (ADMIN, OWNER):
        exported_to_their_dm(team, who)


@pytest.mark.parametrize("bot_env", [{"EXPORT_ALLOWED": "members"}])
def test_export_allowed_members_lets_a_member_export_never_a_guest(team: RunningBot) -> None:
    exported_to_their_dm(team, MEMBER)
    for guest in (GUEST, SINGLE):
        said = refusal(Act.EXPORT, Role.MEMBER)
        assert said.startswith("Only full members of the workspace can export interviews")
        assert exports(team, guest) == ({"response_type": "ephemeral", "text": said}, [])


def test_an_admin_demoted_loses_the_powers_at_once_a_promoted_guest_within_the_hour(team: RunningBot) -> None:
    now = [0.0]
    swap(team.deps, roles=Roles(clock=lambda: now[0]))
    exported_to_their_dm(team, ADMIN)
    team.fake.set_user(ADMIN, is_admin=False)
    assert exports(team, ADMIN) == ({"response_type": "ephemeral", "text": EXPORT_ADMINS}, [])
    # A member's standing is read again after an hour: a guest made a member searches then.
    said = team.slack.command("search reports", user_id=GUEST).json()["text"]
    assert said == refusal(Act.SEARCH, Role.MEMBER)
    team.fake.set_user(GUEST, is_restricted=False)
    now[0] += 59 * 60
    assert team.slack.command("search reports", user_id=GUEST).json()["text"] == said
    now[0] += 2 * 60
    assert "Acme" in json.dumps(team.slack.command("search reports", user_id=GUEST).json())


def test_the_member_list_read_on_start_tells_guests_from_members_without_asking_one_by_one(
    team: RunningBot,
) -> None:
    deps = team.deps
    read = Directory(
        team_id=deps.team_id, db=team.db, client=deps.client, timezones=deps.timezones, roles=deps.roles
    ).refresh()
    assert read is not None and deps.roles.home_team == TEAM_ID
    asked = len(team.fake.calls("users.info"))
    assert team.slack.command("search reports", user_id=GUEST).json()["text"] == refusal(
        Act.SEARCH, Role.MEMBER
    )
    assert "Acme" in json.dumps(team.slack.command("search reports", user_id=MEMBER).json())
    assert len(team.fake.calls("users.info")) == asked
    exported_to_their_dm(team, ADMIN)  # an admin's power is asked of Slack all the same
    assert [c.args["user"] for c in team.fake.calls("users.info")[asked:]] == [ADMIN]


def test_when_slack_cannot_say_who_someone_is(team: RunningBot) -> None:
    now = [0.0]
    swap(team.deps, roles=Roles(clock=lambda: now[0]))
    # Read while Slack answered: a member searched, an admin looked at the themes.
    assert "Acme" in json.dumps(team.slack.command("search reports", user_id=MEMBER).json())
    assert team.slack.command("themes", user_id=ADMIN).status == 200
    now[0] += 2 * 3600  # two hours on: a role read then is no longer trusted without asking Slack
    team.fake.fail("users.info", "fatal_error", times=None)  # Slack is having a bad day
    before, shown = snapshot(team), shown_counts(team)
    try_again = RoleUnknown().user_message

    # Admin-only work asks Slack now, every time: refused, with "try again", even for a known admin.
    for text in ("export", "forget Acme"):
        answer = team.slack.command(text, user_id=ADMIN).json()
        assert answer == {"response_type": "ephemeral", "text": try_again}
    # Someone never looked up cannot be told from a guest: refused too.
    assert team.slack.command("search reports", user_id="U0NEWBIE").json()["text"] == try_again
    nothing_shown(team, shown)
    assert snapshot(team) == before

    # A member's role read earlier still does for what members may, while Slack cannot say.
    asked = len(team.fake.calls("users.info", include_rejected=True))
    assert "Acme" in json.dumps(team.slack.command("search reports", user_id=MEMBER).json())
    assert len(team.fake.calls("users.info", include_rejected=True)) == asked + 1
    # And nobody is locked out of logging their own calls.
    submit_log_modal(team, "Globex", user_id="U0NEWBIE", pains="Exports time out")
    assert interview_of(team, "U0NEWBIE")
    # The App Home leaves the team's week out when it cannot tell.
    assert "The team's last 7 days" not in json.dumps(open_home(team, "U0NEWBIE"))


def test_a_rate_limited_users_info_refuses_at_once_rather_than_waiting(team: RunningBot) -> None:
    team.fake.rate_limit("users.info", retry_after=30, times=None)
    answer = team.slack.command("forget Acme", user_id=ADMIN)
    assert answer.json()["text"] == RoleUnknown().user_message
    assert answer.elapsed < 2  # the 3-second path never sleeps out a Retry-After


def test_someone_of_another_organisation_counts_as_a_guest(team: RunningBot) -> None:
    assert team.deps.roles.home_team == TEAM_ID  # the installation's, read at start
    team.fake.set_user("U0PARTNER", team_id="T0PARTNER", is_admin=True)  # a shared channel's, admin at home
    team.fake.set_user("U0STRANGER", is_stranger=True)
    for who in ("U0PARTNER", "U0STRANGER"):
        shown = shown_counts(team)
        team.slack.block_action(
            InterviewAction.OPEN, block_id="x", view=HOME, value=str(interview_of(team)), user_id=who
        )
        only_told(team, shown, who, refusal(Act.OPEN_INTERVIEW, Role.MEMBER))
    # An Enterprise Grid colleague from another workspace of the same organisation is a member.
    team.fake.set_user("U0GRID", team_id="T0SISTER", enterprise_user={"enterprise_id": "E1", "teams": []})
    assert "Acme" in json.dumps(team.slack.command("search reports", user_id="U0GRID").json())


def test_a_guest_may_delete_their_own_interview_not_anothers(team: RunningBot) -> None:
    submit_log_modal(team, "Initech", user_id=GUEST)
    team.fake.wait_for("chat.postMessage")  # its confirmation DM
    shown = shown_counts(team)
    team.slack.block_action(
        InterviewAction.DELETE, block_id="x", view=HOME, value=str(interview_of(team)), user_id=GUEST
    )
    only_told(team, shown, GUEST, DELETE_ADMINS)
    opened = len(team.fake.calls("views.open"))
    team.slack.block_action(
        InterviewAction.DELETE, block_id="x", view=HOME, value=str(interview_of(team, GUEST)), user_id=GUEST
    )
    (confirm,) = team.fake.calls("views.open")[opened:]
    assert "Initech" in json.dumps(confirm.args["view"])


def test_a_guests_prep_dm_leaves_the_accounts_history_out(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, "Acme", held_on="2026-11-24", pains="Month-end close takes a week")
    starts = NEW_YORK_TUESDAY_10AM + timedelta(hours=3)
    assert schedule(bot, starts=starts).status == 200  # with USER_ID and U0002 on the call
    bot.fake.set_user("U0002", is_restricted=True)
    clock.move_to(starts - timedelta(minutes=29))
    assert sender.tick().sent == 2
    member_prep = json.dumps(sent_to(bot, USER_ID)[-1].args["blocks"], ensure_ascii=False)
    guest_prep = json.dumps(sent_to(bot, "U0002")[-1].args["blocks"], ensure_ascii=False)
    assert "Month-end close takes a week" in member_prep
    assert "Learn how they close the month" in guest_prep  # the call's own goal: theirs
    assert "Month-end close takes a week" not in guest_prep

    # A click on another's call's "Log it" opens an empty form: none of that call's words.
    with bot.db.read() as session:
        call_id = session.scalars(select(ScheduledCall.id)).one()
    opened = len(bot.fake.calls("views.open"))
    bot.slack.block_action(
        ReminderAction.LOG_CALL, block_id="x", view=HOME, value=str(call_id), user_id="U0ELSE"
    )
    (form,) = bot.fake.calls("views.open")[opened:]
    shown = json.dumps(form.args["view"])
    assert "Acme" not in shown and "close the month" not in shown


def test_typed_markup_in_a_subscribe_is_shown_escaped(team: RunningBot) -> None:
    for text in ("digest subscribe <!channel>", f"digest subscribe <#{CHANNEL}> <!here>"):
        assert team.slack.command(text, user_id=MEMBER).status == 200
        after_ack_done(team.deps)
        said = team.fake.calls("response.url")[-1].args["text"]
        assert "<!" not in said and "&lt;!" in said, said
