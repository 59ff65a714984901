"""A sentence encoder (BERT or MPNet) written as an ONNX graph from its weights, in memory.

No package ships these models as ONNX, and the bot takes no torch, so the network is written here with
standard operators only: token and position embeddings, the encoder layers, mean pooling over the real
tokens, unit length. With `int8`, every dense layer's weights are stored as 7-bit integers with one scale
per output column and run with onnxruntime's integer matrix product (activations quantised on the fly):
a quarter of the memory and about twice the speed. Seven bits, not eight: x86 CPUs without VNNI
saturate the 16-bit sums of an 8-bit product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Architecture:
    layers: int
    heads: int
    width: int
    eps: float
    # BERT names its parts one way, MPNet another.
    family: str  # "bert" | "mpnet"
    # MPNet numbers positions from 2 (after its padding index) and adds a learned bias per head and
    # relative distance (32 buckets) to every attention score.
    position_offset: int = 0
    relative_buckets: int = 0


def relative_buckets(length: int, buckets: int = 32, max_distance: int = 128) -> np.ndarray:
    """MPNet's bucket of each (query, key) distance, as its authors defined it: exact for near tokens,
    logarithmic beyond, the direction in the upper half."""
    position = np.arange(length)
    n = -(position[None, :] - position[:, None])
    half = buckets // 2
    out = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    exact = half // 2
    with np.errstate(divide="ignore"):
        large = exact + (
            np.log(np.maximum(n, 1) / exact) / np.log(max_distance / exact) * (half - exact)
        ).astype(np.int64)
    return out + np.where(n < exact, n, np.minimum(large, half - 1))


def _names(arch: Architecture, i: int) -> dict[str, str]:
    p = f"encoder.layer.{i}."
    if arch.family == "mpnet":
        return {
            "q": p + "attention.attn.q",
            "k": p + "attention.attn.k",
            "v": p + "attention.attn.v",
            "o": p + "attention.attn.o",
            "ln1": p + "attention.LayerNorm",
            "up": p + "intermediate.dense",
            "down": p + "output.dense",
            "ln2": p + "output.LayerNorm",
        }
    return {
        "q": p + "attention.self.query",
        "k": p + "attention.self.key",
        "v": p + "attention.self.value",
        "o": p + "attention.output.dense",
        "ln1": p + "attention.output.LayerNorm",
        "up": p + "intermediate.dense",
        "down": p + "output.dense",
        "ln2": p + "output.LayerNorm",
    }


def encoder_graph(
    weights: dict[str, np.ndarray], arch: Architecture, *, max_tokens: int, int8: bool
) -> bytes:
    """The serialised ONNX model (opset 17): input_ids and attention_mask in (int64, B x T, T at most
    `max_tokens`), one unit-length sentence embedding per row out. Weights are consumed (popped) as
    they are written, so the float copy and the graph's copy are not held whole at once."""
    from onnx import ModelProto, TensorProto, helper, numpy_helper

    # Written straight into the model: make_graph and make_model would each copy every weight.
    model = ModelProto(ir_version=8)
    model.opset_import.append(helper.make_opsetid("", 17))
    graph = model.graph
    graph.name = "sentence-encoder"
    nodes = graph.node
    heads, width = arch.heads, arch.width

    def const(name: str, value: Any) -> str:
        graph.initializer.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op: str, inputs: list[str], **attributes: Any) -> str:
        out = f"{op}_{len(nodes)}"
        nodes.append(helper.make_node(op, inputs, [out], **attributes))
        return out

    def take(key: str) -> np.ndarray:
        return np.asarray(weights.pop(key), dtype=np.float32)

    def scalar(name: str, value: float) -> str:
        return const(name, np.array(value, np.float32))

    def layer_norm(x: str, prefix: str) -> str:
        tag = prefix.replace(".", "_")
        gamma, beta = const(tag + "_g", take(prefix + ".weight")), const(tag + "_b", take(prefix + ".bias"))
        return node("LayerNormalization", [x, gamma, beta], axis=-1, epsilon=arch.eps)

    def linear(x: str, prefix: str, exact: bool = False) -> str:
        tag = prefix.replace(".", "_")
        matrix = np.ascontiguousarray(take(prefix + ".weight").T)  # (in, out)
        bias = const(tag + "_b", take(prefix + ".bias"))
        if not int8 or exact:
            return node("Add", [node("MatMul", [x, const(tag + "_w", matrix)]), bias])
        scale = np.maximum(np.abs(matrix).max(axis=0), 1e-12) / 63.0
        quantised = np.clip(np.rint(matrix / scale), -63, 63).astype(np.int8)
        x_q = f"{tag}_xq"
        nodes.append(
            helper.make_node("DynamicQuantizeLinear", [x], [x_q, f"{tag}_xs", f"{tag}_xz"], name=tag + "_dq")
        )
        product = node("MatMulInteger", [x_q, const(tag + "_wq", quantised), f"{tag}_xz"])
        product = node("Cast", [product], to=TensorProto.FLOAT)
        scaled = node(
            "Mul", [node("Mul", [product, const(tag + "_ws", scale.astype(np.float32))]), f"{tag}_xs"]
        )
        return node("Add", [scaled, bias])

    ids, mask = "input_ids", "attention_mask"
    vocabulary = take("embeddings.word_embeddings.weight")
    if int8:
        # One scale per word: a word's vector loses nothing a cosine can see, the table three quarters.
        row_scale = np.maximum(np.abs(vocabulary).max(axis=1, keepdims=True), 1e-12) / 127.0
        quantised = np.clip(np.rint(vocabulary / row_scale), -127, 127).astype(np.int8)
        words = node("Gather", [const("word_emb_q", quantised), ids])
        words = node(
            "Mul",
            [
                node("Cast", [words], to=TensorProto.FLOAT),
                node("Gather", [const("word_emb_s", row_scale.astype(np.float32)), ids]),
            ],
        )
    else:
        words = node("Gather", [const("word_emb", vocabulary), ids])
    del vocabulary
    length = node("Gather", [node("Shape", [ids]), const("i1", np.array(1, np.int64))])
    positions = node(
        "Range", [const("i0", np.array(0, np.int64)), length, const("step", np.array(1, np.int64))]
    )
    table = take("embeddings.position_embeddings.weight")[
        arch.position_offset : arch.position_offset + max_tokens
    ]
    if "embeddings.token_type_embeddings.weight" in weights:
        # Every token is of type 0, so its embedding is folded into the position table.
        table = table + take("embeddings.token_type_embeddings.weight")[0]
    x = node("Add", [words, node("Gather", [const("pos_emb", table), positions])])
    x = layer_norm(x, "embeddings.LayerNorm")
    mask_f = node("Cast", [mask], to=TensorProto.FLOAT)
    # Padding gets a large negative score before the softmax: (1 - mask) * -10000, shaped (B, 1, 1, T).
    bias = node("Mul", [node("Sub", [scalar("f1", 1.0), mask_f]), scalar("neg", -1e4)])
    bias = node("Unsqueeze", [bias, const("ax12", np.array([1, 2], np.int64))])
    if arch.relative_buckets:
        # (heads, T, T) for the longest input, sliced to the batch's length.
        table = take("encoder.relative_attention_bias.weight")  # (buckets, heads)
        full = table[relative_buckets(max_tokens, arch.relative_buckets)].transpose(2, 0, 1)
        length_1d = node("Unsqueeze", [length, const("ax0", np.array([0], np.int64))])
        zeros, ends = const("z2", np.array([0, 0], np.int64)), node("Concat", [length_1d, length_1d], axis=0)
        relative = node(
            "Slice",
            [
                const("rel_bias", np.ascontiguousarray(full)),
                zeros,
                ends,
                const("ax_12", np.array([1, 2], np.int64)),
            ],
        )
        bias = node("Add", [bias, relative])  # (B, heads, T, T)
    split_heads = const("bthd", np.array([0, 0, heads, width // heads], np.int64))
    join_heads = const("btw", np.array([0, 0, width], np.int64))
    scale = scalar("scale", 1 / np.sqrt(width // heads))
    half, one, rsqrt2 = scalar("half", 0.5), scalar("one", 1.0), scalar("rsqrt2", 0.7071067811865476)
    for i in range(arch.layers):
        name = _names(arch, i)

        def split(t: str, perm: list[int]) -> str:
            return node("Transpose", [node("Reshape", [t, split_heads])], perm=perm)

        q = split(linear(x, name["q"]), [0, 2, 1, 3])
        k = split(linear(x, name["k"]), [0, 2, 3, 1])
        v = split(linear(x, name["v"]), [0, 2, 1, 3])
        scores = node("Softmax", [node("Add", [node("Mul", [node("MatMul", [q, k]), scale]), bias])], axis=-1)
        context = node(
            "Reshape", [node("Transpose", [node("MatMul", [scores, v])], perm=[0, 2, 1, 3]), join_heads]
        )
        x = layer_norm(node("Add", [linear(context, name["o"]), x]), name["ln1"])
        hidden = linear(x, name["up"])
        # GELU, exact (erf) form, as both models have it.
        erf = node("Erf", [node("Mul", [hidden, rsqrt2])])
        gelu = node("Mul", [node("Mul", [hidden, half]), node("Add", [erf, one])])
        # The feed-forward's way down stays in floats: GELU's outputs have outliers that one scale per
        # batch cannot hold in 8 bits (cosine to the float model 0.88-0.94 quantised, 0.99 kept).
        x = layer_norm(node("Add", [linear(gelu, name["down"], exact=True), x]), name["ln2"])
    # Mean over the real tokens, then unit length.
    mask3 = node("Unsqueeze", [mask_f, const("ax2", np.array([2], np.int64))])
    total = node("ReduceSum", [node("Mul", [x, mask3]), const("ax1", np.array([1], np.int64))], keepdims=0)
    count = node("ReduceSum", [mask3, const("ax1b", np.array([1], np.int64))], keepdims=0)
    mean = node("Div", [total, node("Max", [count, scalar("eps", 1e-9)])])
    nodes.append(helper.make_node("LpNormalization", [mean], ["sentence_embedding"], axis=-1, p=2))
    graph.input.extend(
        [
            helper.make_tensor_value_info(ids, TensorProto.INT64, ["B", "T"]),
            helper.make_tensor_value_info(mask, TensorProto.INT64, ["B", "T"]),
        ]
    )
    graph.output.append(helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["B", width]))
    weights.clear()  # the rest (a pooler the sentence model does not use) goes with the float buffer
    # (onnx.checker would hold a third copy of the weights; tests check the graph instead.)
    return model.SerializeToString()
