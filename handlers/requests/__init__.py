"""How Slack's requests come in: served, checked, handed to Bolt.

- `server`: the HTTP server (waitress, with deadlines against slow clients) and the Socket Mode runner.
- `signature`: the signing-secret check on a request's raw bytes, before anything reads them.
- `shape`: what a request is (kind, workspace, person), whether Slack would send it, and whose it is.
- `dispatch`: the guarded hand-over to Bolt, one log line per request.
"""
