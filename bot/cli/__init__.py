"""The `interview-bot` command line: running the bot and the operator's verbs.

- `main`: the verbs and their arguments, `run` among them.
- `exchange`: `export` and `import`, the workspace as a spreadsheet.
- `startup`: what the verbs share: opening the database and the embedder, the one-line startup error.
"""
