"""Hundreds of random, truncated and bit-flipped files: each is accepted or refused, never a crash."""

from __future__ import annotations

import random

import pytest

from chat_widget.files import CheckedFile, FileRejected, UploadLimits, check_upload
from tests.unit.files import samples

LIMITS = UploadLimits(max_bytes=1024 * 1024, max_pixels=2_000_000, max_side=3000)


def _corpus() -> list[bytes]:
    rng = random.Random(20261124)
    seeds = [
        samples.jpeg(64, 48, gps=True),
        samples.png(33, 17, alpha=True),
        samples.pdf(),
        samples.pdf(
            b"/OpenAction 4 0 R ",
            objects=[b"[3 0 R /Fit]"],
            packed=(b"/ASCII85Decode", b"/FlateDecode"),
        ),
        samples.png_bomb(),
    ]
    out: list[bytes] = []
    for _ in range(100):
        out.append(rng.randbytes(rng.randint(0, 600)))
    for seed in seeds:
        for _ in range(40):
            out.append(seed[: rng.randint(0, len(seed))])
        for _ in range(40):
            flipped = bytearray(seed)
            for _ in range(rng.randint(1, 8)):
                flipped[rng.randrange(len(flipped))] = rng.randrange(256)
            out.append(bytes(flipped))
    for magic in (
        b"\xff\xd8\xff",
        b"\x89PNG\r\n\x1a\n",
        b"%PDF-1.7\n",
        b"\x00\x00\x00\x18ftypheic",
    ):
        for _ in range(15):
            out.append(magic + rng.randbytes(rng.randint(0, 400)))
    return out


@pytest.mark.parametrize("chunk", range(5))
def test_fuzzed_files_never_crash(chunk: int) -> None:
    corpus = _corpus()
    accepted = refused = 0
    for data in corpus[chunk::5]:
        try:
            result = check_upload(data, filename="fuzz.bin", limits=LIMITS)
        except FileRejected as error:
            refused += 1
            assert error.message("de")
            continue
        accepted += 1
        assert isinstance(result, CheckedFile) and result.size == len(result.data) > 0
    assert accepted + refused == len(corpus[chunk::5])
    assert refused > 0
