"""Follow-ups: what someone owes after a call, and making sure it gets done.

- `plan`: the follow-ups an interview creates (thank-you, summary, each promise) and when each is due.
- `working_hours`: moving a due time into the owner's working hours, in their timezone.
- `actions`: what a person does with a follow-up: Done, Snooze, Skip, and pausing all their reminders.
- `calls`: scheduled calls, with a prep note before and a debrief after.
"""
