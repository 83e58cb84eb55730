"""The crisis classifier: a softmax head on sentence embeddings, beside the safety rules.

Trained by `tests/bench/train_crisis.py` on the labelled corpus in `tests/data/crisis/` and
shipped as `knowledge/crisis_classifier.json`: the weights, the embedding model they belong to,
the hash of the data they were trained on, and two thresholds calibrated on held-back folds of
the training data (never on the held-out split):

- `crisis`: at or above, the message gets the crisis reply, exactly as when a rule fires;
- `possible`: at or above (but below `crisis`), the answer is kept and led by a short check-in
  and the region's crisis lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.core.reply import CrisisType
from bot.core.semantic import Reading

NONE_CLASS = "none"


@dataclass(frozen=True)
class Assessment:
    score: float  # the highest P(crisis) over the message and its segments, 0-1
    crisis_type: CrisisType  # the most likely type where the score is highest
    level: str  # "crisis", "possible" or "none"


@dataclass(frozen=True)
class CrisisClassifier:
    model: str  # the embedder it was trained for; refused with any other
    classes: tuple[str, ...]  # "none" and the CrisisType values
    weights: np.ndarray  # [classes, dim]
    bias: np.ndarray  # [classes]
    crisis_threshold: float
    possible_threshold: float
    trained_on: str  # sha256 of the training data

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        logits = vectors @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        probs: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
        return probs

    def assess(self, reading: Reading) -> Assessment | None:
        if reading.vectors is None:
            return None
        probs = self.probabilities(reading.vectors)
        none = self.classes.index(NONE_CLASS)
        crisis = 1.0 - probs[:, none]
        row = int(np.argmax(crisis))
        ranked = [c for c in np.argsort(-probs[row]) if int(c) != none]
        crisis_type = CrisisType(self.classes[int(ranked[0])])
        score = float(crisis[row])
        if score >= self.crisis_threshold:
            level = "crisis"
        elif score >= self.possible_threshold:
            level = "possible"
        else:
            level = "none"
        return Assessment(round(score, 3), crisis_type, level)


def parse_classifier(data: Any) -> tuple[CrisisClassifier | None, list[str]]:
    """The shipped head, or the reasons it cannot be used (each a short sentence)."""
    if not isinstance(data, dict):
        return None, ["must be a mapping"]
    problems: list[str] = []
    classes = data.get("classes")
    expected = {NONE_CLASS, *(t.value for t in CrisisType)}
    if not isinstance(classes, list) or set(classes) != expected or len(classes) != len(expected):
        problems.append(f"classes must be exactly {sorted(expected)}")
        return None, problems
    try:
        weights = np.asarray(data["weights"], dtype=np.float32)
        bias = np.asarray(data["bias"], dtype=np.float32)
        crisis = float(data["thresholds"]["crisis"])
        possible = float(data["thresholds"]["possible"])
    except (KeyError, TypeError, ValueError):
        return None, ["needs weights, bias and thresholds.crisis/possible"]
    if weights.ndim != 2 or weights.shape[0] != len(classes) or bias.shape != (len(classes),):
        problems.append("weights must be [classes, dim] and bias [classes]")
    if not 0 < possible <= crisis < 1:
        problems.append("thresholds must satisfy 0 < possible <= crisis < 1")
    if not isinstance(data.get("model"), str):
        problems.append("model must name the embedding model")
    if problems:
        return None, problems
    return (
        CrisisClassifier(
            model=str(data["model"]),
            classes=tuple(str(c) for c in classes),
            weights=weights,
            bias=bias,
            crisis_threshold=crisis,
            possible_threshold=possible,
            trained_on=str(data.get("trained_on", "")),
        ),
        [],
    )
