"""Which entry answers a question, learnt from how members ask: a softmax over the FAQ's entries
(and "none of them") on the message's embedding and its word and character n-grams.

The matcher's fused score compares a question with each entry's phrasings one at a time; this
head has seen hundreds of member questions per topic at once, so it separates neighbouring
entries (withdrawal vs tapering, dissociation vs flashbacks) and off-topic chatter better. Its
probability is added to the fused score with a weight calibrated on out-of-fold scores of the
tuning questions (`tests/bench/train_matcher.py`, which writes `knowledge/entry_classifier.json`
and the thresholds that go with it). An entry it has never seen (added by a moderator after
training) simply gets nothing added, and competes on the fused score alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.core.ngrams import NgramFeatures, parse_features, unpack

NONE_ENTRY = ""  # the class "no entry answers this"


@dataclass(frozen=True)
class EntryClassifier:
    model: str  # the embedder it was trained for; unused with any other
    entry_ids: tuple[str, ...]  # the classes, NONE_ENTRY among them
    features: NgramFeatures
    dense: np.ndarray  # [classes, dim]
    sparse: np.ndarray  # [classes, n-gram columns]
    bias: np.ndarray  # [classes]
    weight: float  # how much of 100 x P(entry) is added to the fused score
    answer_threshold: float  # on the fused + weighted-probability scale
    suggest_threshold: float
    trained_on: str  # sha256 of the phrasings and questions it learnt from

    def probabilities(self, normalised: str, vector: np.ndarray) -> dict[str, float]:
        columns, values = self.features.row(normalised)
        logits = self.sparse[:, columns] @ values + vector @ self.dense.T + self.bias
        logits -= logits.max()
        probs = np.exp(logits)
        probs /= probs.sum()
        return {e: float(p) for e, p in zip(self.entry_ids, probs, strict=True) if e}


def parse_entry_classifier(data: Any) -> tuple[EntryClassifier | None, list[str]]:
    """The shipped head, or the reasons it cannot be used (each a short sentence)."""
    if not isinstance(data, dict):
        return None, ["must be a mapping"]
    try:
        entry_ids = tuple(str(e) for e in data["entries"])
        features = parse_features(data["ngrams"])
        dense, sparse = unpack(data["dense"]), unpack(data["sparse"])
        bias = np.asarray(data["bias"], dtype=np.float32)
        fusion = data["fusion"]
        weight = float(fusion["weight"])
        answer, suggest = float(fusion["answer_threshold"]), float(fusion["suggest_threshold"])
        model = data["model"]
    except (KeyError, TypeError, ValueError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        return None, [f"needs model, entries, ngrams, dense, sparse, bias and fusion ({detail})"]
    classes = len(entry_ids)
    problems = []
    if NONE_ENTRY not in entry_ids or len(set(entry_ids)) != classes:
        problems.append('entries must be unique and include "" (no entry)')
    if sparse.shape != (classes, features.size) or bias.shape != (classes,):
        problems.append("sparse must be [entries, n-gram columns] and bias [entries]")
    if dense.ndim != 2 or dense.shape[0] != classes:
        problems.append("dense must be [entries, dim]")
    if not (0 <= weight <= 2 and 0 < suggest <= answer <= 300):
        problems.append("fusion needs 0 <= weight <= 2 and 0 < suggest <= answer thresholds")
    if not isinstance(model, str):
        problems.append("model must name the embedding model")
    if problems:
        return None, problems
    return (
        EntryClassifier(
            str(model),
            entry_ids,
            features,
            dense,
            sparse,
            bias,
            weight,
            answer,
            suggest,
            str(data.get("trained_on", "")),
        ),
        [],
    )
