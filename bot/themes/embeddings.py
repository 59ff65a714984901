"""Turning a line of text into a vector, once, to be stored with it.

Two methods. `semantic` runs a small sentence-embedding model on the CPU with onnxruntime; the model's
weights come inside a pinned package, so nothing is downloaded at run time. `lexical` hashes words and
letter n-grams into a fixed-size vector: it needs nothing but numpy and always works, so the bot falls
back to it when the model is not installed. Each stored vector records the method that made it:
vectors of two methods are never compared.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
import zlib
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from bot.themes.grouping import GroupingPolicy, normalize

log = logging.getLogger(__name__)


class Embedder(Protocol):
    # Stored with every vector it makes; a different name means a different space.
    name: str
    policy: GroupingPolicy

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row per text, in order."""
        ...


class EmbedderUnavailable(Exception):
    """The semantic model's packages are not installed (or will not load)."""


def to_bytes(vector: np.ndarray, dtype: type[np.floating] = np.float16) -> bytes:
    # Line vectors are stored in half precision (a cosine needs no more); centroids in single.
    return np.asarray(vector, dtype=dtype).tobytes() + (b"\x02" if dtype is np.float16 else b"\x04")


def from_bytes(blob: bytes) -> np.ndarray:
    dtype = np.float16 if blob[-1:] == b"\x02" else np.float32
    return np.frombuffer(blob[:-1], dtype=dtype).astype(np.float32)


# --------------------------------------------------------------------------------------------------
# Lexical: hashed words, word pairs and letter n-grams
# --------------------------------------------------------------------------------------------------
_WORD = re.compile(r"\w+", re.UNICODE)
# Words too common to tell two pains apart. English only: other languages keep theirs, which costs a
# little precision and nothing else.
STOP_WORDS = frozenset(
    " ".join(
        (
            "a about after all also am an and any are as at be been being but by can could did do does doing",
            "for from get got had has have having he her here him his how i if in into is it its just me",
            "more most my no not now of on or our out over please she so some still such than that",
            "the their them then there these they this those to too up us very was we were what when",
            "where which while who why will with would you your yet",
        )
    ).split()
)
_DIMENSIONS = 2048


def fold(text: str) -> str:
    # Lower case without accents, so "Café" and "cafe" meet; scripts without accents are unchanged.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    # Light suffix stripping, enough for "reports"/"report" and "building"/"build"; not a real stemmer.
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _features(text: str) -> list[tuple[str, float]]:
    words = [stem(w) for w in _WORD.findall(fold(text)) if w not in STOP_WORDS]
    features: list[tuple[str, float]] = [("w:" + w, 1.0) for w in words]
    features += [(f"b:{a} {b}", 0.5) for a, b in itertools.pairwise(words)]
    for w in words:
        padded = f"<{w}>"
        features += [("c:" + padded[i : i + 4], 0.25) for i in range(max(1, len(padded) - 3))]
    if not features:
        # Emoji or punctuation only: keep the characters themselves, so such lines can still group.
        features = [("s:" + c, 1.0) for c in text if not c.isspace()]
    return features


class LexicalEmbedder:
    name = "lexical-v1"
    # Measured on Banking77 (benchmarks/themes.py), as for the semantic model.
    # Topics at 0.1: shared words barely tell areas apart (topic-level ARI 11 at best on the pain lines).
    policy = GroupingPolicy(join_at=0.4, group_at=0.25, smooth_floor=0.2, rarity_weighting=True, topic_at=0.1)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), _DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, weight in _features(text):
                h = zlib.crc32(feature.encode())
                # The sign spreads collisions around zero instead of piling them up.
                matrix[row, h % _DIMENSIONS] += weight if h & 0x80000000 else -weight
        # Sub-linear counts: a word said three times is not three times the pain.
        matrix = np.sign(matrix) * np.log1p(np.abs(matrix))
        return normalize(matrix)


def load_vectors(rows: Sequence[Any]) -> np.ndarray:
    return np.vstack([from_bytes(r.embedding) for r in rows]) if rows else np.zeros((0, 0), np.float32)
