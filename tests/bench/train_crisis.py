"""Train the crisis classifier on the TRAINING split and write knowledge/crisis_classifier.json.

.venv/bin/python -m tests.bench.train_crisis            # train, calibrate, print, write
.venv/bin/python -m tests.bench.train_crisis --dry-run  # print only

A multinomial logistic regression (numpy, L2, classes weighted to balance) on MiniLM vectors of
whole messages; the segments of negative multi-sentence messages are added as negatives, so a
story's ordinary sentences do not learn to alarm. Thresholds are chosen on 5-fold out-of-fold
scores of the training split, scored the way the engine scores (rules OR model, the model's
maximum over the message and its segments):

- crisis: the lowest threshold at which the model alone raises false crises on at most
  FALSE_CRISIS_BUDGET of look-alike negatives and FAQ_BUDGET of ordinary questions (the rules'
  own false alarms are measured, and fixed, separately);
- possible: the lowest threshold at which the model would give at most POSSIBLE_BUDGET of
  ordinary questions a check-in.
"""

from __future__ import annotations

import json
import sys

import numpy as np

from bot.config import SHIPPED_KNOWLEDGE
from bot.core.crisis_model import NONE_CLASS
from bot.core.safety import screen
from bot.core.semantic import read
from bot.core.text import normalise
from bot.knowledge.loader import load_knowledge
from bot.semantic.minilm import MODEL_NAME
from tests.bench.vectors import cached_embedder
from tests.crisis_corpus import (
    CRISIS_TYPES,
    FAQ_GROUPS,
    LOOKALIKE_GROUPS,
    TRAINING,
    load_corpus,
    training_hash,
)

CLASSES = (NONE_CLASS, *CRISIS_TYPES)
L2 = 1e-3
EPOCHS = 600
FALSE_CRISIS_BUDGET = 0.04
FAQ_BUDGET = 0.01
POSSIBLE_BUDGET = 0.08
OUT = SHIPPED_KNOWLEDGE / "crisis_classifier.json"


def fit(x: np.ndarray, y: np.ndarray, classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression by full-batch Adam; deterministic for the same data."""
    rng = np.random.default_rng(seed)
    w = rng.normal(0, 0.01, (classes, x.shape[1])).astype(np.float64)
    b = np.zeros(classes)
    counts = np.bincount(y, minlength=classes).astype(np.float64)
    sample_weight = (len(y) / (classes * np.maximum(counts, 1)))[y]
    onehot = np.eye(classes)[y]
    m_w, v_w, m_b, v_b = (np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b))
    lr, beta1, beta2 = 0.05, 0.9, 0.999
    for step in range(1, EPOCHS + 1):
        logits = x @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        grad = (p - onehot) * sample_weight[:, None] / sample_weight.sum()
        g_w = grad.T @ x + L2 * w
        g_b = grad.sum(axis=0)
        for param, g, m, v in ((w, g_w, m_w, v_w), (b, g_b, m_b, v_b)):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            param -= lr * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + 1e-8)
    return w.astype(np.float32), b.astype(np.float32)


def crisis_scores(w: np.ndarray, b: np.ndarray, rows: list[np.ndarray]) -> np.ndarray:
    out = np.zeros(len(rows))
    for i, vectors in enumerate(rows):
        logits = vectors @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        out[i] = float((1 - p[:, 0]).max())
    return out


def lowest_threshold(scores: np.ndarray, flagged_by_rules: np.ndarray, budget: float) -> float:
    """The lowest threshold at which rules-or-model flags at most `budget` of these negatives."""
    for t in np.arange(0.05, 0.995, 0.005):
        if np.mean(flagged_by_rules | (scores >= t)) <= budget:
            return float(round(t, 3))
    return 0.99


def main() -> None:
    dry_run = "--dry-run" in sys.argv
    loaded = load_knowledge(SHIPPED_KNOWLEDGE)
    training = load_corpus(TRAINING)
    embedder = cached_embedder()
    readings = [read(normalise(m.text), embedder) for m in training]
    embedder.save()
    rows = [r.vectors for r in readings]
    assert all(r is not None for r in rows)
    labels = np.array([CLASSES.index(m.crisis or NONE_CLASS) for m in training])
    rules = np.array(
        [screen(normalise(m.text), loaded.safety).crisis is not None for m in training]
    )

    def design(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = [], []
        for i in idx:
            vectors = rows[i]
            assert vectors is not None
            xs.append(vectors[0])
            ys.append(labels[i])
            if labels[i] == 0:  # a negative's sentences are negatives too
                xs.extend(vectors[1:])
                ys.extend([0] * (len(vectors) - 1))
        return np.stack(xs), np.array(ys)

    folds = np.arange(len(training)) % 5
    np.random.default_rng(1).shuffle(folds)
    oof = np.zeros(len(training))
    for k in range(5):
        train_idx, test_idx = np.where(folds != k)[0], np.where(folds == k)[0]
        w, b = fit(*design(train_idx), len(CLASSES))
        oof[test_idx] = crisis_scores(w, b, [rows[i] for i in test_idx])  # type: ignore[misc]

    groups = np.array([m.group for m in training])
    crisis = labels > 0
    lookalike = np.isin(groups, LOOKALIKE_GROUPS)
    faq = np.isin(groups, FAQ_GROUPS)
    # The model's own budget: what it adds to the rules' false alarms.
    none = np.zeros(len(training), dtype=bool)
    t_look = lowest_threshold(oof[lookalike], none[lookalike], FALSE_CRISIS_BUDGET)
    t_faq = lowest_threshold(oof[faq], none[faq], FAQ_BUDGET)
    t_crisis = max(t_look, t_faq)
    t_possible = min(lowest_threshold(oof[faq], none[faq], POSSIBLE_BUDGET), t_crisis)
    caught = rules | (oof >= t_crisis)
    print(f"training messages: {len(training)} ({int(crisis.sum())} crisis)")
    print(
        f"thresholds: crisis {t_crisis} (look-alikes {t_look}, faq {t_faq}); possible {t_possible}"
    )
    print(
        f"out-of-fold: recall rules {rules[crisis].mean():.1%}, "
        f"model {(oof[crisis] >= t_crisis).mean():.1%}, both {caught[crisis].mean():.1%}; "
        f"false crisis look-alikes {caught[lookalike].mean():.1%}, "
        f"faq {caught[faq].mean():.1%}; possible on faq {(oof[faq] >= t_possible).mean():.1%}"
    )
    for kind in CRISIS_TYPES:
        mask = groups == kind
        print(f"  {kind}: {caught[mask].mean():.1%} of {int(mask.sum())}")
    missed = [m.text for m, c, s in zip(training, caught, crisis, strict=True) if s and not c]
    print("some out-of-fold misses:", *missed[:15], sep="\n  ")
    w, b = fit(*design(np.arange(len(training))), len(CLASSES))
    if dry_run:
        return
    OUT.write_text(
        json.dumps(
            {
                "note": "Written by tests/bench/train_crisis.py; do not edit by hand.",
                "model": MODEL_NAME,
                "trained_on": training_hash(training),
                "classes": list(CLASSES),
                "thresholds": {"crisis": t_crisis, "possible": t_possible},
                "bias": [round(float(v), 6) for v in b],
                "weights": [[round(float(v), 6) for v in row] for row in w],
            },
            indent=1,
        )
        + "\n"
    )
    print(f"written to {OUT}")


if __name__ == "__main__":
    main()
