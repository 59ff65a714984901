"""What the bot sends on its own, outside any request: the reminder DMs and the weekly digests.

A sender claims its work from the database (so replicas never send the same thing twice), renders it with
the Block Kit builders in `handlers/views/`, and posts it through `bot.slack`.
"""
