"""Text as people typed it, made safe for Slack: escaped for mrkdwn and cut to Slack's limits."""

from __future__ import annotations

import unicodedata

TRUNCATION_MARK = "… (cut: too long for one Slack message)"


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack's mrkdwn gives meaning to.

    After this, `<!channel>`, `<@U123>` and `<https://x|y>` show as typed and ping or link nobody, and a
    typed `&lt;` stays `&lt;` on screen instead of turning into `<`.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clean_line(text: str) -> str:
    """Drop control characters (but keep emoji, accents and right-to-left text) and outer spaces."""
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf") or _keep_format(ch)
    ).strip()


def _keep_format(ch: str) -> bool:
    # Format characters that real text needs: zero-width joiner (emoji sequences), RTL/LTR marks.
    return ch in "\u200d\u200c\u200e\u200f\u061c"


def split_lines(text: str | None) -> list[str]:
    """One item per non-empty line, with list bullets people paste ("- ", "• ", "* ") removed."""
    if not text:
        return []
    items = []
    for raw in text.splitlines():
        line = clean_line(raw)
        for bullet in ("- ", "• ", "* ", "– "):
            if line.startswith(bullet):
                line = line[len(bullet) :].strip()
                break
        if line:
            items.append(line)
    return items


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
