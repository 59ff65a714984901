"""Reminders: the DMs that nag people for what they owe, as the database keeps them.

- `deliveries`: claiming what is due (one DM per person, under a lease), recording what was sent,
  deferring to working hours, retrying.
"""
