"""Theme labels a person reads at a glance: a short noun phrase or a complete clause taken from the
theme's own lines ("Okta logouts", "CSV export too slow", "no offline mode").

A theme nobody named is labelled with the phrase that best says what its lines share. Candidates are
runs of two to six words inside one main clause of a line (`bot.themes.wording`: never from a clause
that "when" or "because" opens, which would lose what it hangs on), with two to four content words,
starting on a content word or a negation, and never ending on a function word, a verb left without its
object, a number, or inside a noun phrase ("crashes on the login | screen"). Each is scored by
- how many of the theme's lines hold its content words, and the phrase itself, against how many lines
  of the whole workspace do (a word every theme uses says nothing about this one); the only signal of
  the lexical method;
- with a method that embeds meaning, also how close the phrase's own vector is to the theme's centroid,
  which prefers the phrase that sums the lines up over a frequent fragment of them.
A phrase none of whose words another line of the theme says is not good enough (one person's detail);
then the label is the theme's most central line, shortened at a clause boundary, never inside a clause.
A phrase is shown as people typed it most often. A name a person gave is never replaced, and a label is
kept while it scores within KEEP_WITHIN of the best, so it does not flip as lines trickle in. Two themes
are not given the same label while another phrase is there to tell them apart.

Nothing here reads or writes the database: `relabel` says which themes need a label and stores them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from bot.text import clean_text
from bot.themes.embeddings import Embedder, LexicalEmbedder
from bot.themes.wording import SUBJECTS, as_title, clauses, may_end, may_start, shorten

MIN_WORDS, MAX_WORDS = 2, 6
MIN_CONTENT_WORDS, MAX_CONTENT_WORDS = 2, 4
# How much the phrase's closeness to the centroid counts against the counts, for a method that embeds
# meaning (hashed words say nothing about a phrase's meaning: the lexical method labels by counts).
# Measured on Banking77 (python -m benchmarks.themes --labels 20): the share of themes whose label's
# nearest intent name is the theme's majority intent goes from 47 % by counts alone to 56 % at 0.9 and
# 57 % at 1 on the test set; 0.9 keeps labels a little shorter. benchmarks/labels.py judges the labels
# of true groups by hand (benchmarks/README.md).
SEMANTIC_WEIGHT = 0.9
# Phrases embedded per theme: the best by counts. Bounds the work of a theme of thousands of lines.
SHORTLIST = 30
# The current label stays while it scores at least this share of the best candidate's score.
KEEP_WITHIN = 0.9
# The central line is shortened to this many words where a clause ends early enough.
LINE_WORDS = 8
# Lines whose phrases are kept between upkeep passes: each pass reads the same background sample (5,000
# lines) and the first lines of each theme for its topic (20 each), and finding a line's phrases is most
# of a pass's labelling time. About 3 KB a line.
LINE_CACHE = 20_000

Key = tuple[str, ...]


def phrase_weight(embedder: Embedder | None) -> float:
    """How much a phrase's closeness to the centroid counts, for this embedder's vectors."""
    return 0.0 if embedder is None or embedder.name == LexicalEmbedder.name else SEMANTIC_WEIGHT


@lru_cache(maxsize=LINE_CACHE)
def _phrases(text: str) -> dict[Key, tuple[str, tuple[str, ...]]]:
    """Each candidate phrase of one line once: key -> (words as typed, stems of its content words).
    Kept for the next pass: callers only read it."""
    found: dict[Key, tuple[str, tuple[str, ...]]] = {}
    for clause in clauses(text):
        if not clause.main:
            continue
        words = clause.words
        for first, word in enumerate(words):
            if not may_start(word, words[first + 1] if first + 1 < len(words) else None):
                continue
            content = 0
            for last in range(first, min(first + MAX_WORDS, len(words))):
                if last > first and clause.text[words[last - 1].end : words[last].start].strip():
                    break  # markup or symbols between two words ("<@U123> *bold*"): not one phrase
                if last > first and words[last].folded in SUBJECTS:
                    break
                content += words[last].content
                if content > MAX_CONTENT_WORDS:
                    break
                run = words[first : last + 1]
                after = words[last + 1] if last + 1 < len(words) else None
                if len(run) >= MIN_WORDS and content >= MIN_CONTENT_WORDS and may_end(run, after):
                    key = tuple(w.key for w in run)
                    if key not in found:
                        typed = " ".join(clause.text[word.start : words[last].end].split())
                        found[key] = (typed, tuple(dict.fromkeys(w.key for w in run if w.content)))
    return found


def phrases(text: str) -> dict[Key, str]:
    """The candidate phrases of one line, each once: its key (words folded and stemmed) and the words
    as typed. Only spaces stand between a phrase's words."""
    return {key: typed for key, (typed, _) in _phrases(text).items()}


@lru_cache(maxsize=LINE_CACHE)
def content_words(text: str) -> frozenset[str]:
    """The stems of the content words of a line, in any of its clauses."""
    return frozenset(
        {w.key for clause in clauses(text, split=frozenset()) for w in clause.words if w.content}
    )


def phrase_key(text: str) -> Key:
    """A phrase's words folded and stemmed: two phrases with one key are one label."""
    return tuple(w.key for clause in clauses(text, split=frozenset()) for w in clause.words)


@dataclass(frozen=True)
class Background:
    """In how many lines of the workspace each phrase, and each content word, appears; counted on a
    sample of `sampled` lines out of `total`."""

    counts: Counter[Key]
    sampled: int
    total: int
    words: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, texts: Iterable[str], total: int | None = None) -> Background:
        counts: Counter[Key] = Counter()
        words: Counter[str] = Counter()
        sampled = 0
        for text in texts:
            counts.update(_phrases(text).keys())
            words.update(content_words(text))
            sampled += 1
        return cls(counts, sampled, max(total or 0, sampled), words)

    def lines_with(self, key: Key) -> float:
        return self.counts.get(key, 0) * self.total / max(self.sampled, 1)

    def lines_with_word(self, word: str) -> float:
        return self.words.get(word, 0) * self.total / max(self.sampled, 1)

    def rarity(self, inside: int, workspace: float) -> float:
        """How much a word or phrase held by `inside` lines of a theme says about it: little when the
        whole workspace says it too."""
        return math.log(1 + self.total / max(float(inside), workspace, 1.0))


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
    lines: int  # theme lines holding the phrase itself
    counts: float  # score by counts


def shortlist(texts: Sequence[str], background: Background, *, keep: int = SHORTLIST) -> list[Candidate]:
    """A theme's best candidate phrases by counts: their words said by many of its lines and by few
    others. Only phrases with a word that another of its lines says too: one line's detail is not what
    the theme is about (none, with a single line)."""
    holding: Counter[Key] = Counter()
    typed: dict[Key, Counter[str]] = {}
    stems: dict[Key, tuple[str, ...]] = {}
    said: Counter[str] = Counter()
    for text in texts:
        said.update(content_words(text))
        for key, (surface, content) in _phrases(text).items():
            holding[key] += 1
            typed.setdefault(key, Counter())[surface] += 1
            stems[key] = content
    n = len(texts)
    candidates = []
    for key, inside in holding.items():
        if inside < 2 and not any(said[w] >= 2 for w in stems[key]):
            continue
        if inside >= 2 and any(holding[k] == inside for k in _longer(key, holding)):
            continue  # "disposable virtual" where every line goes on "card": a piece of a longer name
        # Shared words count, sub-linearly in their number: two words every line says beat four that
        # one line says.
        words = sum(
            said[w] / n * background.rarity(said[w], background.lines_with_word(w)) for w in stems[key]
        )
        whole = inside / n * background.rarity(inside, background.lines_with(key))
        # Most common form; among equals the first seen (Counter keeps insertion order).
        surface = typed[key].most_common(1)[0][0]
        candidates.append(Candidate(surface, key, inside, words / math.sqrt(len(stems[key])) + whole))
    # Among equals the longer says more ("New hires cannot sign in" before "New hires").
    candidates.sort(key=lambda c: (-c.counts, -c.lines, -len(c.key), c.text))
    return candidates[:keep]


def _longer(key: Key, holding: Counter[Key]) -> Iterator[Key]:
    """The candidates that are `key` and one word more to its right."""
    return (k for k in holding if len(k) == len(key) + 1 and k[:-1] == key)


def central_line(texts: Sequence[str]) -> str:
    """When no phrase is good enough: the line whose content words the theme's other lines say most,
    shortened at a clause boundary (the first clause that ends well, at most LINE_WORDS words where the
    line allows). Empty when no line has a clause that ends well."""
    lines = list(dict.fromkeys(" ".join(clean_text(t).split()) for t in texts if clean_text(t).strip()))
    said: Counter[str] = Counter(w for line in lines for w in content_words(line))

    def shared(line: str) -> float:
        words = content_words(line)
        return sum(said[w] - 1 for w in words) / (len(words) + 1)

    for line in sorted(lines, key=lambda t: (-shared(t), len(t.split()))):
        label = shorten(line, LINE_WORDS)
        if label:
            return label
    return ""


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


def _unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32).ravel()
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def label_themes(
    *,
    themes: Sequence[ThemeText],
    background: Background,
    embedder: Embedder | None = None,
    taken: Iterable[str] = (),
    weight: float | None = None,
) -> dict[int, str]:
    """A label for each theme. `embedder` embeds the shortlisted phrases when its method understands
    them (`phrase_weight`, unless `weight` says otherwise); `taken` are the names of the workspace's
    other themes, not to be repeated. Larger themes choose first."""
    if weight is None:
        weight = phrase_weight(embedder)
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
            centre = _unit(theme.centroid)
            similarity = np.array([float(_unit(vectors[c.text]) @ centre) for c in candidates])
        chosen = choose(
            candidates=candidates,
            similarity=similarity,
            weight=weight,
            current=theme.name,
            taken=frozenset(used),
        )
        label = as_title(chosen.text if chosen is not None else central_line(theme.texts))
        used.add(phrase_key(label))
        labels[theme.id] = label
    return labels
