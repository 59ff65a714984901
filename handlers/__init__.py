"""Everything that speaks Slack. One listener module per surface, thin: parse the payload, call a service
of bot/, ack, hand what to send to a sender. Beside them: the Bolt App (app), what listeners receive
(deps), the way in (requests/), Block Kit (views/), the senders (senders/), the Web API (web_api/)."""

from __future__ import annotations

from slack_bolt import App


def register_all(app: App) -> None:
    from handlers import (
        accounts,
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
        studies,
        study_files,
        study_pick,
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
    studies.register(app)
    study_files.register(app)
    study_pick.register(app)
    accounts.register(app)
