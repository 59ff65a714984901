"""What the bot sends on its own, outside any request: reminder DMs, weekly digests, the outbox's
messages, and App Homes republished when something of a person's changes.

A sender claims its work from the database (so replicas never send the same thing twice), draws it with
the Block Kit builders in `handlers/views/`, and posts it through `handlers/web_api/`.
"""
