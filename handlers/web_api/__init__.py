"""The one way out to Slack's Web API.

- `client`: the clients with their retry handlers, and the call wrapper that sorts Slack's errors.
- `refusals`: what Slack's refusals mean (healable or not, a bug of ours or not) and their one log line.
- `timezones`: people's timezones read from Slack, stored and kept in memory for the 3-second path.
- `roles`: people's roles read from Slack (users.info, the member list), kept in memory.
- `directory`: reading the member list of the workspace (timezones and roles in bulk), once a day.
- `stand_in`: a stand-in for Slack on this machine, for `interview-bot run --dry-slack`.
"""
