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
- `recount`: themes a deletion or an edit took lines from, counted again after the commit.
- `upkeep/`: the scheduler's job (`job`) that keeps themes in step with the lines, with the heavy parts
  outside the write transaction; which workspaces have work and one pass of it (`work`); one replica at
  a time (`lease`).
- `labels`: a short label for a theme nobody named, drawn from its lines (no database); `wording`: the
  words of a line as a label needs them (function words, clauses, where a name may end); `topic_labels`:
  a topic's label from the words its pains share; `relabel`: which themes need a label again as their
  members change, and storing it.
- `lookalikes`: pairs of themes that look alike, offered to people as merges (never merged alone).
- `grouping`: the numeric core (smoothing, the cut set from the lines' closeness, linking), no database;
  `linkage`: average linkage on lines or on a large workspace's micro-groups.
- `embeddings`: turning text into vectors by words (the lexical method), and what every embedder is.
- `semantic`: the sentence-model embedder, and which embedder THEMES_METHOD and THEMES_MODEL pick;
  `models/`: the models (minilm, mpnet), where their weights come from, and their network as ONNX.
"""
