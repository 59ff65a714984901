"""`/interview search`: a page of results, the matching words in bold, Previous and Next."""

from __future__ import annotations

import json
from enum import StrEnum

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, SectionBlock

from bot.search.query import MARK_END, MARK_START, QUERY_MAX, describe
from bot.search.service import PAGE_SIZE, Found, SearchPage
from bot.text import clean_text, escape_mrkdwn, truncate
from handlers.views.common import SECTION_MAX_CHARS, context, fit_message, mrkdwn, plain, user_mention
from handlers.views.interview import InterviewAction


class SearchAction(StrEnum):
    NEXT = "search_next"
    PREVIOUS = "search_previous"


FIELD_LABELS = {
    "pains": "Pains",
    "requests": "Requests",
    "quotes": "What they said",
    "interpretation": "What we heard",
    "closing_answer": "What else is on their mind",
    "notes": "Notes",
}
EXCERPTS_SHOWN = 3
EXCERPT_MAX = 400  # characters of mrkdwn each
BUTTON_VALUE_MAX = 2000  # Slack's limit on a button's value
USAGE = (
    "Search what customers said and what we heard: `/interview search onboarding`. "
    '"Quoted words" must come together; `account:Acme` (or `account:"Acme Inc"`) looks in one account, '
    '`study:"Older phones"` in the interviews logged into one study.'
)
STUDY_NAMES_MAX = 1000  # characters of the open studies' names, said beside a study name not known


def highlighted(excerpt: str, limit: int = EXCERPT_MAX) -> str:
    """An excerpt the database marked, as mrkdwn: the typed text escaped (it pings nobody, links
    nothing), then the marks, which typed text cannot hold, turned into bold."""
    flat = " · ".join(line.strip() for line in excerpt.splitlines() if line.strip())
    body = truncate(escape_mrkdwn(flat).replace(MARK_START + MARK_END, ""), limit, "…")
    out, open_mark = [], False
    for ch in body:
        if ch == MARK_START and not open_mark:
            out.append("*")
            open_mark = True
        elif ch == MARK_END and open_mark:
            out.append("*")
            open_mark = False
        elif ch not in (MARK_START, MARK_END):
            out.append(ch)
    if open_mark:  # a cut inside a marked word: close it
        out.append("*")
    return "".join(out)


def page_value(typed: str, page: int) -> str:
    """What a Previous or Next button carries: the search as typed and the page, within Slack's limit."""
    query = clean_text(typed)[:QUERY_MAX]
    while True:
        value = json.dumps({"q": query, "p": page}, ensure_ascii=False)
        if len(value) <= BUTTON_VALUE_MAX:
            return value
        query = query[: len(query) // 2]


def parse_page_value(raw: object) -> tuple[str, int] | None:
    """A button's value read back, or None when it is not one of ours (a forged payload)."""
    if not isinstance(raw, str) or len(raw) > BUTTON_VALUE_MAX:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    query, page = data.get("q"), data.get("p")
    if (
        not isinstance(query, str)
        or not isinstance(page, int)
        or isinstance(page, bool)
        or not 0 <= page < 1000
    ):
        return None
    return query, page


def _result(found: Found) -> SectionBlock:
    line = (
        f"*{escape_mrkdwn(found.account)}* · {found.kind.label} · {found.held_on:%a %d %b %Y}"
        f" · logged by {user_mention(found.logged_by)}"
    )
    lines = [line]
    for field, excerpt in found.excerpts[:EXCERPTS_SHOWN]:
        lines.append(f"_{FIELD_LABELS.get(field, field)}:_ {highlighted(excerpt)}")
    if found.topics:
        lines.append(f"_Topics:_ {escape_mrkdwn(', '.join(found.topics))}")
    if found.study:
        lines.append(f"_Study:_ {escape_mrkdwn(found.study)}")
    return SectionBlock(
        text=mrkdwn(truncate("\n".join(lines), SECTION_MAX_CHARS, "…")),
        accessory=ButtonElement(
            text=plain("Open", 75), action_id=InterviewAction.OPEN, value=str(found.interview_id)
        ),
    )


def _no_such_study(name: str, open_studies: tuple[str, ...]) -> str:
    shown = escape_mrkdwn(truncate(name, 100, "…"))
    if not open_studies:
        return (
            f"I know no study called *{shown}* in this workspace, and none is open: "
            "`/interview study new` starts one."
        )
    # As many whole names as fit, escaped (an entity is never cut), then how many more there are.
    names: list[str] = []
    for study in open_studies:
        quoted = f'"{escape_mrkdwn(truncate(study, 100, "…"))}"'
        if sum(len(n) + 2 for n in names) + len(quoted) > STUDY_NAMES_MAX:
            break
        names.append(quoted)
    more = len(open_studies) - len(names)
    listed = ", ".join(names) + (f" and {more} more (`/interview study` lists them)" if more else "")
    return f"I know no study called *{shown}* in this workspace. Open studies: {listed}."


def search_message(result: SearchPage, typed: str) -> list[Block]:
    """One page of results, or why there are none."""
    asked = escape_mrkdwn(truncate(describe(result.query), 200, "…"))
    blocks: list[Block] = []
    for name in result.unknown_accounts:
        shown = escape_mrkdwn(truncate(name, 100, "…"))
        blocks.append(SectionBlock(text=mrkdwn(f"I know no account called *{shown}* in this workspace.")))
    for name in result.unknown_studies:
        blocks.append(SectionBlock(text=mrkdwn(_no_such_study(name, result.open_studies))))
    if not result.found:
        if result.page == 0:
            blocks.append(SectionBlock(text=mrkdwn(f"No interview matches {asked}.")))
            blocks.append(context(USAGE))
        else:
            blocks.append(SectionBlock(text=mrkdwn(f"No more interviews match {asked}.")))
        return blocks
    first = result.page * PAGE_SIZE + 1
    last = first + len(result.found) - 1
    blocks.append(SectionBlock(text=mrkdwn(f"Interviews matching {asked}, best first: {first}–{last}")))
    blocks += [_result(f) for f in result.found]
    buttons = []
    if result.page > 0:
        buttons.append(
            ButtonElement(
                text=plain("Previous", 75),
                action_id=SearchAction.PREVIOUS,
                value=page_value(typed, result.page - 1),
            )
        )
    if result.has_next:
        buttons.append(
            ButtonElement(
                text=plain("Next", 75), action_id=SearchAction.NEXT, value=page_value(typed, result.page + 1)
            )
        )
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return fit_message(blocks)


def search_text(result: SearchPage) -> str:
    """The notification text."""
    return f"{len(result.found)} interviews found" if result.found else "No interview found"
