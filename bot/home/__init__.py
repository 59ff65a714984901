"""The App Home's reads: what a person sees when they open the bot.

- `mine`: their open follow-ups, upcoming calls and latest interviews.
- `week`: the team's week at a glance (interviews, accounts, top pains).
"""
