"""Reminders: the DMs the bot sends people on its own, in their working hours, as the database keeps them.

- `deliveries`: claiming what is due (one DM per person, under a lease), recording what was sent,
  deferring to working hours, retrying.
- `owner_summary`: an account owner's quiet daily DM of the calls others had with their accounts, claimed
  once per owner and day.
"""
