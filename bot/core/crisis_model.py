"""The crisis classifier: a softmax head on the message's meaning and its exact words, beside
the safety rules.

Trained by `tests/bench/train_crisis.py` on the labelled corpus in `tests/data/crisis/` and
shipped as `knowledge/crisis_classifier.json`: the n-gram vocabulary, two heads, the embedding
model the first belongs to, and the hash of the data they were trained on.

- `with_model`: the sentence embedding and the n-grams side by side (used when the model of
  meaning is loaded and is the one it was trained for);
- `text_only`: the n-grams alone, so a bot whose model is missing still has more than rules.

Each head has two thresholds, calibrated on held-back folds of the training data (never on the
held-out split): at or above `crisis` the message gets the crisis reply, exactly as when a rule
fires; at or above `possible` (but below `crisis`) the answer is kept and led by a short
check-in and the region's crisis lines. A message scores the highest P(crisis) of its whole
text and each of its sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.core.ngrams import NgramFeatures, parse_features, unpack
from bot.core.reply import CrisisType

NONE_CLASS = "none"
HEADS = ("with_model", "text_only")


@dataclass(frozen=True)
class Assessment:
    score: float  # the highest P(crisis) over the message and its segments, 0-1
    crisis_type: CrisisType  # the most likely type where the score is highest
    level: str  # "crisis", "possible" or "none"


@dataclass(frozen=True)
class Head:
    dense: np.ndarray | None  # [classes, dim] on the embedding, or None (text only)
    sparse: np.ndarray  # [classes, n-gram columns]
    bias: np.ndarray  # [classes]
    crisis_threshold: float
    possible_threshold: float

    def logits(
        self, rows: Sequence[tuple[np.ndarray, np.ndarray]], vectors: np.ndarray | None
    ) -> np.ndarray:
        out: np.ndarray = np.stack([self.sparse[:, cols] @ vals for cols, vals in rows])
        out += self.bias
        if self.dense is not None and vectors is not None:
            out += vectors @ self.dense.T
        return out


@dataclass(frozen=True)
class CrisisClassifier:
    model: str  # the embedder the with_model head was trained for
    classes: tuple[str, ...]  # "none" and the CrisisType values
    features: NgramFeatures
    with_model: Head
    text_only: Head
    trained_on: str  # sha256 of the training data

    def assess(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> Assessment:
        """Score the whole message and its segments (`texts`, in the order of `vectors`' rows
        when the model ran; pass None when it did not or is not this head's model).

        With the model, the n-gram head votes too: either head above its own crisis threshold
        is a crisis (out of fold on the training split this caught 1.7 points more crises, 3 more
        of self-harm, for 1.7 points more false alarms on look-alikes: a false alarm is cheap).
        The check-in band stays the model head's, calibrated on server chatter."""
        rows = [self.features.row(t) for t in texts]
        if vectors is None:
            score, crisis_type = self._score(self.text_only, rows, None)
            return Assessment(round(score, 3), crisis_type, _level(self.text_only, score))
        score, crisis_type = self._score(self.with_model, rows, vectors)
        level = _level(self.with_model, score)
        if level != "crisis":
            words, words_type = self._score(self.text_only, rows, None)
            if words >= self.text_only.crisis_threshold:
                return Assessment(round(words, 3), words_type, "crisis")
        return Assessment(round(score, 3), crisis_type, level)

    def _score(
        self, head: Head, rows: list[tuple[np.ndarray, np.ndarray]], vectors: np.ndarray | None
    ) -> tuple[float, CrisisType]:
        """The highest P(crisis) over the texts, and that text's most likely crisis type."""
        logits = head.logits(rows, vectors)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        none = self.classes.index(NONE_CLASS)
        crisis = 1.0 - probs[:, none]
        row = int(np.argmax(crisis))
        ranked = [c for c in np.argsort(-probs[row]) if int(c) != none]
        return float(crisis[row]), CrisisType(self.classes[int(ranked[0])])


def _level(head: Head, score: float) -> str:
    if score >= head.crisis_threshold:
        return "crisis"
    if score >= head.possible_threshold:
        return "possible"
    return "none"


# --- the file -------------------------------------------------------------------------------


def _head(data: Any, classes: int, columns: int, with_dense: bool) -> Head:
    sparse = unpack(data["sparse"])
    bias = np.asarray(data["bias"], dtype=np.float32)
    dense = unpack(data["dense"]) if with_dense else None
    crisis = float(data["thresholds"]["crisis"])
    possible = float(data["thresholds"]["possible"])
    if sparse.shape != (classes, columns) or bias.shape != (classes,):
        raise ValueError("weights must be [classes, n-gram columns] and bias [classes]")
    if dense is not None and (dense.ndim != 2 or dense.shape[0] != classes):
        raise ValueError("dense weights must be [classes, dim]")
    if not 0 < possible <= crisis < 1:
        raise ValueError("thresholds must satisfy 0 < possible <= crisis < 1")
    return Head(dense, sparse, bias, crisis, possible)


def parse_classifier(data: Any) -> tuple[CrisisClassifier | None, list[str]]:
    """The shipped classifier, or the reasons it cannot be used (each a short sentence)."""
    if not isinstance(data, dict):
        return None, ["must be a mapping"]
    classes = data.get("classes")
    expected = {NONE_CLASS, *(t.value for t in CrisisType)}
    if not isinstance(classes, list) or set(classes) != expected or len(classes) != len(expected):
        return None, [f"classes must be exactly {sorted(expected)}"]
    if not isinstance(data.get("model"), str):
        return None, ["model must name the embedding model"]
    try:
        features = parse_features(data["ngrams"])
        heads = data["heads"]
        with_model = _head(heads["with_model"], len(classes), features.size, with_dense=True)
        text_only = _head(heads["text_only"], len(classes), features.size, with_dense=False)
    except (KeyError, TypeError, ValueError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        return None, [f"needs ngrams and heads with_model/text_only ({detail})"]
    return (
        CrisisClassifier(
            model=str(data["model"]),
            classes=tuple(str(c) for c in classes),
            features=features,
            with_model=with_model,
            text_only=text_only,
            trained_on=str(data.get("trained_on", "")),
        ),
        [],
    )
