"""Inbound Slack surfaces, thin: parse the payload, call a service, render. One module per surface."""

from __future__ import annotations

from slack_bolt import App


def register_all(app: App) -> None:
    from handlers import (
        commands,
        delete,
        digest,
        edit,
        home,
        log_modal,
        pause,
        reminders,
        schedule,
        search,
        shortcuts,
        themes,
    )

    commands.register(app)
    log_modal.register(app)
    edit.register(app)
    shortcuts.register(app)
    home.register(app)
    reminders.register(app)
    pause.register(app)
    schedule.register(app)
    themes.register(app)
    search.register(app)
    delete.register(app)
    digest.register(app)
