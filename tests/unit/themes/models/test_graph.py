"""The ONNX graph written from a model's weights computes what the model computes: checked against a plain
numpy forward pass of BERT and of MPNet on small random weights (the real weights are hundreds of MB; the
arithmetic is the same), and run through onnxruntime as the bot runs it."""

from __future__ import annotations

import numpy as np
import pytest

from bot.themes.models.graph import Architecture, encoder_graph, relative_buckets

onnx = pytest.importorskip("onnx")
onnxruntime = pytest.importorskip("onnxruntime")

VOCAB, MAX = 50, 16
BERT = Architecture(layers=2, heads=2, width=8, eps=1e-12, family="bert")
MPNET = Architecture(
    layers=2, heads=2, width=8, eps=1e-5, family="mpnet", position_offset=2, relative_buckets=32
)


def weights_for(arch: Architecture, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    w, inner = arch.width, 4 * arch.width

    def r(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.5, shape).astype(np.float32)

    out = {
        "embeddings.word_embeddings.weight": r(VOCAB, w),
        "embeddings.position_embeddings.weight": r(MAX + 2, w),
        "embeddings.LayerNorm.weight": 1 + r(w) / 5,
        "embeddings.LayerNorm.bias": r(w) / 5,
    }
    if arch.family == "bert":
        out["embeddings.token_type_embeddings.weight"] = r(2, w)
    else:
        out["encoder.relative_attention_bias.weight"] = r(32, arch.heads)
        out["pooler.dense.weight"] = r(w, w)  # present in the real file, unused by a sentence model
    names = {
        "bert": [
            "attention.self.query",
            "attention.self.key",
            "attention.self.value",
            "attention.output.dense",
        ],
        "mpnet": ["attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o"],
    }[arch.family]
    norms = {"bert": "attention.output.LayerNorm", "mpnet": "attention.LayerNorm"}[arch.family]
    for i in range(arch.layers):
        p = f"encoder.layer.{i}."
        for name in names:
            out[p + name + ".weight"], out[p + name + ".bias"] = r(w, w), r(w)
        out[p + "intermediate.dense.weight"], out[p + "intermediate.dense.bias"] = r(inner, w), r(inner)
        out[p + "output.dense.weight"], out[p + "output.dense.bias"] = r(w, inner), r(w)
        for norm in (norms, "output.LayerNorm"):
            out[p + norm + ".weight"], out[p + norm + ".bias"] = 1 + r(w) / 5, r(w) / 5
    return out


def reference(
    weights: dict[str, np.ndarray], arch: Architecture, ids: np.ndarray, mask: np.ndarray
) -> np.ndarray:
    """The model as its authors wrote it, in numpy: one sentence embedding per row."""
    from scipy.special import erf, softmax

    def norm(x: np.ndarray, prefix: str) -> np.ndarray:
        mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + arch.eps) * weights[prefix + ".weight"] + weights[prefix + ".bias"]

    def dense(x: np.ndarray, prefix: str) -> np.ndarray:
        return x @ weights[prefix + ".weight"].T + weights[prefix + ".bias"]

    batch, length = ids.shape
    positions = np.arange(length) + arch.position_offset
    x = (
        weights["embeddings.word_embeddings.weight"][ids]
        + weights["embeddings.position_embeddings.weight"][positions]
    )
    if arch.family == "bert":
        x = x + weights["embeddings.token_type_embeddings.weight"][0]
    x = norm(x, "embeddings.LayerNorm")
    bias = ((1 - mask) * -1e4)[:, None, None, :]
    if arch.relative_buckets:
        bias = bias + weights["encoder.relative_attention_bias.weight"][relative_buckets(length)].transpose(
            2, 0, 1
        )
    h, d = arch.heads, arch.width // arch.heads
    mpnet = arch.family == "mpnet"
    for i in range(arch.layers):
        p = f"encoder.layer.{i}."
        q, k, v, o = (
            ("attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o")
            if mpnet
            else (
                "attention.self.query",
                "attention.self.key",
                "attention.self.value",
                "attention.output.dense",
            )
        )

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, h, d).transpose(0, 2, 1, 3)

        scores = split(dense(x, p + q)) @ split(dense(x, p + k)).transpose(0, 1, 3, 2) / np.sqrt(d) + bias
        context = (
            (softmax(scores, axis=-1) @ split(dense(x, p + v)))
            .transpose(0, 2, 1, 3)
            .reshape(batch, length, -1)
        )
        x = norm(
            dense(context, p + o) + x, p + ("attention.LayerNorm" if mpnet else "attention.output.LayerNorm")
        )
        up = dense(x, p + "intermediate.dense")
        x = norm(dense(up * 0.5 * (1 + erf(up / np.sqrt(2))), p + "output.dense") + x, p + "output.LayerNorm")
    pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def run(graph: bytes, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    onnx.checker.check_model(onnx.load_from_string(graph))
    session = onnxruntime.InferenceSession(graph, providers=["CPUExecutionProvider"])
    return session.run(None, {"input_ids": ids, "attention_mask": mask})[0]


# Two rows of different lengths: the shorter is padded, and padding must change nothing.
IDS = np.array([[0, 7, 12, 33, 4, 2, 1, 1], [0, 9, 21, 5, 14, 40, 8, 2]], dtype=np.int64)
MASK = np.array([[1, 1, 1, 1, 1, 1, 0, 0], [1] * 8], dtype=np.int64)


@pytest.mark.parametrize("arch", [BERT, MPNET], ids=["bert", "mpnet"])
def test_the_graph_computes_the_models_sentence_embedding(arch: Architecture) -> None:
    weights = weights_for(arch)
    expected = reference(dict(weights), arch, IDS, MASK)
    out = run(encoder_graph(dict(weights), arch, max_tokens=MAX, int8=False), IDS, MASK)
    assert np.abs(out - expected).max() < 1e-4
    alone = run(encoder_graph(dict(weights), arch, max_tokens=MAX, int8=False), IDS[:1, :6], MASK[:1, :6])
    assert np.abs(alone[0] - out[0]).max() < 1e-4  # the padded row is the row alone


def test_mpnets_relative_positions_matter() -> None:
    # Without the relative bias (or with positions from 0, as BERT numbers them) the vectors differ.
    weights = weights_for(MPNET)
    expected = reference(dict(weights), MPNET, IDS, MASK)
    for wrong in (
        Architecture(**{**MPNET.__dict__, "relative_buckets": 0}),
        Architecture(**{**MPNET.__dict__, "position_offset": 0}),
    ):
        out = run(encoder_graph(dict(weights), wrong, max_tokens=MAX, int8=False), IDS, MASK)
        assert np.abs(out - expected).max() > 1e-2


def test_mpnets_buckets_are_its_authors() -> None:
    buckets = relative_buckets(200)  # [query, key]
    # Near distances are exact, far ones logarithmic up to 128 and one bucket beyond; a key after its
    # query in the upper half of the 32.
    assert buckets[10, 10] == 0 and buckets[11, 10] == 1 and buckets[10, 11] == 17
    assert buckets[7, 0] == 7 and buckets[8, 0] == 8 and buckets[24, 0] == 11
    assert buckets[199, 0] == 15 and buckets[0, 199] == 31
    assert buckets.min() == 0 and buckets.max() == 31


@pytest.mark.parametrize("arch", [BERT, MPNET], ids=["bert", "mpnet"])
def test_the_integer_build_stays_close_to_the_float_one(arch: Architecture) -> None:
    weights = weights_for(arch, seed=3)
    exact = run(encoder_graph(dict(weights), arch, max_tokens=MAX, int8=False), IDS, MASK)
    small = encoder_graph(dict(weights), arch, max_tokens=MAX, int8=True)
    approx = run(small, IDS, MASK)
    assert (exact * approx).sum(1).min() > 0.97  # cosine to the float vector
    model = onnx.load_from_string(small)
    stored = {t.name: t.data_type for t in model.graph.initializer}
    # Every dense layer but the feed-forward's way down is stored in integers, and so is the vocabulary.
    assert sum(dtype == onnx.TensorProto.INT8 for dtype in stored.values()) == 5 * arch.layers + 1
    assert sum(n.op_type == "MatMulInteger" for n in model.graph.node) == 5 * arch.layers


def test_the_weights_are_consumed_as_the_graph_is_written() -> None:
    weights = weights_for(MPNET)
    encoder_graph(weights, MPNET, max_tokens=MAX, int8=True)
    assert weights == {}  # nothing (not even the unused pooler) keeps the float buffer alive
