"""Safety screen benchmark: rules alone, classifier alone (n-grams; model + n-grams), both;
accuracy and time per message.

Run on demand: .venv/bin/python -m tests.bench.bench_safety

Accuracy is measured on the HELD-OUT split of the crisis corpus (tests/crisis_corpus.py), by
crisis type and by writing style, and separately on round 2 (written after the first results).
"Lines shown" counts crisis replies and check-ins (the possible-crisis band), which both put
the crisis lines in front of the member. Latency is the engine's whole `answer` (normalise,
segment, embed, screen, match, compose) on one thread, at about 20 and 300 words.
"""

from __future__ import annotations

import resource
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from bot.config import SHIPPED_KNOWLEDGE, default_cache_dir
from bot.core.crisis_model import Head
from bot.core.engine import Engine
from bot.core.safety import Screening
from bot.knowledge.loader import load_knowledge
from bot.runtime import knowledge_base
from bot.semantic import load_model
from tests.crisis_corpus import (
    CRISIS_TYPES,
    FAQ_GROUPS,
    HELD_OUT,
    LOOKALIKE_GROUPS,
    Message,
    load_corpus,
)

SHORT = "ok so quick question, does kratom show up on a standard drug test at work or not really"
LONG = " ".join([SHORT] * 17)  # ~300 words, 17 sentences


def table(name: str, decide: Callable[[Message], tuple[bool, bool]], msgs: list[Message]) -> None:
    caught, lines, total = Counter(), Counter(), Counter()
    for m in msgs:
        crisis, possible = decide(m)
        keys = [m.crisis or "", f"style:{m.style}"] if m.crisis else [m.group]
        for key in keys:
            total[key] += 1
            caught[key] += crisis
            lines[key] += crisis or possible
    crises = sum(total[t] for t in CRISIS_TYPES)
    hit = sum(caught[t] for t in CRISIS_TYPES)
    shown = sum(lines[t] for t in CRISIS_TYPES)
    look = sum(caught[g] for g in total if g in LOOKALIKE_GROUPS)
    n_look = sum(total[g] for g in total if g in LOOKALIKE_GROUPS)
    faq = sum(caught[g] for g in total if g in FAQ_GROUPS)
    n_faq = sum(total[g] for g in total if g in FAQ_GROUPS)
    print(
        f"  {name:14} recall {hit / crises:6.1%} (lines shown {shown / crises:6.1%}) | "
        + " ".join(f"{t} {caught[t] / total[t]:.0%}" for t in CRISIS_TYPES)
        + f" | false crisis: look-alikes {look / n_look:.1%}, faq questions {faq / n_faq:.1%}"
    )
    styles = sorted(k for k in total if k.startswith("style:"))
    print(
        "  "
        + " " * 14
        + " by style: "
        + ", ".join(f"{k[6:]} {caught[k] / total[k]:.0%}" for k in styles)
    )


def timed(engine: Engine, text: str, rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        engine.answer(text)
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.99)] * 1000


def main() -> None:
    loaded = load_knowledge(SHIPPED_KNOWLEDGE)
    rules = Engine(replace(knowledge_base(loaded, loaded.entries), classifier=None))
    text_only = Engine(knowledge_base(loaded, loaded.entries))  # no model: n-grams alone
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    model = load_model(default_cache_dir())
    assert model.embedder is not None, model.reason
    both = Engine(knowledge_base(loaded, loaded.entries), model.embedder)
    classifier = both.classifier
    assert classifier is not None

    held = load_corpus(HELD_OUT)
    screened: dict[str, tuple[Screening, Screening, Screening]] = {}
    for m in held:
        screened[m.text] = (
            rules.screen(rules.read(m.text)),
            text_only.screen(text_only.read(m.text)),
            both.screen(both.read(m.text)),
        )

    def decided(column: int) -> Callable[[Message], tuple[bool, bool]]:
        def decide(m: Message) -> tuple[bool, bool]:
            s = screened[m.text][column]
            return s.crisis is not None, s.possible is not None

        return decide

    def alone(column: int, head: Head) -> Callable[[Message], tuple[bool, bool]]:
        def decide(m: Message) -> tuple[bool, bool]:
            score = screened[m.text][column].model_score or 0.0
            return score >= head.crisis_threshold, score >= head.possible_threshold

        return decide

    for name, msgs in (
        ("held-out, all", held),
        ("round 2 only", [m for m in held if m.round2]),
    ):
        n = sum(1 for m in msgs if m.crisis)
        print(f"{name}: {n} crisis, {len(msgs) - n} other messages")
        table("rules alone", decided(0), msgs)
        table("n-grams alone", alone(1, classifier.text_only), msgs)
        table("rules+n-grams", decided(1), msgs)
        table("model alone", alone(2, classifier.with_model), msgs)
        table("rules + model", decided(2), msgs)

    for name, engine in (("rules alone", rules), ("no model", text_only), ("with model", both)):
        short = timed(engine, SHORT, 300)
        long = timed(engine, LONG, 100)
        print(
            f"{name}: answer() p50/p99 {short[0]:.1f}/{short[1]:.1f} ms at ~20 words, "
            f"{long[0]:.1f}/{long[1]:.1f} ms at ~300 words"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss_before:.0f} MB before the model, {rss:.0f} MB with it")


if __name__ == "__main__":
    main()
