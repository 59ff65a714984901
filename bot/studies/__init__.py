"""Studies: a research effort with a goal and validation points (hypotheses to confirm or refute,
questions to answer), the interviews logged into it with their answer to each point, and the sheet that
puts every account's answers side by side.

- `store`: a study made, changed, found, listed with its progress, closed (its sheet frozen), reopened.
- `answers`: which study an interview is in and its answers; the study a person last logged into.
- `sheet`: accounts × points, each point's tally, disagreements and thin evidence (no Slack, no chart).
- `outputs`, `matrix`, `terminal`: the sheet as CSV, as a picture with its alt text, as terminal text.
"""
