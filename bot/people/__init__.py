"""People of a workspace: where they are and what they may do.

- `timezones`: each person's timezone, stored and looked up, so times are shown and planned in it.
- `permissions`: who may do what, from a person's role and whether they made the thing.
- `directory`: the member list's reads: when the last was, who reads it now (a lease), what each page stored.
"""
