"""Which embedder THEMES_METHOD picks: `semantic` must load; `auto` falls back to `lexical`, saying why."""

from __future__ import annotations

import logging

from bot.themes.embeddings import Embedder, EmbedderUnavailable, LexicalEmbedder

log = logging.getLogger(__name__)


def load_embedder(method: str = "auto", *, threads: int = 1) -> Embedder:
    """The embedder for THEMES_METHOD: `semantic` must load; `auto` falls back to lexical, saying why."""
    if method == "lexical":
        return LexicalEmbedder()
    try:
        from bot.themes.semantic import SemanticEmbedder

        return SemanticEmbedder(threads=threads)
    except EmbedderUnavailable as exc:
        if method == "semantic":
            raise
        log.warning("themes: the semantic model is unavailable (%s); grouping by words instead", exc)
        return LexicalEmbedder()
