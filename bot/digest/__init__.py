"""The weekly digest: what many customers share, posted to a channel once a period.

- `content`: what a digest says about one period (what was heard, pains ranked by distinct accounts with
  their trend and the customers' words, emerging themes, requests apart, follow-up health, coverage).
- `subscriptions`: which channels get it, when, in which timezone; the next time each is due.
- `runs`: one run per subscription and period, claimed in the database so replicas post it once.
- `chart`: the top themes' accounts over the last periods, as a PNG.
- `terminal`: the digest as plain text, for `interview-bot digest preview`.
"""
