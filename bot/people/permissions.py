"""Who may do what: decided here, and only here, from a person's role in the workspace and, for what
someone made, whether they made it.

Slack-free: the role is read from Slack elsewhere (handlers.web_api.roles: the member list, users.info)
and handed in.
- Guests (and anyone Slack shows as of another organisation: the request guard refuses partners in
  shared channels first) log their own calls, schedule them,
  and see what they logged or took part in; nothing of the team's.
- Full members also search and list the team's interviews, open anyone's, see and correct the themes,
  and preview and subscribe channels to the digest.
- Workspace admins and owners also export the workspace (members too with EXPORT_ALLOWED=members),
  forget an account, and change anyone's interview or digest subscription.
- Full members see the studies and their sheets and start one; a study's owners (and admins) change,
  close and reopen it.
- An account's owner (and admins) change its owner, segment, ARR, CRM link and status.
- What someone made (an interview they logged, a subscription they set up) is also theirs to change.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from bot.errors import BotError, NotAllowed

ExportAllowed = Literal["admins", "members"]


class Role(enum.IntEnum):
    """A person's standing in the workspace, least first: each may do what the ones below it may."""

    GUEST = 1  # is_restricted / is_ultra_restricted in Slack, or from another organisation
    MEMBER = 2
    ADMIN = 3  # is_admin, is_owner or is_primary_owner


class Act(enum.StrEnum):
    """What people do with the bot, as far as who may do it differs."""

    LOG = "log"  # log and schedule their own calls, see and change what they logged: everyone
    SEARCH = "search"
    LIST_ACCOUNT = "list_account"
    SEE_ACCOUNTS = "see_accounts"  # the workspace's accounts, suggested while typing in a form
    SEE_TEAM_WEEK = "see_team_week"  # the App Home's "team's last 7 days"
    SEE_ACCOUNT_HISTORY = "see_account_history"  # an account's past pains in a call's prep DM
    OPEN_INTERVIEW = "open_interview"  # theirs: one they took part in
    DIGEST = "digest"  # preview it, open its settings, subscribe a channel
    CHANGE_SUBSCRIPTION = "change_subscription"  # theirs: one they set up
    THEMES = "themes"  # see them, rename, merge, move a line
    EXPORT = "export"
    FORGET = "forget"
    DELETE_INTERVIEW = "delete_interview"  # theirs: one they logged
    STUDY = "study"  # see the workspace's studies and their sheets, start one
    CHANGE_STUDY = "change_study"  # theirs: one they own (edit, close, reopen)
    CHANGE_ACCOUNT = "change_account"  # theirs: an account they own (its owner, segment, ARR, link, status)


@dataclass(frozen=True)
class Rule:
    anyone: Role  # the least role that may, whoever made the thing
    owner: Role | None = None  # the least role that may for the one who made it (None: it is nobody's)
    doing: str = ""  # "search the team's interviews", in a refusal to a guest
    admins: str = ""  # the refusal when only admins (or the one who made it) may


MEMBERS_ONLY = "Only full members of the workspace can {doing}; guests log their own calls and see those."
EXPORT_ADMINS = (
    "Only workspace admins and owners can export interviews: ask one of them, or ask whoever runs the bot "
    "to set EXPORT_ALLOWED=members. Nothing was sent."
)
FORGET_ADMINS = (
    "Only workspace admins and owners can forget an account: ask one of them. Nothing was removed."
)
DELETE_ADMINS = (
    "Only the person who logged an interview, or a workspace admin or owner, can delete it. "
    "Nothing was deleted."
)
SUBSCRIPTION_ADMINS = (
    "Only the person who set up this digest subscription, or a workspace admin or owner, can change it. "
    "Nothing changed."
)

STUDY_ADMINS = (
    "Only the owners of this study, or a workspace admin or owner, can change or close it. Nothing changed."
)
ACCOUNT_ADMINS = (
    "Only the account's owner, or a workspace admin or owner, can change its owner, segment, ARR, CRM link "
    "or status. Nothing changed."
)

RULES: dict[Act, Rule] = {
    Act.LOG: Rule(Role.GUEST),
    Act.SEARCH: Rule(Role.MEMBER, doing="search the team's interviews"),
    Act.LIST_ACCOUNT: Rule(Role.MEMBER, doing="list an account's interviews"),
    Act.SEE_ACCOUNTS: Rule(Role.MEMBER, doing="see the workspace's accounts"),
    Act.SEE_TEAM_WEEK: Rule(Role.MEMBER, doing="see the team's week"),
    Act.SEE_ACCOUNT_HISTORY: Rule(Role.MEMBER, doing="see an account's history"),
    Act.OPEN_INTERVIEW: Rule(Role.MEMBER, owner=Role.GUEST, doing="open someone else's interview"),
    Act.DIGEST: Rule(Role.MEMBER, doing="see or set up the digest"),
    Act.CHANGE_SUBSCRIPTION: Rule(
        Role.ADMIN, owner=Role.MEMBER, doing="see or set up the digest", admins=SUBSCRIPTION_ADMINS
    ),
    Act.THEMES: Rule(Role.MEMBER, doing="see or correct the themes"),
    Act.EXPORT: Rule(Role.ADMIN, doing="export interviews", admins=EXPORT_ADMINS),
    Act.FORGET: Rule(Role.ADMIN, doing="forget an account", admins=FORGET_ADMINS),
    Act.DELETE_INTERVIEW: Rule(
        Role.ADMIN, owner=Role.GUEST, doing="delete an interview", admins=DELETE_ADMINS
    ),
    # A sheet holds every account's answers: the team's, so members; a guest logs their calls into one.
    Act.STUDY: Rule(Role.MEMBER, doing="see or start studies"),
    Act.CHANGE_STUDY: Rule(Role.ADMIN, owner=Role.MEMBER, doing="see or start studies", admins=STUDY_ADMINS),
    Act.CHANGE_ACCOUNT: Rule(
        Role.ADMIN, owner=Role.MEMBER, doing="list an account's interviews", admins=ACCOUNT_ADMINS
    ),
}

# How old a role read from Slack may be for a decision. An admin's powers always ask Slack (a demoted
# admin loses them at once; they are used rarely); telling a member from a guest trusts a role read in
# the last hour, so the 3-second path seldom waits on users.info.
TRUSTED_FOR = {Role.GUEST: timedelta.max, Role.MEMBER: timedelta(hours=1), Role.ADMIN: timedelta(0)}


class RoleUnknown(BotError):
    """Slack did not say who the person is, and the decision needs it: nothing was done."""

    def __init__(self) -> None:
        super().__init__(
            "I couldn't check with Slack who may do this just now, so I did nothing. Try again in a minute."
        )


def needed(act: Act, *, is_owner: bool = False, export_allowed: ExportAllowed = "admins") -> Role:
    """The least role that may do `act` (the one who made the thing may need less)."""
    rule = RULES[act]
    if act is Act.EXPORT and export_allowed == "members":
        return Role.MEMBER
    if is_owner and rule.owner is not None:
        return rule.owner
    return rule.anyone


def may(
    role: Role | None, act: Act, *, is_owner: bool = False, export_allowed: ExportAllowed = "admins"
) -> bool:
    """Whether someone of `role` (None: not known) may do `act`; unknown is allowed only what guests are."""
    need = needed(act, is_owner=is_owner, export_allowed=export_allowed)
    return need is Role.GUEST or (role is not None and role >= need)


def check(
    role: Role | None, act: Act, *, is_owner: bool = False, export_allowed: ExportAllowed = "admins"
) -> None:
    """Raise NotAllowed, saying who may, unless someone of `role` may do `act`; RoleUnknown when the role
    is not known and the act needs one."""
    if may(role, act, is_owner=is_owner, export_allowed=export_allowed):
        return
    if role is None:
        raise RoleUnknown()
    raise NotAllowed(refusal(act, needed(act, is_owner=is_owner, export_allowed=export_allowed)))


def refusal(act: Act, need: Role) -> str:
    """What a person refused `act` is told: who may do it."""
    rule = RULES[act]
    if need is Role.ADMIN and rule.admins:
        return rule.admins
    return MEMBERS_ONLY.format(doing=rule.doing)
