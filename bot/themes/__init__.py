"""Themes: pains (and, apart, requests) from many interviews grouped by meaning, kept stable, corrected by
people.

The flow for a workspace: each new line is embedded once and stored; it joins the nearest theme when close
enough, else it waits in the pool (`theme_id` None); the pool is re-clustered on a schedule; a full
regroup matches its new groups to the old themes, so a theme keeps its id while its members barely change.
What people did is kept: a renamed theme keeps its name, and a line placed by hand is never moved again.

- `store`: reading themes and their lines; a theme's size, centroid and name kept in step.
- `corrections`: rename, merge, move a line (split it off, take it out).
- `placement`: embedding new lines and placing them; re-clustering the pool.
- `regroup`: the full regroup, planned ahead in a read transaction and applied in the write one.
- `upkeep` and `leases`: which workspaces have work, one pass of it, one replica at a time.
- `upkeep`: the scheduler's job that runs upkeep with the heavy parts outside the write transaction.
- `labels` and `labelling`: a short label for each theme nobody named, drawn from its lines, kept in
  step with its members.
- `lookalikes`: pairs of themes that look alike, offered to people as merges (never merged alone).
- `grouping`: the numeric core (smoothing, average linkage, micro-groups), no database.
- `embeddings`, `semantic`: turning text into vectors (a small sentence model, or words), and which one
  THEMES_METHOD picks.
"""
