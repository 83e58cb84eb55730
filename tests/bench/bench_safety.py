"""Safety screen benchmark: accuracy on the labelled sets and time per message.

Run on demand: .venv/bin/python -m tests.bench.bench_safety
"""

from __future__ import annotations

import statistics
import time

from bot.config import SHIPPED_KNOWLEDGE
from bot.core.safety import screen
from bot.core.text import normalise
from bot.knowledge.loader import load_knowledge
from tests.safety_metrics import load_labelled, score

ROUNDS = 20


def main() -> None:
    config = load_knowledge(SHIPPED_KNOWLEDGE).safety
    labelled = load_labelled()
    for files, name in (
        (("safety_devset.yaml",), "dev set"),
        (("safety_fresh.yaml",), "fresh"),
        (None, "all"),
    ):
        result = score(config, load_labelled(files) if files else labelled)
        print(
            f"{name:8} crisis recall {result.crisis_caught}/{result.crisis_total} "
            f"({result.crisis_recall:.1%}), type {result.type_accuracy:.1%}, "
            f"false crisis {result.benign_flagged}/{result.benign_total} "
            f"({result.false_crisis_rate:.1%}), clinical recall {result.clinical_recall:.1%}"
        )
    timings: list[float] = []
    for _ in range(ROUNDS):
        for _, message in labelled:
            start = time.perf_counter()
            screen(normalise(message), config)
            timings.append(time.perf_counter() - start)
    timings.sort()
    long_message = "i have been feeling low and " * 150  # ~4,000 characters
    long_times = []
    for _ in range(50):
        start = time.perf_counter()
        screen(normalise(long_message), config)
        long_times.append(time.perf_counter() - start)
    print(
        f"time per message (normalise + screen), {len(timings)} runs: "
        f"median {statistics.median(timings) * 1000:.3f} ms, "
        f"p99 {timings[int(len(timings) * 0.99)] * 1000:.3f} ms; "
        f"4,000-character message: median {statistics.median(long_times) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
