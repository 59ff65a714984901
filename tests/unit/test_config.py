"""Settings: defaults from DESIGN.md, and one clear line for every bad value."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot.cli.main import main
from bot.config import (
    DEFAULT_DATABASE_URL,
    ConfigError,
    WorkingHours,
    load_config,
    load_log_format,
    redact,
    shown_url,
)

BASE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret"}


def test_defaults() -> None:
    config = load_config(BASE)
    assert config.mode == "http"
    assert (config.host, config.port) == ("0.0.0.0", 3000)
    assert config.database_url == DEFAULT_DATABASE_URL
    assert config.slack_api_url == "https://slack.com/api/"
    assert config.thank_you_after == timedelta(hours=24)
    assert config.summary_after == timedelta(hours=48)
    assert config.scheduler_tick == timedelta(seconds=30)
    assert config.working_hours == WorkingHours(time(9), time(18))


def test_theme_settings() -> None:
    config = load_config(BASE)
    assert (config.themes_method, config.themes_regroup_every, config.themes_rebuild_every) == (
        "auto",
        timedelta(hours=1),
        timedelta(days=7),
    )
    custom = load_config(
        {**BASE, "THEMES_METHOD": "Lexical", "THEMES_REGROUP_EVERY": "15m", "THEMES_REBUILD_EVERY": "1d"}
    )
    assert (custom.themes_method, custom.themes_regroup_every, custom.themes_rebuild_every) == (
        "lexical",
        timedelta(minutes=15),
        timedelta(days=1),
    )


def test_plain_postgres_urls_use_the_shipped_driver() -> None:
    for url in ("postgresql://u@db/x", "postgres://u@db/x"):
        assert load_config({**BASE, "DATABASE_URL": url}).database_url == "postgresql+psycopg://u@db/x"


def test_socket_mode_is_the_default_with_an_app_token() -> None:
    assert load_config({**BASE, "SLACK_APP_TOKEN": "xapp-1"}).mode == "socket"
    assert load_config({**BASE, "SLACK_APP_TOKEN": "xapp-1", "BOT_MODE": "http"}).mode == "http"


def test_durations_and_hours() -> None:
    config = load_config(
        {**BASE, "FOLLOWUP_THANK_YOU_AFTER": "90m", "SCHEDULER_TICK": "5s", "WORKING_HOURS": "any"}
    )
    assert config.thank_you_after == timedelta(minutes=90)
    assert config.scheduler_tick == timedelta(seconds=5)
    assert config.working_hours is None
    assert load_config({**BASE, "SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_url.endswith("/api/")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_SIGNING_SECRET": " "}, "SLACK_SIGNING_SECRET"),
        ({"BOT_MODE": "socket"}, "SLACK_APP_TOKEN"),
        ({"BOT_MODE": "carrier-pigeon"}, "BOT_MODE"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({"PORT": "70000"}, "PORT"),
        ({"PORT": "http"}, "PORT"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"FOLLOWUP_THANK_YOU_AFTER": "tomorrow"}, "FOLLOWUP_THANK_YOU_AFTER"),
        ({"FOLLOWUP_SUMMARY_AFTER": "0h"}, "FOLLOWUP_SUMMARY_AFTER"),
        ({"SCHEDULER_TICK": "-5s"}, "SCHEDULER_TICK"),
        ({"WORKING_HOURS": "18:00-09:00"}, "WORKING_HOURS"),
        ({"WORKING_HOURS": "9-5"}, "WORKING_HOURS"),
        ({"WORKING_HOURS": "09:00-24:30"}, "WORKING_HOURS"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({"THEMES_METHOD": "bert"}, "THEMES_METHOD"),
        ({"THEMES_REGROUP_EVERY": "hourly"}, "THEMES_REGROUP_EVERY"),
        ({"THEMES_REBUILD_EVERY": "0d"}, "THEMES_REBUILD_EVERY"),
    ],
)
def test_bad_values_name_the_variable_in_one_line(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({**BASE, **env})
    message = str(caught.value)
    assert message.startswith(named)
    assert "\n" not in message


def test_log_format() -> None:
    assert load_config(BASE).log_format == "plain"
    assert load_config({**BASE, "LOG_FORMAT": " JSON "}).log_format == "json"
    assert load_log_format({}) == "plain"
    with pytest.raises(ConfigError) as caught:
        load_log_format({"LOG_FORMAT": "xml"})
    assert "LOG_FORMAT='xml'" in str(caught.value) and "plain" in str(caught.value)


PASSWORD = "Pa55word"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mysql://ib:Pa55word@db.internal/ib", "mysql://ib:***@db.internal/ib"),  # read by SQLAlchemy
        (
            "postgresql+psycopg://ib:Pa55word@db/ib?sslmode=require",
            "postgresql+psycopg://ib:***@db/ib?sslmode=require",
        ),
        ("postgresql+psycopg://ib@db/ib?password=Pa55word", "postgresql+psycopg://ib@db/ib?password=***"),
        ("postgresql+psycopg://ib:Pa%2F55word@db/ib", "postgresql+psycopg://ib:***@db/ib"),
        ("sqlite:///interview-bot.db", "sqlite:///interview-bot.db"),
        # Unreadable or ambiguous: masked by hand, never echoed.
        ("postgresql://ib:Pa@55word@db/ib", "postgresql://ib:***@db/ib"),  # an @ not written %40
        ("postgresql://ib:Pa/55@word@db/ib", "postgresql://ib:***@db/ib"),
        ("postgresql+psycopg://ib:Pa55word@[::1/ib", "postgresql+psycopg://ib:***@[::1/ib"),
        ("postgresql://ib:Pa55word/ib", "postgresql://ib:***/ib"),  # the @host forgotten: a "port"
        ("postgresql://ib:x@db:Pa55word/ib", "postgresql://ib:***@db:***/ib"),
        ("https://ib:Pa55word@proxy/api/?token=Pa55word", "https://ib:***@proxy/api/?token=***"),
        ("Pa55word", "(not shown: not a URL)"),
        ("my sql://ib:Pa55word@db", "(not shown: not a URL)"),
    ],
)
def test_a_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert shown_url(url) == shown


@pytest.mark.parametrize(
    "env",
    [
        {"DATABASE_URL": "mysql://ib:Pa55word@db.internal:3306/ib"},
        {"DATABASE_URL": "mysql://ib:Pa@55word@db.internal/ib"},
        {"DATABASE_URL": "Pa55word"},
        {"SLACK_API_URL": "htps://ib:Pa55word@proxy/api/"},
        {"SLACK_API_URL": "ib:Pa55word@proxy/api/"},
    ],
)
def test_a_refused_url_is_named_without_its_password(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({**BASE, **env})
    message = str(caught.value)
    assert message.startswith(next(iter(env))) and "\n" not in message
    assert PASSWORD not in message and "55word" not in message


def test_a_settings_object_shows_no_secret() -> None:
    config = load_config(
        {
            "SLACK_BOT_TOKEN": "xoxb-Pa55word",
            "SLACK_SIGNING_SECRET": PASSWORD,
            "SLACK_APP_TOKEN": "xapp-Pa55word",
            "DATABASE_URL": "postgresql+psycopg://ib:Pa55word@db/ib",
        }
    )
    assert PASSWORD not in repr(config) and "port=3000" in repr(config)


def test_a_drivers_message_quoting_the_url_or_password_is_redacted() -> None:
    url = "postgresql+psycopg://ib:Pa%2455word@db/ib"
    said = f"cannot connect to {url}: password Pa$55word refused (raw Pa%2455word)"
    assert (
        redact(said, url)
        == "cannot connect to postgresql+psycopg://ib:***@db/ib: password *** refused (raw ***)"
    )


@pytest.mark.parametrize(
    "url",
    [
        "mysql://ib:Pa55word@db.internal/ib",  # not supported
        "postgresql+psycopg://ib:Pa55word@[::1/ib",  # malformed
        "postgresql+psycopg://ib:Pa55word@127.0.0.1:1/ib",  # nothing listens there
        "sqlite+nodriver://ib:Pa55word@x/ib",  # no such driver
    ],
)
def test_the_cli_names_a_bad_database_url_without_its_password(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert "DATABASE_URL" in err and len(err.strip().splitlines()) == 1, err
    assert "55word" not in err, err


def test_export_allowed_is_admins_unless_opened_to_members() -> None:
    assert load_config(BASE).export_allowed == "admins"
    assert load_config({**BASE, "EXPORT_ALLOWED": " Members "}).export_allowed == "members"
    with pytest.raises(ConfigError) as caught:
        load_config({**BASE, "EXPORT_ALLOWED": "guests"})
    message = str(caught.value)
    assert message.startswith("EXPORT_ALLOWED='guests'") and "admins" in message and "\n" not in message


def test_a_dry_run_needs_no_slack_settings_and_is_http_on_this_machine() -> None:
    from bot.config import DRY_SLACK_BOT_TOKEN, DRY_SLACK_SIGNING_SECRET

    bare = load_config({}, dry_slack=True)
    assert (bare.bot_token, bare.signing_secret) == (DRY_SLACK_BOT_TOKEN, DRY_SLACK_SIGNING_SECRET)
    assert (bare.mode, bare.app_token, bare.host) == ("http", None, "127.0.0.1")
    # Settings meant for Slack: Socket Mode is turned off, the real token is not needed, a secret is kept.
    set_up = load_config({**BASE, "SLACK_APP_TOKEN": "xapp-1", "BOT_MODE": "socket"}, dry_slack=True)
    assert (set_up.mode, set_up.app_token, set_up.bot_token) == ("http", None, DRY_SLACK_BOT_TOKEN)
    assert set_up.signing_secret == "s3cret"
    assert load_config({"HOST": "0.0.0.0"}, dry_slack=True).host == "0.0.0.0"


@pytest.mark.parametrize("name", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"])
def test_the_placeholders_of_a_dry_run_are_refused_for_slack(name: str) -> None:
    from bot.config import DRY_SLACK_BOT_TOKEN, DRY_SLACK_SIGNING_SECRET

    placeholder = {"SLACK_BOT_TOKEN": DRY_SLACK_BOT_TOKEN, "SLACK_SIGNING_SECRET": DRY_SLACK_SIGNING_SECRET}
    with pytest.raises(ConfigError, match=f"^{name} is the placeholder of a dry run: .*--dry-slack"):
        load_config({**BASE, name: placeholder[name]})
