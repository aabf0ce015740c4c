"""A stand-in for the intent classifier's ``Prediction`` (the real one lives in assistant.nlu)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FakePrediction:
    intent: str | None
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)


def sure(intent: str, confidence: float = 0.93) -> FakePrediction:
    return FakePrediction(intent, confidence, [(intent, confidence), ("card_arrival", 0.02)])


def unsure(*alternatives: tuple[str, float]) -> FakePrediction:
    top = alternatives[0][1] if alternatives else 0.0
    return FakePrediction(None, top, list(alternatives))
