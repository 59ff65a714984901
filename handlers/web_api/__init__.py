"""The one way out to Slack's Web API.

- `client`: the clients with their retry handlers, and the call wrapper that sorts Slack's errors.
- `roles`: people's roles read from Slack (users.info, the member list), kept in memory.
- `directory`: reading the member list of the workspace (timezones and roles in bulk), once a day.
"""
