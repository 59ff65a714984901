"""A topic's label: the area a product manager would file its pains under ("Sign-in and SSO",
"Onboarding", "Billing and invoices"), drawn from the key words its pains share, never a sentence.

Terms are the words that can name an area (`bot.themes.wording.names_an_area`: no verb, participle,
adverb or function word) and pairs of them side by side in a line ("custom roles", "CSV export"), which
name an area better than either word alone. Each term is scored by the pains that say it and by the
lines that do (a pain's own label counting as LABEL_LINES lines of it), a pain weighing the square root
of its size (a large pain counts for more, not in proportion: a topic is about all its pains), times how
rare the term is in the workspace (a word every topic says, "app" or "users", names none). The best
term names the topic, and up to two more nearly as good are joined to it. Like theme labels it is a pure
function: same pains, same label.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from bot.themes.labels import LINE_CACHE, Background, phrase_key
from bot.themes.wording import QUALITIES, clauses, names_an_area

# At most this many terms, and this many words in all ("and" and commas included).
TOPIC_TERMS, TOPIC_WORDS = 3, 5
# A further term is joined when it scores at least this share of the best one.
JOIN_WITHIN = 0.7
# A pain's label weighs as this many lines of it: it is what the pain is about.
LABEL_LINES = 2
# A pair of words side by side is a name people use; it counts this much more than its score.
PAIR_BONUS = 1.5
# A topic whose one pain holds at least this share of its lines is about that pain: it takes the pain's
# label ("Older phones take so long", not the words its few other lines share, "Androids, cheap and ages").
DOMINANT_SHARE = 0.6

Term = tuple[str, ...]


@dataclass(frozen=True)
class Scored:
    term: Term
    name: str  # as typed most often
    score: float
    pains: int  # how many pains say it


@lru_cache(maxsize=LINE_CACHE)
def _terms(text: str) -> dict[Term, str]:
    """The terms of one line, each once, with the words as typed: single words and adjacent pairs.
    Kept for the next pass (bot.themes.labels.LINE_CACHE): callers only read it."""
    found: dict[Term, str] = {}
    for clause in clauses(text):
        words = clause.words
        for word in words:
            if names_an_area(word) and word.folded not in QUALITIES:
                found.setdefault((word.key,), clause.text[word.start : word.end])
        for a, b in pairwise(words):
            if names_an_area(a) and names_an_area(b) and not clause.text[a.end : b.start].strip():
                found.setdefault((a.key, b.key), clause.text[a.start : b.end])
    return found


def scored_terms(
    pains: Sequence[Sequence[str]], pain_labels: Sequence[str], background: Background
) -> list[Scored]:
    """Every term of the pains with its score, best first."""
    said: list[Counter[Term]] = []
    typed: dict[Term, Counter[str]] = {}
    for i, lines in enumerate(pains):
        label = pain_labels[i] if i < len(pain_labels) else ""
        counts: Counter[Term] = Counter()
        for line in [*lines, *[label] * LABEL_LINES] if label else lines:
            for term, surface in _terms(line).items():
                counts[term] += 1
                typed.setdefault(term, Counter())[surface] += 1
        said.append(counts)
    sizes = [
        math.sqrt(len(p) + (LABEL_LINES if i < len(pain_labels) and pain_labels[i] else 0))
        for i, p in enumerate(pains)
    ]
    out = []
    for term, forms in typed.items():
        lines = sum(c[term] for c in said)
        rarity = min(background.rarity(lines, background.lines_with_word(w)) for w in term)
        # The pains that say it, each by the root of its size, and the lines that do, the same way.
        pains_saying = sum(size for c, size in zip(said, sizes, strict=True) if c[term])
        lines_saying = sum(c[term] / size for c, size in zip(said, sizes, strict=True))
        score = (pains_saying + lines_saying) * rarity * (PAIR_BONUS if len(term) > 1 else 1.0)
        # As typed most often; among equals the plural, which names an area ("Invoices").
        name = min(forms, key=lambda s: (-forms[s], -len(s), s))
        out.append(Scored(term, name, score, sum(term in c for c in said)))
    out.sort(key=lambda s: (-s.score, len(s.term), s.name))
    return out


def _joined(names: list[str]) -> str:
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def topic_label(
    pains: Sequence[Sequence[str]],
    *,
    pain_labels: Sequence[str] = (),
    background: Background | None = None,
    taken: Iterable[str] = (),
) -> str:
    """The label of a topic holding `pains` (each the lines of one pain), with their labels in the same
    order when known; `background` counts the workspace's lines (the pains' own lines when None); a
    label in `taken` (another topic's) is not given while another term is left. Empty with no words."""
    kept = [i for i, lines in enumerate(pains) if lines]
    pains = [list(pains[i]) for i in kept]
    pain_labels = [pain_labels[i] if i < len(pain_labels) else "" for i in kept]
    used = {phrase_key(name) for name in taken}
    total = sum(len(lines) for lines in pains)
    largest = max(range(len(pains)), key=lambda i: len(pains[i]), default=None)
    if largest is not None and len(pains) > 1 and len(pains[largest]) >= DOMINANT_SHARE * total:
        label = pain_labels[largest]
        if label and phrase_key(label) not in used:
            return label
    if background is None:
        background = Background.of(line for lines in pains for line in lines)
    terms = scored_terms(pains, pain_labels, background)
    # Said by two pains or more when the topic has them: one pain's word names that pain, not the area.
    shared = [t for t in terms if t.pains >= 2]
    order = shared + [t for t in terms if t.pains < 2] if shared else terms
    if not order:
        return ""
    labels = (_built(first, order) for first in order)
    return next((label for label in labels if phrase_key(label) not in used), _built(order[0], order))


def _built(first: Scored, order: list[Scored]) -> str:
    """`first`, and up to two more terms nearly as good that share no word with it, joined."""
    chosen = [first]
    for term in order:
        if len(chosen) == TOPIC_TERMS or term.score < JOIN_WITHIN * first.score:
            break
        words = sum(len(t.term) for t in chosen) + len(term.term) + len(chosen)
        if set(term.term) & {w for t in chosen for w in t.term} or words > TOPIC_WORDS:
            continue
        chosen.append(term)
    return _joined([t.name for t in chosen])
