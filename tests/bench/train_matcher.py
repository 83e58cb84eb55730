"""Train the entry classifier and calibrate its fusion; write knowledge/entry_classifier.json.

.venv/bin/pip install -e ".[train]"                      # scikit-learn, for training only
.venv/bin/python -m tests.bench.train_matcher            # train, calibrate, print, write
.venv/bin/python -m tests.bench.train_matcher --dry-run  # print only

A multinomial logistic regression (scikit-learn, L2, C as for the crisis classifier) over the
FAQ's entries and "none", on the MiniLM vector of a question beside its word and character
n-grams (`bot.core.ngrams`). It learns from every phrasing of every entry, the dev sets' TUNING
questions (never the held-out ones) and ordinary chatter from the crisis corpus's training split
as "none". Its probability joins the matcher's fused score as
`(fused + w x 100 x P(entry)) / (1 + w)`; w and the answer threshold are chosen on 5-fold
out-of-fold probabilities of the tuning questions, with the objective `calibrate` uses (top-1
and abstention both high, wrong answers above 2% penalised).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from bot.config import SHIPPED_KNOWLEDGE
from bot.core.engine import Engine
from bot.core.entry_model import NONE_ENTRY
from bot.core.ngrams import NgramFeatures, char_terms, features_json, learn_block, pack, word_terms
from bot.core.semantic import Reading
from bot.core.text import normalise
from bot.knowledge.loader import load_knowledge
from bot.runtime import knowledge_base
from bot.semantic.minilm import MODEL_NAME
from tests.bench.calibrate import suggest_threshold
from tests.bench.train_crisis import sparse_rows
from tests.bench.vectors import cached_embedder
from tests.crisis_corpus import TRAINING as CRISIS_TRAINING
from tests.crisis_corpus import load_corpus
from tests.matcher_metrics import (
    HELD_OUT,
    STYLES,
    TUNING,
    Labelled,
    calibrate,
    entry_training_hash,
    evaluate,
    load_devset,
)

C = 10.0
WEIGHTS = (0.25, 0.5, 1.0, 2.0)
NEGATIVE_GROUPS = ("chatter", "other_language")
OUT = SHIPPED_KNOWLEDGE / "entry_classifier.json"

Row = tuple[str, np.ndarray, str]  # normalised text, vector, entry id ("" for none)


class Trained:
    def __init__(self, rows: list[Row], classes: list[str]) -> None:
        texts = [r[0] for r in rows]
        self.features = NgramFeatures(
            learn_block([word_terms(t) for t in texts], 2),
            learn_block([char_terms(t) for t in texts], 3, 40_000),
        )
        x = sparse.hstack(
            [sparse.csr_matrix(np.stack([r[1] for r in rows])), sparse_rows(self.features, texts)]
        ).tocsr()
        self.model = LogisticRegression(C=C, max_iter=5000)
        self.model.fit(x, [classes.index(r[2]) for r in rows])
        coef = np.zeros((len(classes), x.shape[1]), dtype=np.float32)
        bias = np.full(len(classes), -30.0, dtype=np.float32)  # a class never seen: never
        coef[self.model.classes_] = self.model.coef_
        bias[self.model.classes_] = self.model.intercept_
        self.classes, self.dim = classes, rows[0][1].shape[0]
        self.dense, self.sparse, self.bias = coef[:, : self.dim], coef[:, self.dim :], bias

    def probabilities(self, reading: Reading) -> dict[str, float]:
        assert reading.vectors is not None
        cols, vals = self.features.row(reading.normalised)
        logits = self.sparse[:, cols] @ vals + reading.vectors[0] @ self.dense.T + self.bias
        p = np.exp(logits - logits.max())
        p /= p.sum()
        return {c: float(v) for c, v in zip(self.classes, p, strict=True) if c}


def main() -> None:
    loaded = load_knowledge(SHIPPED_KNOWLEDGE)
    embedder = cached_embedder()
    # The fused matcher without an entry classifier: what the probability is added to.
    kb = replace(knowledge_base(loaded, loaded.entries), entry_classifier=None)
    fused = Engine(kb, embedder)
    classes = [NONE_ENTRY, *(e.id for e in loaded.entries)]
    phrasings = {e.id: [normalise(p) for p in e.phrasings] for e in loaded.entries}
    negatives = [
        normalise(m.text) for m in load_corpus(CRISIS_TRAINING) if m.group in NEGATIVE_GROUPS
    ]
    base: list[Row] = [(t, embedder.embed(t), e) for e, ts in phrasings.items() for t in ts]
    base += [(t, embedder.embed(t), NONE_ENTRY) for t in negatives]
    tuning, held = load_devset(TUNING), load_devset(HELD_OUT)
    readings = {i.text: fused.read(i.text) for i in tuning + held}
    embedder.save()
    ranked = {
        t: [(c.entry_id, c.score) for c in fused.matcher.rank(t, r.normalised, r.asking_vectors())]
        for t, r in readings.items()
    }

    def row(item: Labelled) -> Row:
        r = readings[item.text]
        assert r.vectors is not None
        return (r.normalised, r.vectors[0], min(item.answers) if item.answers else NONE_ENTRY)

    folds = np.arange(len(tuning)) % 5
    np.random.default_rng(1).shuffle(folds)
    oof: dict[str, dict[str, float]] = {}
    for k in range(5):
        rows = [row(i) for i, f in zip(tuning, folds, strict=True) if f != k]
        trained = Trained(base + rows, classes)
        for i, f in zip(tuning, folds, strict=True):
            if f == k:
                oof[i.text] = trained.probabilities(readings[i.text])
        print(f"fold {k + 1}/5 done", flush=True)

    def combined(probs: dict[str, dict[str, float]], w: float):  # type: ignore[no-untyped-def]
        def rank(text: str) -> list[tuple[str, float]]:
            p = probs[text]
            out = [(e, (s + w * 100 * p.get(e, 0.0)) / (1 + w)) for e, s in ranked[text]]
            return sorted(out, key=lambda c: -c[1])

        return rank

    best = None
    for w in WEIGHTS:
        t, r = calibrate(combined(oof, w), tuning)
        objective = min(r.top1_rate, r.abstention_rate) - max(0, r.wrong_rate - 0.02)
        print(
            f"  weight {w}: threshold {t}, out-of-fold top-1 {r.top1_rate:.1%}, "
            f"abstention {r.abstention_rate:.1%}, wrong {r.wrong_rate:.1%}"
        )
        if best is None or objective > best[0]:
            best = (objective, w, t)
    assert best is not None
    _, weight, threshold = best
    suggest = min(suggest_threshold(combined(oof, weight), tuning), threshold)
    print(f"chosen: weight {weight}, answer_threshold {threshold}, suggest {suggest}")

    trained = Trained(base + [row(i) for i in tuning], classes)
    final = {t: trained.probabilities(readings[t]) for t in ranked}
    for name, rank in (
        ("fused alone", lambda text: ranked[text]),
        ("with entry classifier", combined(final, weight)),
    ):
        t = fused.matcher.answer_threshold if name == "fused alone" else threshold
        r = evaluate(rank, held, t)
        by_style = {s: [i for i in held if i.style == s and i.answers] for s in STYLES}
        styles = ", ".join(
            f"{s} {evaluate(rank, items, t).top1_rate:.0%}" for s, items in by_style.items()
        )
        print(
            f"held-out, {name}: top-1 {r.top1_rate:.1%}, ranked first {r.ranked_first_rate:.1%},"
            f" abstention {r.abstention_rate:.1%}, wrong {r.wrong_rate:.1%}; {styles}"
        )
    if "--dry-run" in sys.argv:
        return
    OUT.write_text(
        json.dumps(
            {
                "note": "Written by tests/bench/train_matcher.py; do not edit by hand.",
                "model": MODEL_NAME,
                "trained_on": entry_training_hash(phrasings, negatives),
                "entries": classes,
                "fusion": {
                    "weight": weight,
                    "answer_threshold": threshold,
                    "suggest_threshold": suggest,
                },
                "ngrams": features_json(trained.features),
                "bias": [round(float(v), 6) for v in trained.bias],
                "dense": pack(trained.dense, "float32"),
                "sparse": pack(trained.sparse, "float16"),
            },
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"written to {OUT}")


if __name__ == "__main__":
    main()
