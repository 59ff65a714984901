"""The note a person sends a customer when the loop closes: what was decided, their own words quoted
back, and the link. Plain text, to copy into an email or a message and edit."""

from __future__ import annotations

from bot.loop.tells import AccountToTell, TellList
from bot.text import first_name, truncate
from storage.models import ThemeStatus

QUOTED_MAX = 200  # one line said, quoted back; a long one is cut


def customer_note(tell: TellList, account: AccountToTell) -> str:
    """A note for one account: shipped says it is solved and asks whether it works for them; won't do
    says so plainly, and why when the note gives a reason."""
    said = account.lines[0] if account.lines else None
    lines = [f"Hi {first_name(account.contact)},", ""]
    if said is not None:
        quoted = truncate(said.text, QUOTED_MAX, "…")
        lines.append(f"When we spoke on {said.held_on:%d %B}, you told us: “{quoted}”")
    if tell.status == ThemeStatus.SHIPPED:
        lines.append(f"We've shipped a fix for it: {tell.theme}.")
        if tell.note:
            lines.append(tell.note)
        if tell.link:
            lines.append(f"The details: {tell.link}")
        lines += ["", "Does this solve it for you? We'd love to hear how it works in practice."]
    else:
        lines.append(f"We looked at it closely and decided not to work on it for now ({tell.theme}).")
        if tell.note:
            lines.append(f"Why: {tell.note}")
        if tell.link:
            lines.append(f"More here: {tell.link}")
        lines += [
            "",
            "We wanted you to hear it from us rather than wait. If it gets in your way, tell us how.",
        ]
    lines += ["", "Thank you for telling us: it helped us decide."]
    return "\n".join(lines)
