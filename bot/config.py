"""The configuration, from the environment: every name is part of the public contract (DESIGN.md).

A missing or bad value raises ConfigError, whose message is one line naming the variable and what
to do; the CLI prints it and exits with status 2.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Literal

DEFAULT_DATABASE_URL = "sqlite:///interview-bot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# `interview-bot run --dry-slack` needs no Slack settings: these stand in for them, and for nothing else.
DRY_SLACK_BOT_TOKEN = "xoxb-dry-slack"
DRY_SLACK_SIGNING_SECRET = "dry-slack-signing-secret"

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class ConfigError(Exception):
    """A setting is missing or malformed; str(self) is the one line shown to the operator."""


@dataclass(frozen=True)
class WorkingHours:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Config:
    # Secrets stay out of repr(): a configuration in a log line or a traceback shows none of them.
    bot_token: str = field(repr=False)
    signing_secret: str = field(repr=False)
    app_token: str | None = field(repr=False)
    slack_api_url: str = field(repr=False)
    mode: Literal["socket", "http"]
    host: str
    port: int
    database_url: str = field(repr=False)
    thank_you_after: timedelta
    summary_after: timedelta
    scheduler_tick: timedelta
    # None means reminders may go out at any hour ("WORKING_HOURS=any").
    working_hours: WorkingHours | None
    # How often an overdue follow-up is reminded again (once per working day) before the bot stops.
    max_resends: int = 3
    # When the prep DM goes out before a scheduled call.
    prep_before: timedelta = timedelta(minutes=30)
    # How lines are embedded for themes: auto (the semantic model when installed, else lexical).
    themes_method: Literal["auto", "semantic", "lexical"] = "auto"
    # Which sentence model the semantic method runs (bot/themes/models/).
    themes_model: Literal["minilm", "mpnet"] = "minilm"
    # A workspace of 3,000 lines or more: how often its pool of lines in no theme is regrouped with its
    # young and small themes (when it grew). A smaller one is regrouped in full whenever lines came.
    themes_regroup_every: timedelta = timedelta(hours=1)
    # How often all of a workspace's lines are regrouped whatever came (identities and corrections kept):
    # the backstop.
    themes_rebuild_every: timedelta = timedelta(days=7)
    # How log lines are written: plain text, or one JSON object per line (for a log collector).
    log_format: Literal["plain", "json"] = "plain"
    # Who may export the workspace's interviews from Slack: admins and owners, or every full member too.
    export_allowed: Literal["admins", "members"] = "admins"


def parse_duration(name: str, raw: str) -> timedelta:
    match = _DURATION.match(raw)
    if not match or int(match.group(1)) == 0:
        raise ConfigError(
            f"{name}={raw!r} is not a duration: write a positive whole number and a unit s, m, h or d "
            f"(for example 24h)."
        )
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def parse_working_hours(raw: str) -> WorkingHours | None:
    if raw.strip().lower() == "any":
        return None
    match = _HOURS.match(raw)
    problem = "write HH:MM-HH:MM (for example 09:00-18:00), or 'any' to send at any hour."
    if not match:
        raise ConfigError(f"WORKING_HOURS={raw!r} is not a time window: {problem}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ConfigError(f"WORKING_HOURS={raw!r} has an impossible time: {problem}")
    start, end = time(h1, m1), time(h2, m2)
    if end <= start:
        raise ConfigError(f"WORKING_HOURS={raw!r} ends before it starts: {problem}")
    return WorkingHours(start, end)


# The value of a query parameter that may hold a secret (psycopg takes ?password=, a proxy ?token=).
_SECRET_PARAMETER = re.compile(r"([?&][^=&#]*(?:pass|secret|token|key)[^=&#]*=)[^&#]*", re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}")


def shown_url(url: str) -> str:
    """A URL as a message or the log may show it: the password and any secret-looking query value
    replaced by ***. SQLAlchemy renders it when it reads it unambiguously; otherwise (unreadable, or an
    unescaped @ that leaves the password's end in doubt) everything before the last @ is masked by hand,
    so that a setting is never echoed with its password whatever shape it has."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if url.count("@") <= 1:
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError):
            pass
        else:
            return _SECRET_PARAMETER.sub(r"\1***", parsed.render_as_string(hide_password=True))
    scheme, sep, rest = url.partition("://")
    if not (sep and _SCHEME.fullmatch(scheme)):
        return "(not shown: not a URL)"
    userinfo, at, after = rest.rpartition("@")
    shown = ""
    if at:
        user, colon, _ = userinfo.partition(":")
        # A "user" holding a / is not one (an @ further on): show none of what came before the last @.
        shown = ("***" if "/" in user else user + (":***" if colon else "")) + "@"
    cut = next((i for i, c in enumerate(after) if c in "/?#"), len(after))
    authority, path = after[:cut], after[cut:]
    host, colon, port = authority.rpartition(":")
    if colon and not port.isdigit() and not authority.endswith("]"):
        authority = f"{host}:***"  # a "port" that is no number: a password whose @ was forgotten
    return _SECRET_PARAMETER.sub(r"\1***", f"{scheme}://{shown}{authority}{path}")


def redact(text: str, *urls: str) -> str:
    """`text` (a driver's or a library's message) with each URL in it shown as shown_url shows it, and
    any password of theirs masked wherever else it appears."""
    from urllib.parse import unquote

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    for url in urls:
        text = text.replace(url, shown_url(url))
        secrets = set()
        try:
            password = make_url(url).password
        except (ArgumentError, ValueError):
            password = None
        if password:
            secrets.add(str(password))
        userinfo = url.partition("://")[2].rpartition("@")[0]
        if ":" in userinfo:
            raw = userinfo.split(":", 1)[1]
            secrets.update({raw, unquote(raw)})
        for secret in sorted(secrets - {""}, key=len, reverse=True):
            text = text.replace(secret, "***")
    return text


def _required(env: Mapping[str, str], name: str, hint: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set: {hint}")
    return value


def load_database_url(env: Mapping[str, str] | None = None) -> str:
    """The database URL alone: `interview-bot migrate` and the CLI reports need no Slack settings."""
    env = os.environ if env is None else env
    url = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    # The PostgreSQL driver we ship is psycopg 3; plain postgresql:// (or postgres://) means it too.
    url = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", url):
        raise ConfigError(
            f"DATABASE_URL={shown_url(url)!r} is not supported: use sqlite:///path.db or "
            "postgresql+psycopg://user@host/db."
        )
    return url


def dry_slack_env(env: Mapping[str, str]) -> dict[str, str]:
    """The settings of `run --dry-slack`, where Slack is a stand-in on this machine (bot.app sets its URL
    when it starts): the placeholder token, the signing secret if one is set (else the placeholder), HTTP
    mode (Socket Mode needs Slack itself), and this machine only unless HOST says otherwise (the
    placeholder secret is no secret)."""
    return {
        **env,
        "SLACK_BOT_TOKEN": DRY_SLACK_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": env.get("SLACK_SIGNING_SECRET", "").strip() or DRY_SLACK_SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",
        "BOT_MODE": "http",
        "HOST": env.get("HOST", "").strip() or "127.0.0.1",
    }


def load_config(env: Mapping[str, str] | None = None, *, dry_slack: bool = False) -> Config:
    """The settings of `interview-bot run`; with `dry_slack`, those of `run --dry-slack` (dry_slack_env)."""
    env = os.environ if env is None else env
    if dry_slack:
        env = dry_slack_env(env)
    bot_token = _required(
        env,
        "SLACK_BOT_TOKEN",
        "set it to the app's Bot User OAuth Token (xoxb-…, under OAuth & Permissions).",
    )
    if not bot_token.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN does not start with xoxb-: use the Bot User OAuth Token.")
    signing_secret = _required(
        env,
        "SLACK_SIGNING_SECRET",
        "set it to the app's Signing Secret (Basic Information → App Credentials).",
    )
    for name, placeholder in (
        ("SLACK_BOT_TOKEN", DRY_SLACK_BOT_TOKEN),
        ("SLACK_SIGNING_SECRET", DRY_SLACK_SIGNING_SECRET),
    ):
        if not dry_slack and env.get(name, "").strip() == placeholder:
            raise ConfigError(
                f"{name} is the placeholder of a dry run: set the app's own, or run with --dry-slack."
            )
    app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
    if app_token is not None and not app_token.startswith("xapp-"):
        raise ConfigError(
            "SLACK_APP_TOKEN does not start with xapp-: use an app-level token with connections:write."
        )

    raw_mode = env.get("BOT_MODE", "").strip().lower() or ("socket" if app_token else "http")
    if raw_mode not in ("socket", "http"):
        raise ConfigError(f"BOT_MODE={raw_mode!r} is not a mode: use socket or http.")
    if raw_mode == "socket" and app_token is None:
        raise ConfigError(
            "SLACK_APP_TOKEN is not set but BOT_MODE=socket needs it: create an app-level token "
            "with connections:write, or set BOT_MODE=http."
        )

    raw_port = env.get("PORT", "").strip() or "3000"
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        raise ConfigError(f"PORT={raw_port!r} is not a TCP port: use a number from 1 to 65535.")

    api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_SLACK_API_URL
    if not re.match(r"^https?://", api_url):
        raise ConfigError(
            f"SLACK_API_URL={shown_url(api_url)!r} is not an http(s) URL: leave it unset for Slack."
        )
    if not api_url.endswith("/"):
        api_url += "/"

    return Config(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        slack_api_url=api_url,
        mode=raw_mode,  # type: ignore[arg-type]
        host=env.get("HOST", "").strip() or "0.0.0.0",
        port=int(raw_port),
        database_url=load_database_url(env),
        thank_you_after=parse_duration(
            "FOLLOWUP_THANK_YOU_AFTER", env.get("FOLLOWUP_THANK_YOU_AFTER", "").strip() or "24h"
        ),
        summary_after=parse_duration(
            "FOLLOWUP_SUMMARY_AFTER", env.get("FOLLOWUP_SUMMARY_AFTER", "").strip() or "48h"
        ),
        scheduler_tick=parse_duration("SCHEDULER_TICK", env.get("SCHEDULER_TICK", "").strip() or "30s"),
        working_hours=parse_working_hours(env.get("WORKING_HOURS", "").strip() or "09:00-18:00"),
        max_resends=_count("FOLLOWUP_MAX_RESENDS", env.get("FOLLOWUP_MAX_RESENDS", "").strip() or "3"),
        prep_before=parse_duration("PREP_BEFORE", env.get("PREP_BEFORE", "").strip() or "30m"),
        themes_method=load_themes_method(env),
        themes_model=load_themes_model(env),
        themes_regroup_every=parse_duration(
            "THEMES_REGROUP_EVERY", env.get("THEMES_REGROUP_EVERY", "").strip() or "1h"
        ),
        themes_rebuild_every=parse_duration(
            "THEMES_REBUILD_EVERY", env.get("THEMES_REBUILD_EVERY", "").strip() or "7d"
        ),
        log_format=load_log_format(env),
        export_allowed=load_export_allowed(env),
    )


def load_export_allowed(env: Mapping[str, str]) -> Literal["admins", "members"]:
    raw = env.get("EXPORT_ALLOWED", "").strip().lower() or "admins"
    if raw not in ("admins", "members"):
        raise ConfigError(
            f"EXPORT_ALLOWED={raw!r} is not a choice: use admins (workspace admins and owners, the default) "
            "or members (every full member too; never guests)."
        )
    return raw  # type: ignore[return-value]


def load_log_format(env: Mapping[str, str] | None = None) -> Literal["plain", "json"]:
    """LOG_FORMAT alone: logging is set up before any command reads its settings."""
    env = os.environ if env is None else env
    raw = env.get("LOG_FORMAT", "").strip().lower() or "plain"
    if raw not in ("plain", "json"):
        raise ConfigError(
            f"LOG_FORMAT={raw!r} is not a log format: use plain (the default) or json (one object a line)."
        )
    return raw  # type: ignore[return-value]


def load_themes_method(env: Mapping[str, str] | None = None) -> Literal["auto", "semantic", "lexical"]:
    """THEMES_METHOD alone: the CLI's themes verbs need no Slack settings."""
    env = os.environ if env is None else env
    raw = env.get("THEMES_METHOD", "").strip().lower() or "auto"
    if raw not in ("auto", "semantic", "lexical"):
        raise ConfigError(f"THEMES_METHOD={raw!r} is not a method: use auto, semantic or lexical.")
    return raw  # type: ignore[return-value]


def load_themes_model(env: Mapping[str, str] | None = None) -> Literal["minilm", "mpnet"]:
    """THEMES_MODEL alone, as THEMES_METHOD."""
    env = os.environ if env is None else env
    raw = env.get("THEMES_MODEL", "").strip().lower() or "minilm"
    if raw not in ("minilm", "mpnet"):
        raise ConfigError(
            f"THEMES_MODEL={raw!r} is not a model: use minilm (light, the default) or mpnet (stronger)."
        )
    return raw  # type: ignore[return-value]


def _count(name: str, raw: str) -> int:
    if not raw.isdigit() or int(raw) > 30:
        raise ConfigError(f"{name}={raw!r} is not a count: use a whole number from 0 to 30.")
    return int(raw)
