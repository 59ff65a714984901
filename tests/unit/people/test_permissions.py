"""The permission model as a table (the README's "Who may do what"), and a role read from Slack's user
object flag by flag."""

from __future__ import annotations

import pytest

from bot.errors import NotAllowed
from bot.people.permissions import RULES, Act, Role, RoleUnknown, check, may
from handlers.web_api.roles import role_of

G, M, A = Role.GUEST, Role.MEMBER, Role.ADMIN

# act: (whom it is allowed to, for what someone else made or nobody made; for what they made themselves)
TABLE: dict[Act, tuple[set[Role], set[Role]]] = {
    Act.LOG: ({G, M, A}, {G, M, A}),
    Act.SEARCH: ({M, A}, {M, A}),
    Act.LIST_ACCOUNT: ({M, A}, {M, A}),
    Act.SEE_ACCOUNTS: ({M, A}, {M, A}),
    Act.SEE_TEAM_WEEK: ({M, A}, {M, A}),
    Act.SEE_ACCOUNT_HISTORY: ({M, A}, {M, A}),
    Act.OPEN_INTERVIEW: ({M, A}, {G, M, A}),
    Act.DIGEST: ({M, A}, {M, A}),
    Act.CHANGE_SUBSCRIPTION: ({A}, {M, A}),
    Act.THEMES: ({M, A}, {M, A}),
    Act.EXPORT: ({A}, {A}),
    Act.FORGET: ({A}, {A}),
    Act.DELETE_INTERVIEW: ({A}, {G, M, A}),
    Act.STUDY: ({M, A}, {M, A}),
    Act.CHANGE_STUDY: ({A}, {M, A}),
    Act.CHANGE_ACCOUNT: ({A}, {M, A}),
}


def test_the_table_covers_every_act() -> None:
    assert set(TABLE) == set(RULES) == set(Act)


@pytest.mark.parametrize("act", list(Act))
def test_who_may_do_each_act(act: Act) -> None:
    others, own = TABLE[act]
    assert {r for r in Role if may(r, act)} == others
    assert {r for r in Role if may(r, act, is_owner=True)} == own


def test_export_allowed_members_opens_export_to_members_never_guests() -> None:
    assert {r for r in Role if may(r, Act.EXPORT, export_allowed="members")} == {M, A}
    assert {r for r in Role if may(r, Act.FORGET, export_allowed="members")} == {A}


def test_a_role_not_known_may_only_what_a_guest_may_and_is_told_to_try_again() -> None:
    assert {act for act in Act if may(None, act)} == {Act.LOG}
    assert {act for act in Act if may(None, act, is_owner=True)} == {
        Act.LOG,
        Act.OPEN_INTERVIEW,
        Act.DELETE_INTERVIEW,
    }
    check(None, Act.LOG)
    with pytest.raises(RoleUnknown):
        check(None, Act.SEARCH)
    with pytest.raises(NotAllowed, match=r"^Only full members of the workspace can search"):
        check(G, Act.SEARCH)
    with pytest.raises(NotAllowed, match=r"^Only workspace admins and owners can forget"):
        check(M, Act.FORGET)
    with pytest.raises(NotAllowed, match=r"^Only the person who set up this digest subscription, or a"):
        check(M, Act.CHANGE_SUBSCRIPTION)
    with pytest.raises(NotAllowed, match=r"^Only full members of the workspace can see or set up the digest"):
        check(G, Act.CHANGE_SUBSCRIPTION, is_owner=True)  # they set it up as a member, and are a guest now


@pytest.mark.parametrize(
    ("user", "home", "role"),
    [
        ({}, None, M),
        ({"is_restricted": True}, None, G),
        ({"is_ultra_restricted": True}, None, G),
        ({"is_admin": True}, None, A),
        ({"is_owner": True}, None, A),
        ({"is_primary_owner": True}, None, A),
        ({"is_admin": True, "is_restricted": True}, None, G),
        ({"is_admin": "true"}, None, M),  # only a real true counts
        ({"deleted": True, "is_admin": True}, None, G),
        ({"is_stranger": True}, None, G),
        ({"team_id": "T0001"}, "T0001", M),
        ({"team_id": "T0PARTNER", "is_admin": True}, "T0001", G),  # a shared channel's admin at home
        ({"team_id": "T0PARTNER"}, None, M),  # the bot's own workspace not known yet
        ({"team_id": "T0SISTER", "enterprise_user": {"enterprise_id": "E1"}}, "T0001", M),
    ],
)
def test_a_role_from_slacks_user_object(user: dict[str, object], home: str | None, role: Role) -> None:
    assert role_of(user, home) is role
