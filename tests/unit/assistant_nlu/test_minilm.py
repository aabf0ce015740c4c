"""The numpy all-MiniLM-L6-v2 forward pass against Hugging Face transformers' own BertModel.

``tests/fixtures/minilm/reference.npy`` was computed by ``make_reference.py`` (torch 2.13.0 CPU,
transformers, mean pooling and L2 normalisation as the model's sentence-transformers
configuration says) from the same archive; the numpy pass must give the same vectors.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tokenizers")

FIXTURES = Path(__file__).parents[2] / "fixtures" / "minilm"


def test_vectors_match_transformers_reference() -> None:
    from chat_widget.assistant.nlu.minilm import MiniLMEncoder

    texts = json.loads((FIXTURES / "texts.json").read_text(encoding="utf-8"))
    reference = np.load(FIXTURES / "reference.npy")
    encoder = MiniLMEncoder()
    batched = encoder.embed(texts)
    one_by_one = np.vstack([encoder.embed([t]) for t in texts])
    assert np.abs(batched - reference).max() < 1e-5  # padding in a batch changes nothing
    assert np.abs(one_by_one - reference).max() < 1e-5
    assert np.abs(batched[0] - batched[1]).max() > 0.01  # the test can fail


def test_refuses_other_weights(tmp_path: Path) -> None:
    import zipfile

    from chat_widget.assistant.nlu.minilm import MiniLMEncoder, archive_path

    forged = tmp_path / "model.zip"
    with zipfile.ZipFile(archive_path()) as src, zipfile.ZipFile(forged, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "model.safetensors":
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.writestr(name, data)
    with pytest.raises(RuntimeError, match="sha256"):
        MiniLMEncoder(forged)
