"""Whether a quote is about a theme: the digest shows a quote from the same call in place of a theme's
line only when it is (issue: an off-topic quote under a pain misleads whoever reads it)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.themes.embeddings import Embedder, from_bytes
from bot.themes.linkage import normalize


class QuoteFit:
    """Judges quotes against a theme's stored centre with the embedder that made it. Each text is embedded
    once per instance (a digest asks about the same call's quotes under several themes)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}

    def about(self, *, centroid: bytes | None, embedded_with: str | None, texts: Sequence[str]) -> list[bool]:
        """For each text, whether it is close enough to the theme's centre. A theme made by another
        method, or an embedder with no measured closeness for quotes, fits no quote."""
        cut = self.embedder.policy.quote_at
        if cut is None or centroid is None or embedded_with != self.embedder.name or not texts:
            return [False] * len(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self.embedder.embed(missing), strict=True))
        centre = normalize(from_bytes(centroid)[None, :])[0]
        return [float(self._vectors[t] @ centre) >= cut for t in texts]
