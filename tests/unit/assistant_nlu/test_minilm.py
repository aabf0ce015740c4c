"""all-MiniLM-L6-v2, the assistant's English encoder, in its three forms.

``tests/fixtures/minilm/reference.npy`` was computed by ``make_reference.py`` with Hugging Face
transformers' own ``BertModel`` (torch 2.13.0 CPU; mean pooling and L2 normalisation as the
model's sentence-transformers configuration says) from the same archive. The numpy pass must
give those vectors, the ONNX graph the numpy pass's, and the int8 model what it is built from
give or take its quantisation.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from chat_widget.assistant.nlu.minilm import (
    MiniLMEncoder,
    MiniLMReference,
    _padded,
    _pooled,
    _token_ids,
    archive_path,
    onnx_graph,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "minilm"
TEXTS = json.loads((FIXTURES / "texts.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reference() -> MiniLMReference:
    return MiniLMReference()


def test_numpy_pass_matches_transformers(reference: MiniLMReference) -> None:
    expected = np.load(FIXTURES / "reference.npy")
    batched = reference.embed(TEXTS)
    one_by_one = np.vstack([reference.embed([t]) for t in TEXTS])
    assert np.abs(batched - expected).max() < 1e-5  # padding in a batch changes nothing
    assert np.abs(one_by_one - expected).max() < 1e-5
    assert np.abs(batched[0] - batched[1]).max() > 0.01  # different texts, different vectors


def test_onnx_graph_computes_the_numpy_pass(reference: MiniLMReference) -> None:
    import onnxruntime

    session = onnxruntime.InferenceSession(
        onnx_graph(reference).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    ids, mask = _padded(_token_ids(reference._tokenizer, TEXTS))
    (hidden,) = session.run(
        ["hidden"],
        {
            "input_ids": ids,
            "position_ids": np.arange(ids.shape[1], dtype=np.int64),
            "attn_bias": ((1.0 - mask) * -1e4)[:, None, None, :].astype(np.float32),
        },
    )
    assert np.abs(_pooled(hidden, mask) - reference.embed(TEXTS)).max() < 1e-5


def test_int8_model_stays_close_and_gives_one_vector_per_text(
    reference: MiniLMReference, tmp_path: Path
) -> None:
    encoder = MiniLMEncoder(tmp_path)
    vectors = encoder.embed(TEXTS)
    cosine = (vectors * reference.embed(TEXTS)).sum(axis=1)
    assert cosine.min() > 0.95, cosine
    # the same text gets the same vector alone or among others (what training embedded
    # is what a customer's question gets)
    assert np.array_equal(vectors[1], encoder.embed([TEXTS[1]])[0])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert len(list(tmp_path.glob("minilm-*.onnx"))) == 1  # built once, reused
    MiniLMEncoder(tmp_path)
    assert len(list(tmp_path.iterdir())) == 1


def test_refuses_other_weights(tmp_path: Path) -> None:
    forged = tmp_path / "model.zip"
    with zipfile.ZipFile(archive_path()) as src, zipfile.ZipFile(forged, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "model.safetensors":
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.writestr(name, data)
    with pytest.raises(RuntimeError, match="sha256"):
        MiniLMReference(forged)
