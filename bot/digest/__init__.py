"""The weekly digest: what many customers share, posted to a channel once a period.

- `content`: what a digest says about one period (what was heard, pains ranked by distinct accounts with
  their trend and the customers' words, emerging themes, requests apart, follow-up health, coverage).
- `subscriptions`: which channels get it, when, in which timezone; the next time each is due.
- `runs`: one run per subscription and period, claimed in the database so replicas post it once.
- `chart`: the period's top pains as bars of distinct accounts, each one's trend beside it when earlier
  periods hold interviews, as a PNG (and its alt text).
- `terminal`: the digest as plain text, for `interview-bot digest preview`, and the wording the Slack digest
  shares with it.
- `period`: the days a digest covers, named as they are (a week only when it is 7 days).
"""
