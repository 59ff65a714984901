"""A search as typed: words, "quoted phrases", account:NAME and study:NAME; and the marks around matching
words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text import clean_text

QUERY_MAX = 500  # characters: keeps the query, and the Next button that carries it, well within Slack's
TERMS_MAX = 20

# The database marks each matching word with these. clean_text drops both from everything people type,
# and the index copies text without them, so only the database can put them there.
MARK_START = "\x02"
MARK_END = "\x03"

# Typed quotes: straight, and the curly ones Slack's clients put in for you.
_QUOTES = '"“”„«»'
# A filter narrows the search: account:Acme, study:"CRM sync" (a name with spaces in quotes).
FILTERS = ("account", "study")
_TOKEN = re.compile(
    rf"(?P<filter>(?P<kind>{'|'.join(FILTERS)}):"
    rf"(?:[{_QUOTES}](?P<quoted>[^{_QUOTES}]*)[{_QUOTES}]?|(?P<bare>\S*)))"
    rf"|[{_QUOTES}](?P<phrase>[^{_QUOTES}]*)[{_QUOTES}]?"
    rf"|(?P<word>[^\s{_QUOTES}]+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    studies: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return self.words + self.phrases

    @property
    def empty(self) -> bool:
        return not self.terms and not self.accounts and not self.studies


def _searchable(term: str) -> bool:
    """A term with nothing to look for (only punctuation) is dropped, not sent."""
    return any(c.isalnum() for c in term)


def parse_query(text: str) -> SearchQuery:
    """What was typed, read as a search. Never fails: every piece is a word, a phrase, an account or a
    study."""
    text = clean_text(text)[:QUERY_MAX]
    words: list[str] = []
    phrases: list[str] = []
    named: dict[str, list[str]] = {kind: [] for kind in FILTERS}
    for match in _TOKEN.finditer(text):
        if match.group("filter"):
            name = (match.group("quoted") or match.group("bare") or "").strip()
            if _searchable(name):
                named[match.group("kind").casefold()].append(" ".join(name.split()))
        elif match.group("phrase") is not None:
            phrase = " ".join(match.group("phrase").split())
            if _searchable(phrase):
                (phrases if " " in phrase else words).append(phrase)
        elif _searchable(word := match.group("word")):
            words.append(word)
    kept = list(dict.fromkeys(words))[:TERMS_MAX]
    return SearchQuery(
        words=tuple(kept),
        phrases=tuple(list(dict.fromkeys(phrases))[: TERMS_MAX - len(kept)]),
        accounts=tuple(dict.fromkeys(named["account"])),
        studies=tuple(dict.fromkeys(named["study"])),
    )


def fts5_match(query: SearchQuery) -> str:
    """The FTS5 MATCH expression: every term in double quotes (a quote inside doubled), so nothing typed
    is ever read as FTS5 syntax (NEAR, AND, -, *, :, parentheses); terms side by side must all match."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in query.terms)


def describe(query: SearchQuery) -> str:
    """The query as it was understood, to show back (plain text, not escaped)."""
    parts = [
        *query.words,
        *(f"“{p}”" for p in query.phrases),
        *(f"account:{a}" for a in query.accounts),
        *(f"study:{_quoted(s)}" for s in query.studies),
    ]
    return " ".join(parts)


def _quoted(name: str) -> str:
    """A name as it would be typed again: in quotes when it has spaces."""
    return f'"{name}"' if " " in name else name
