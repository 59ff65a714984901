"""Search: finding interviews by what was said and heard in them.

- `query`: what a person typed, read as words, "quoted phrases", account:NAME and study:NAME, and the
  marks that show the matching words (characters typed text can never hold).
- `context`: what a result shows beside its excerpts (its pains' topics, its study).
- `service`: the search itself, ranked, one page at a time, on the database's own full-text engine
  (SQLite FTS5 with bm25, PostgreSQL's tsvector with ts_rank), always within one workspace.
"""
