"""Accounts: the customer companies the team talks to.

- `names`: one account, one name ("Acme", "ACME Inc." and "acme" are the same account), found as you type.
- `history`: what to know before talking to an account again (last conversations, recurring pains, what
  is still owed to it).
"""
