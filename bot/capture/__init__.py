"""Capture: an interview logged right after the call.

- `interviews`: a draft checked field by field, then stored in one transaction with its pains, requests,
  quotes and follow-ups; a person's latest interviews; the summary written later.
- `edits`: its author edits it in the log modal again: changed lines placed again by the theme engine,
  promises re-planned, the edit recorded (who, when, which fields).
"""
