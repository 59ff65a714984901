"""Inbound Slack surfaces, thin: parse the payload, call a service, render. One module per surface."""

from __future__ import annotations

from slack_bolt import App


def register_all(app: App) -> None:
    from handlers import (
        commands,
        digest,
        home,
        interview,
        log_modal,
        reminders,
        removal,
        schedule,
        search,
        settings,
        shortcuts,
        themes,
    )

    commands.register(app)
    log_modal.register(app)
    interview.register(app)
    shortcuts.register(app)
    home.register(app)
    reminders.register(app)
    settings.register(app)
    schedule.register(app)
    themes.register(app)
    search.register(app)
    removal.register(app)
    digest.register(app)
