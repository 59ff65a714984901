"""The outbox: every message that matters to a person is recorded in the transaction of what it confirms,
then sent after commit and retried with back-off until Slack takes it or refuses it for good; a message
that fails for good is told to its person another way. Claims and leases make it exactly once across
replicas, like reminders.

- `queue`: recording, claiming and sending messages, where each was posted, and who has messages that
  failed for good and was not told yet.
- `redraws`: posts an edit has made out of date, redrawn after commit or by the next tick.
- `shown`: what the bot showed whom (modals it opened, reminder DMs it sent), so a click redraws only those.
"""
