"""Calibrate the matcher on the dev sets' TUNING split (never the held-out one).

.venv/bin/python -m tests.bench.calibrate           # print the calibrated values
.venv/bin/python -m tests.bench.calibrate --write   # also write them to knowledge/matching.yaml

Lexical-only thresholds (the fallback without a model), then, with the model, the fusion weight
and thresholds: score = weight * lexical + (1 - weight) * 100 * cosine.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import replace

from bot.config import SHIPPED_KNOWLEDGE
from bot.core.engine import Engine
from bot.knowledge.loader import load_knowledge
from bot.runtime import knowledge_base
from tests.bench.vectors import cached_embedder
from tests.matcher_metrics import HELD_OUT, TUNING, Labelled, calibrate, evaluate, load_devset

Rank = Callable[[str], list[tuple[str, float]]]


def suggest_threshold(rank: Rank, tuning: list[Labelled]) -> float:
    # "Did you mean" should mostly stay quiet on chatter: offer suggestions only above the score
    # that 80% of off-topic tuning messages stay below.
    best = sorted((rank(i.text)[:1] or [("", 0.0)])[0][1] for i in tuning if not i.answers)
    return round(best[int(len(best) * 0.8)], 1)


def report(name: str, rank: Rank, threshold: float) -> None:
    for split in (TUNING, HELD_OUT):
        r = evaluate(rank, load_devset(split), threshold)
        print(
            f"  {name} {split}: top-1 {r.top1_rate:.1%}, ranked first {r.ranked_first_rate:.1%}, "
            f"abstention {r.abstention_rate:.1%}, wrong {r.wrong_rate:.1%}"
        )


def main() -> None:
    loaded = load_knowledge(SHIPPED_KNOWLEDGE)
    tuning = load_devset(TUNING)
    lexical = Engine(knowledge_base(loaded, loaded.entries))

    def rank_lexical(text: str) -> list[tuple[str, float]]:
        return [(c.entry_id, c.score) for c in lexical.matcher.rank(text)]

    # The lexical fallback is calibrated on the first dev set's questions (the kind it was built
    # for); on member-style questions its best threshold answers too much chatter.
    first_set = [i for i in tuning if i.style == "unstyled"]
    threshold, _ = calibrate(rank_lexical, first_set)
    suggest = suggest_threshold(rank_lexical, first_set)
    print(f"lexical: answer_threshold {threshold}, suggest_threshold {suggest}")
    report("lexical", rank_lexical, threshold)

    embedder = cached_embedder()
    # Weight and thresholds of the fusion itself, without the entry classifier on top
    # (tests/bench/train_matcher.py calibrates that, on this fusion).
    fused = Engine(replace(knowledge_base(loaded, loaded.entries), entry_classifier=None), embedder)
    readings = {i.text: fused.read(i.text) for i in load_devset()}
    embedder.save()
    best: tuple[float, float, float] | None = None
    for step in range(0, 11):
        weight = step / 20  # 0.0 .. 0.5
        fused.matcher.config = dataclasses_replace(fused.matcher.config, semantic_weight=weight)

        def rank_fused(text: str) -> list[tuple[str, float]]:
            r = readings[text]
            ranked = fused.matcher.rank(text, r.normalised, r.asking_vectors())
            return [(c.entry_id, c.score) for c in ranked]

        t, result = calibrate(rank_fused, tuning)
        objective = min(result.top1_rate, result.abstention_rate) - max(0, result.wrong_rate - 0.02)
        print(
            f"  weight {weight:.2f}: threshold {t}, top-1 {result.top1_rate:.1%}, "
            f"abstention {result.abstention_rate:.1%}, wrong {result.wrong_rate:.1%}"
        )
        if best is None or objective > best[0]:
            best = (objective, weight, t)
    assert best is not None
    _, weight, fused_threshold = best
    fused.matcher.config = dataclasses_replace(fused.matcher.config, semantic_weight=weight)

    def rank_best(text: str) -> list[tuple[str, float]]:
        r = readings.get(text) or fused.read(text)
        return [
            (c.entry_id, c.score)
            for c in fused.matcher.rank(text, r.normalised, r.asking_vectors())
        ]

    fused_suggest = min(suggest_threshold(rank_best, tuning), fused_threshold)
    print(f"fused: weight {weight}, answer_threshold {fused_threshold}, suggest {fused_suggest}")
    report("fused", rank_best, fused_threshold)
    if "--write" in sys.argv:
        path = SHIPPED_KNOWLEDGE / "matching.yaml"
        text = path.read_text()
        text = re.sub(r"(?m)^answer_threshold: .*$", f"answer_threshold: {threshold}", text)
        text = re.sub(r"(?m)^suggest_threshold: .*$", f"suggest_threshold: {suggest}", text)
        text = re.sub(r"(?m)^  weight: .*$", f"  weight: {weight}", text)
        text = re.sub(
            r"(?m)^  answer_threshold: .*$", f"  answer_threshold: {fused_threshold}", text
        )
        text = re.sub(
            r"(?m)^  suggest_threshold: .*$", f"  suggest_threshold: {fused_suggest}", text
        )
        path.write_text(text)
        print(f"written to {path}")


def dataclasses_replace(config, **changes):  # type: ignore[no-untyped-def]
    import dataclasses

    return dataclasses.replace(config, **changes)


if __name__ == "__main__":
    main()
