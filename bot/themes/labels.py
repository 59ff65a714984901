"""Theme labels a person reads at a glance: two to six words taken from the theme's own lines.

A theme nobody named is labelled with the phrase that best says what its lines share. Candidates are
runs of two to six words inside one clause of a line, with two to four content words and no stop word
at either end ("new card not arrived", "exchange rate"); a phrasal verb may end on its particle ("top
up"). One word alone is too vague to name a problem ("card": which trouble with it?). Each candidate is
scored by
- how many of the theme's lines hold it, against how many lines of the whole workspace do (c-TF-IDF: a
  phrase every theme uses says nothing about this one); the only signal of the lexical method;
- with the semantic method, also how close the phrase's own vector is to the theme's centroid, which
  prefers the phrase that sums the lines up over a frequent fragment of them.
A phrase is shown as people typed it most often. A name a person gave is never replaced, and a label is
kept while it scores within KEEP_WITHIN of the best, so it does not flip as lines trickle in. Two themes
are not given the same label while another phrase is there to tell them apart.

Nothing here reads or writes the database: `relabel` says which themes need a label and stores them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from bot.text import clean_text
from bot.themes.embeddings import STOP_WORDS, Embedder, fold, stem
from bot.themes.grouping import normalize
from bot.themes.models import MODELS

MIN_WORDS, MAX_WORDS = 2, 6
MAX_CONTENT_WORDS = 4
# How much the phrase's closeness to the centroid counts against the c-TF-IDF score, per method; a
# method not listed labels by counts alone (hashed words say nothing about a phrase's meaning).
# Measured on Banking77 (python -m benchmarks.themes --labels 20, and --data .../train.csv): the share
# of themes whose label's nearest intent name is the theme's majority intent goes from 47 % by counts
# alone to 56 % at 0.9 and 57 % at 1 on the test set (36, 51 and 52 % on the training set), where the
# old name, the theme's central line of 9 words, scores 55 % (53 %). 0.9 keeps labels a little shorter
# (3.5 words against 3.7). Labels of the lexical method score 35 % against 50 % for its central lines:
# its themes are less pure, and a short phrase of a mixed theme says less than a whole sentence of it.
PHRASE_WEIGHT = {model.name: 0.9 for model in MODELS.values()}
# Phrases embedded per theme: the best by counts. Bounds the work of a theme of thousands of lines.
SHORTLIST = 30
# The current label stays while it scores at least this share of the best candidate's score.
KEEP_WITHIN = 0.9

# Words of a line: letters and digits, with inner apostrophes, hyphens and ampersands ("don't",
# "top-up", "R&D").
_WORD = re.compile(r"[^\W_]+(?:['’\-&][^\W_]+)*")
# A phrase never runs across punctuation that ends a clause.
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”«»|/\\…]+|\s[-–—]+\s|\n")
# Besides the lexical method's stop words: contractions and the filler of requests, which begin and
# end phrases nobody wants as a label ("need to know", "i'm trying").
_FILLER = frozenset(
    " ".join(
        (
            "i'm i've i'd i'll it's don't doesn't didn't can't cannot won't isn't aren't wasn't weren't",
            "haven't hasn't you're we're they're that's there's what's let's im ive dont cant didnt doesnt",
            "isnt wont should may might must shall need needs needed want wants wanted like know tell help",
            "way ways thing things someone something anything everything really already again ever even much",
            "many one only other own same each every both few through because until since though via etc",
            "myself hi hello hey thanks thank ok okay yes able possible sure per across without within upon",
            "onto toward towards against between during before under above below instead whether else",
            "anyone anybody somebody",
        )
    ).split()
)
_STOP = STOP_WORDS | _FILLER
# Words that start another clause: "topped up but the app" is two thoughts, not a label.
_CLAUSE_WORDS = frozenset(
    " ".join(("but because so if when while although", "though since until whether which")).split()
)
# Particles a phrase may end on: "top up", "logged out" (not "in": "card in" would be one too).
_PARTICLES = frozenset({"up", "out", "off"})

Key = tuple[str, ...]


@dataclass(frozen=True)
class _Word:
    folded: str  # lower case, no accents
    key: str  # folded and stemmed
    stop: bool
    start: int  # where it is in its clause
    end: int


def _words(clause: str) -> list[_Word]:
    out = []
    for match in _WORD.finditer(clause):
        word = match.group()
        # Most words are ASCII: lower() is their fold, at a fraction of the cost of Unicode folding.
        folded = word.lower() if word.isascii() else fold(word).replace("’", "'")
        out.append(_Word(folded, stem(folded), folded in _STOP, match.start(), match.end()))
    return out


def _clauses(text: str) -> Iterator[tuple[str, list[_Word]]]:
    """Each clause of a line with its words: split at punctuation and at words that start a clause."""
    for clause in _CLAUSE.split(text):
        words: list[_Word] = []
        for word in _words(clause):
            if word.folded in _CLAUSE_WORDS:
                yield clause, words
                words = []
            else:
                words.append(word)
        yield clause, words


def phrases(text: str) -> dict[Key, str]:
    """The candidate phrases of one line, each once: its key (words folded and stemmed) and the words
    as typed. Only spaces stand between a phrase's words."""
    found: dict[Key, str] = {}
    for clause, words in _clauses(text):
        for first, word in enumerate(words):
            if word.stop:
                continue
            content = 0
            for last in range(first, min(first + MAX_WORDS, len(words))):
                end = words[last]
                if last > first and clause[words[last - 1].end : end.start].strip():
                    break  # markup or symbols between two words ("<@U123> *bold*"): not one phrase
                content += not end.stop
                if content > MAX_CONTENT_WORDS:
                    break
                if last - first + 1 >= MIN_WORDS and (not end.stop or end.folded in _PARTICLES):
                    key = tuple(w.key for w in words[first : last + 1])
                    found.setdefault(key, " ".join(clause[word.start : end.end].split()))
    return found


def phrase_key(text: str) -> Key:
    """A phrase's words folded and stemmed: two phrases with one key are one label."""
    return tuple(w.key for clause in _CLAUSE.split(text) for w in _words(clause))


@dataclass(frozen=True)
class Background:
    """In how many lines of the workspace each phrase appears; counted on a sample of `sampled` lines
    out of `total`."""

    counts: Counter[Key]
    sampled: int
    total: int

    @classmethod
    def of(cls, texts: Iterable[str], total: int | None = None) -> Background:
        counts: Counter[Key] = Counter()
        sampled = 0
        for text in texts:
            counts.update(phrases(text).keys())
            sampled += 1
        return cls(counts, sampled, max(total or 0, sampled))

    def lines_with(self, key: Key) -> float:
        return self.counts.get(key, 0) * self.total / max(self.sampled, 1)


@dataclass(frozen=True)
class ThemeText:
    """What labelling one theme needs: its lines, its centroid (None: no vector of this method), and
    the name it has now (kept when still about as good)."""

    id: int
    texts: Sequence[str]
    centroid: np.ndarray | None = None
    name: str = ""


@dataclass(frozen=True)
class Candidate:
    text: str  # as typed most often
    key: Key
    lines: int  # theme lines holding it
    counts: float  # c-TF-IDF score


def shortlist(texts: Sequence[str], background: Background, *, keep: int = SHORTLIST) -> list[Candidate]:
    """A theme's best candidate phrases by counts: held by many of its lines, by few others."""
    holding: Counter[Key] = Counter()
    typed: dict[Key, Counter[str]] = {}
    for text in texts:
        for key, surface in phrases(text).items():
            holding[key] += 1
            typed.setdefault(key, Counter())[surface] += 1
    if not holding:
        return []
    # A phrase of one line alone is a fragment of it, not what the lines share, unless none is shared.
    least = 2 if max(holding.values()) >= 2 else 1
    candidates = []
    for key, inside in holding.items():
        if inside < least:
            continue
        workspace = max(float(inside), background.lines_with(key))
        score = inside / len(texts) * math.log(1 + background.total / workspace)
        # Most common form; among equals the first seen (Counter keeps insertion order).
        surface = typed[key].most_common(1)[0][0]
        candidates.append(Candidate(surface, key, inside, score))
    candidates.sort(key=lambda c: (-c.counts, -c.lines, len(c.key), c.text))
    return candidates[:keep]


def _fallback(texts: Sequence[str]) -> str:
    """With no phrase of two words (one-word lines, scripts without spaces): the most common line,
    cut to MAX_WORDS words."""
    lines = Counter(" ".join(clean_text(t).split()) for t in texts if clean_text(t))
    if not lines:
        return ""
    line = min(lines, key=lambda t: (-lines[t], len(t)))
    return " ".join(line.split()[:MAX_WORDS])


def _scores(candidates: list[Candidate], similarity: np.ndarray | None, weight: float) -> np.ndarray:
    counts = np.array([c.counts for c in candidates], dtype=np.float64)
    counts = counts / counts.max() if counts.max() > 0 else counts
    if similarity is None or weight <= 0:
        return counts
    return weight * np.asarray(similarity, dtype=np.float64) + (1 - weight) * counts


def choose(
    *,
    candidates: list[Candidate],
    similarity: np.ndarray | None = None,
    weight: float = 0.0,
    current: str = "",
    taken: frozenset[Key] = frozenset(),
) -> Candidate | None:
    """The label among a theme's candidates: the best score, but the current label while it stays
    within KEEP_WITHIN of the best, and not a label another theme has while another candidate is left.
    `similarity` holds each candidate's cosine to the theme's centroid."""
    if not candidates:
        return None
    scores = _scores(candidates, similarity, weight)
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
    free = [i for i in order if candidates[i].key not in taken] or order
    best = free[0]
    now = phrase_key(current)
    for i in free:
        if candidates[i].key == now and scores[i] >= KEEP_WITHIN * scores[best]:
            return candidates[i]
    return candidates[best]


def label_themes(
    *,
    themes: Sequence[ThemeText],
    background: Background,
    embedder: Embedder | None = None,
    taken: Iterable[str] = (),
    weight: float | None = None,
) -> dict[int, str]:
    """A label for each theme. `embedder` embeds the shortlisted phrases when its method understands
    them (PHRASE_WEIGHT, unless `weight` says otherwise); `taken` are the names of the workspace's other
    themes, not to be repeated. Larger themes choose first."""
    if weight is None:
        weight = PHRASE_WEIGHT.get(embedder.name, 0.0) if embedder is not None else 0.0
    lists = {t.id: shortlist(t.texts, background) for t in themes}
    vectors: dict[str, np.ndarray] = {}
    if weight > 0 and embedder is not None:
        wanted = list(dict.fromkeys(c.text for t in themes if t.centroid is not None for c in lists[t.id]))
        if wanted:
            vectors = dict(zip(wanted, embedder.embed(wanted), strict=True))
    used = {phrase_key(name) for name in taken}
    labels: dict[int, str] = {}
    for theme in sorted(themes, key=lambda t: (-len(t.texts), t.id)):
        candidates = lists[theme.id]
        similarity = None
        if vectors and theme.centroid is not None and candidates:
            centre = normalize(theme.centroid)[0]
            similarity = np.array([float(vectors[c.text] @ centre) for c in candidates])
        chosen = choose(
            candidates=candidates,
            similarity=similarity,
            weight=weight,
            current=theme.name,
            taken=frozenset(used),
        )
        label = chosen.text if chosen is not None else _fallback(theme.texts)
        used.add(phrase_key(label))
        labels[theme.id] = label
    return labels
