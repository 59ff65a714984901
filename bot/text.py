"""Text as people typed it, made safe for Slack: escaped for mrkdwn and cut to Slack's limits."""

from __future__ import annotations

import re

TRUNCATION_MARK = "… (cut: too long for one Slack message)"


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack's mrkdwn gives meaning to.

    After this, `<!channel>`, `<@U123>` and `<https://x|y>` show as typed and ping or link nobody, and a
    typed `&lt;` stays `&lt;` on screen instead of turning into `<`.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Dropped from typed text: control characters (NUL breaks PostgreSQL text; others are invisible), and the
# bidirectional embeddings and overrides that can make text display as something it is not. Everything
# else is kept as typed, emoji sequences (joiners, tag characters) and direction marks and isolates too.
_DROP = (
    {chr(c) for c in range(0x20) if chr(c) not in "\n\t"} | {"\x7f"} | {chr(c) for c in range(0x202A, 0x202F)}
)
_DROP_TABLE = str.maketrans(dict.fromkeys(_DROP))


def clean_text(text: str) -> str:
    """Typed text minus what must not be stored or shown (see _DROP), with outer spaces trimmed."""
    return text.translate(_DROP_TABLE).strip()


def split_lines(text: str | None) -> list[str]:
    """One item per non-empty line, with list bullets people paste ("- ", "• ", "* ") removed."""
    if not text:
        return []
    items = []
    for raw in text.splitlines():
        line = clean_text(raw)
        for bullet in ("- ", "• ", "* ", "– "):
            if line.startswith(bullet):
                line = line[len(bullet) :].strip()
                break
        if line:
            items.append(line)
    return items


FALLBACK_TEXT_MAX = 3000  # far below Slack's 40,000: notifications show a line or two anyway


def fallback_text(text: str) -> str:
    """The notification text of a message: escaped, short."""
    return truncate(escape_mrkdwn(text), FALLBACK_TEXT_MAX, "…")


def truncate(text: str, limit: int, mark: str = TRUNCATION_MARK) -> str:
    """Cut `text` to at most `limit` characters, ending with a visible mark when cut.

    Never cuts inside an HTML entity (`&amp;`), which Slack would show broken.
    """
    if len(text) <= limit:
        return text
    keep = max(0, limit - len(mark))
    cut = text[:keep]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + mark


def chunk(text: str, limit: int) -> list[str]:
    """Split `text` into pieces of at most `limit` characters, at line or word breaks where possible,
    never inside an HTML entity."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        amp = window.rfind("&", 0, cut)
        if amp != -1 and ";" not in window[amp:cut]:
            cut = amp
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip(" \n")
    if rest:
        pieces.append(rest)
    return pieces


_SLACK_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def from_slack(text: str) -> str:
    """Text Slack sent us (a command's arguments, a message) as a person would read it: its markup
    (<@U123>, <#C123|name>, <https://x|label>) made plain, and &amp; &lt; &gt; decoded."""
    if "<" not in text and "&" not in text:  # most of what people type: nothing to undo
        return text

    def plain_link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return f"{target[0]}{label}" if label else target
        if target.startswith("!"):
            return f"@{label or target[1:].split('^')[0]}"
        return f"{label} ({target})" if label and label != target else target

    return _SLACK_LINK.sub(plain_link, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def shown(text: str, limit: int = 40) -> str:
    """What someone typed, to quote back in a terminal line: in quotes, with newlines and control
    characters escaped (nothing it holds can break or forge the line), and cut past `limit` characters
    with its length said."""
    if len(text) <= limit:
        return repr(text)
    cut = repr(text[:limit])
    return f"{cut[:-1]}…{cut[-1]} ({len(text):,} characters)"


# Plurals English does not make with an -s; the digest and the CLI count these.
_IRREGULAR = {"person": "people", "is": "are", "was": "were", "has": "have", "looks": "look"}


def first_name(contact: str | None) -> str:
    """How a note to a customer greets them: "Hi Jane" for "Jane Roe", "Hi there" when no one is named."""
    return (contact or "").split(" ")[0] or "there"


def plural(n: int, word: str, many: str | None = None) -> str:
    """The word in the number `n` takes: "account" for 1, "accounts" otherwise (and 0); "replies",
    "matches", "people" follow English; `many` says it when English is odder than that."""
    if n == 1:
        return word
    if many is not None:
        return many
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 1 and word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def counted(n: int, word: str, many: str | None = None) -> str:
    """`n` and the word in the number it takes: "1 theme", "3 themes", "0 themes", "2 replies"."""
    return f"{n} {plural(n, word, many)}"


# Spreadsheet cells (the export, a study's sheet): a cell that would start a formula is shown, never run.
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DEFUSE_MARK = "'"
# Excel needs it to read the file as UTF-8; LibreOffice and Google Sheets take it too.
BOM = "\ufeff"


def defuse(cell: str) -> str:
    """The cell as a spreadsheet shows it, never runs it: a leading quote before a formula's first character.

    A cell that already starts with the mark before such a character (or before another mark) gets one
    more, so `restore` gives back exactly what was exported.
    """
    if cell.startswith(FORMULA_STARTS) or (
        cell.startswith(DEFUSE_MARK) and cell[1:2] and cell[1:2] in (*FORMULA_STARTS, DEFUSE_MARK)
    ):
        return DEFUSE_MARK + cell
    return cell


def restore(cell: str) -> str:
    """The inverse of `defuse`: a cell read back from an export is the text that was logged."""
    if cell.startswith(DEFUSE_MARK) and cell[1:2] and cell[1:2] in (*FORMULA_STARTS, DEFUSE_MARK):
        return cell[1:]
    return cell
