"""Calibrate the matcher's thresholds on the dev set's TUNING split (never the held-out one).

.venv/bin/python -m tests.bench.calibrate           # print the calibrated values
.venv/bin/python -m tests.bench.calibrate --write   # also write them to knowledge/matching.yaml
"""

from __future__ import annotations

import re
import sys

from bot.config import SHIPPED_KNOWLEDGE
from bot.core.matcher import Matcher
from bot.knowledge.loader import load_knowledge
from tests.matcher_metrics import HELD_OUT, TUNING, calibrate, evaluate, load_devset


def main() -> None:
    loaded = load_knowledge(SHIPPED_KNOWLEDGE)
    matcher = Matcher(loaded.entries, loaded.matching)

    def rank(text: str) -> list[tuple[str, float]]:
        return [(c.entry_id, c.score) for c in matcher.score_all(text)]

    tuning = load_devset(TUNING)
    threshold, result = calibrate(rank, tuning)
    # "Did you mean" should mostly stay quiet on chatter: offer suggestions only above the score
    # that 80% of off-topic tuning messages stay below (90% left almost no room below the
    # answer threshold, so near-misses got no suggestions at all).
    off_topic_best = sorted(
        (rank(i.text)[:1] or [("", 0.0)])[0][1] for i in tuning if not i.answers
    )
    suggest = round(off_topic_best[int(len(off_topic_best) * 0.8)], 1)
    print(
        f"answer_threshold {threshold} (tuning: top-1 {result.top1_rate:.1%}, "
        f"abstention {result.abstention_rate:.1%}); suggest_threshold {suggest}"
    )
    held = evaluate(rank, load_devset(HELD_OUT), threshold)
    print(f"held-out with these: top-1 {held.top1_rate:.1%}, abstention {held.abstention_rate:.1%}")
    if "--write" in sys.argv:
        path = SHIPPED_KNOWLEDGE / "matching.yaml"
        text = path.read_text()
        text = re.sub(r"(?m)^answer_threshold: .*$", f"answer_threshold: {threshold}", text)
        text = re.sub(r"(?m)^suggest_threshold: .*$", f"suggest_threshold: {suggest}", text)
        path.write_text(text)
        print(f"written to {path}")


if __name__ == "__main__":
    main()
