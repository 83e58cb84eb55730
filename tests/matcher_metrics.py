"""Scoring a matcher on the labelled dev set (shared by the tests, calibration and benchmark)."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

DEVSET = Path(__file__).resolve().parent / "data" / "matcher_devset.yaml"
# Member-style questions: entry id -> style -> questions (a question may be {text, also});
# `off_topic` -> kind -> messages. Files under round*/ were written after the first results
# and are always held out.
MEMBER_DIR = Path(__file__).resolve().parent / "data" / "member"
STYLES = ("short", "slang", "long", "other_person", "non_native")
HELD_OUT, TUNING = "held_out", "tuning"


@dataclass(frozen=True)
class Labelled:
    text: str
    answers: frozenset[str]  # empty for off-topic messages
    always_held_out: bool = False
    style: str = "unstyled"  # one of STYLES for member-style data; the off-topic kind otherwise

    @property
    def split(self) -> str:
        if self.always_held_out:
            return HELD_OUT
        # A stable hash (not Python's salted hash) so the split never changes between runs.
        return HELD_OUT if zlib.crc32(self.text.encode()) % 3 == 0 else TUNING


def load_devset(split: str | None = None, round2_only: bool = False) -> list[Labelled]:
    data = yaml.safe_load(DEVSET.read_text())
    also: dict[str, list[str]] = data.get("also") or {}
    items: list[Labelled] = []
    for section, held in (("questions", False), ("questions_held_out", True)):
        items += [
            Labelled(q, frozenset([entry_id, *also.get(q, [])]), held)
            for entry_id, questions in (data.get(section) or {}).items()
            for q in questions
        ]
    for section, held in (("off_topic", False), ("off_topic_held_out", True)):
        items += [Labelled(str(q), frozenset(), held) for q in data.get(section) or []]
    items += load_member_questions()
    items = [i for i in items if not round2_only or i.always_held_out]
    return [i for i in items if split is None or i.split == split]


def load_member_questions() -> list[Labelled]:
    items: list[Labelled] = []
    files = [*sorted(MEMBER_DIR.glob("*.yaml")), *sorted(MEMBER_DIR.glob("round*/*.yaml"))]
    for path in files:
        held = path.parent.name.startswith("round")
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, styles in data.items():
            for style, questions in (styles or {}).items():
                for q in questions or []:
                    text, also = (
                        (q["text"], q.get("also") or []) if isinstance(q, dict) else (q, ())
                    )
                    answers = frozenset() if key == "off_topic" else frozenset([key, *also])
                    items.append(Labelled(str(text), answers, held, str(style)))
    return items


# A ranker returns (entry_id, score 0-100) best first; the threshold decides abstention.
Ranker = Callable[[str], Sequence[tuple[str, float]]]


@dataclass
class MatchScore:
    in_domain: int = 0
    top1: int = 0  # answered (above threshold) with a right entry
    ranked_first: int = 0  # right entry ranked first, threshold ignored
    reciprocal_rank: float = 0.0
    off_topic: int = 0
    abstained: int = 0
    wrong: int = 0  # in-domain questions answered (above threshold) with a wrong entry

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.in_domain

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.in_domain

    @property
    def ranked_first_rate(self) -> float:
        return self.ranked_first / self.in_domain

    @property
    def mrr(self) -> float:
        return self.reciprocal_rank / self.in_domain

    @property
    def abstention_rate(self) -> float:
        return self.abstained / self.off_topic


def evaluate(rank: Ranker, items: list[Labelled], threshold: float) -> MatchScore:
    result = MatchScore()
    for item in items:
        ranked = list(rank(item.text))
        answered = bool(ranked) and ranked[0][1] >= threshold
        if not item.answers:
            result.off_topic += 1
            result.abstained += not answered
            continue
        result.in_domain += 1
        ids = [entry_id for entry_id, _ in ranked]
        if ids and ids[0] in item.answers:
            result.ranked_first += 1
            result.top1 += answered
        elif answered:
            result.wrong += 1
        for position, entry_id in enumerate(ids[:10], start=1):
            if entry_id in item.answers:
                result.reciprocal_rank += 1 / position
                break
    return result


def calibrate(rank: Ranker, items: list[Labelled]) -> tuple[float, MatchScore]:
    """The threshold that maximises top-1 + abstention (both must be high) on `items`."""
    ranked = [(item, list(rank(item.text))) for item in items]
    best: tuple[float, float, MatchScore] | None = None
    for step in range(0, 1001):
        threshold = step / 10
        result = evaluate(
            lambda text, _c={i.text: r for i, r in ranked}: _c[text], items, threshold
        )
        objective = (
            min(result.top1_rate, result.abstention_rate)
            + (result.top1_rate + result.abstention_rate) / 100
            - max(0.0, result.wrong_rate - 0.02)
        )
        if best is None or objective > best[0]:
            best = (objective, threshold, result)
    assert best is not None
    return best[1], best[2]


def entry_training_hash(phrasings: dict[str, list[str]], negatives: list[str]) -> str:
    """What the shipped entry classifier learnt from: the FAQ's phrasings, the TUNING split's
    questions and the negatives. Retrain (tests/bench/train_matcher.py) when this changes."""
    import hashlib
    import json

    tuning = sorted((i.text, sorted(i.answers)) for i in load_devset(TUNING))
    blob = json.dumps([sorted(phrasings.items()), tuning, sorted(negatives)], ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()
