"""The outbox: every message that matters to a person is recorded in the transaction of what it confirms,
then sent after commit and retried with back-off until Slack takes it or refuses it for good; a message
that fails for good is told to its person another way. Claims and leases make it exactly once across
replicas, like reminders."""
