"""The semantic embedder: a sentence model (THEMES_MODEL: see bot/themes/models/) on the CPU with
onnxruntime, no torch. The network is written as an ONNX graph from the model's packaged weights, in
memory, at start; nothing is downloaded at any time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np

from bot.themes.embeddings import Embedder, EmbedderUnavailable, LexicalEmbedder
from bot.themes.grouping import GroupingPolicy
from bot.themes.models import MODELS, SentenceModel, read_safetensors
from bot.themes.models.graph import encoder_graph

log = logging.getLogger(__name__)

MAX_TOKENS = 128  # both models were trained on up to 128 word pieces or more; pains are far shorter
# Padded tokens per batch (lines are sorted by length, so little is padding). Small enough for a batch's
# activations to stay in the CPU's cache: 500 lines take 0.9 s on 2 cores, against 1.2 s at 4,096.
BATCH_TOKENS = 512


class SemanticEmbedder:
    def __init__(self, model: SentenceModel = MODELS["minilm"], threads: int = 1) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EmbedderUnavailable(f"the semantic extra is not installed ({exc})") from None
        self.name: str = model.name
        self.policy: GroupingPolicy = model.policy
        self._width = model.architecture.width
        weights, tokenizer = model.files()
        self._tokenizer = Tokenizer.from_str(tokenizer)
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        tensors = read_safetensors(weights)
        del weights  # held by the tensors alone, so it goes as the graph takes the last of them
        graph = encoder_graph(tensors, model.architecture, max_tokens=MAX_TOKENS, int8=model.int8)
        options = onnxruntime.SessionOptions()
        # One thread by default: the bot embeds in the background and must leave a core to Slack.
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._width), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch([t or " " for t in texts])
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and (end - start + 1) * lengths[order[end]] <= BATCH_TOKENS:
                end += 1
            rows = order[start:end]
            ids = np.zeros((len(rows), lengths[rows[-1]]), dtype=np.int64)
            mask = np.zeros_like(ids)
            for r, n in enumerate(rows):
                ids[r, : lengths[n]] = encodings[n].ids
                mask[r, : lengths[n]] = 1
            with self._lock:  # one inference at a time: the threads setting is the whole budget
                out[rows] = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            start = end
        return out


def load_embedder(method: str = "auto", *, model: str = "minilm", threads: int = 1) -> Embedder:
    """The embedder THEMES_METHOD and THEMES_MODEL pick: `semantic` must load; `auto` falls back to
    lexical, saying why."""
    if method == "lexical":
        return LexicalEmbedder()
    try:
        return SemanticEmbedder(MODELS[model], threads=threads)
    except EmbedderUnavailable as exc:
        if method == "semantic":
            raise
        log.warning("themes: the semantic model is unavailable (%s); grouping by words instead", exc)
        return LexicalEmbedder()
