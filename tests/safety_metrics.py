"""Scoring the safety screen against labelled messages (shared by the test and the benchmark)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core.safety import SafetyConfig, screen
from bot.core.text import normalise

DATA = Path(__file__).resolve().parent / "data"
DEVSET_FILES = ("safety_devset.yaml", "safety_fresh.yaml")
CRISIS_GROUPS = ("self_harm", "medical_emergency", "abuse", "violence")


@dataclass
class SafetyScore:
    crisis_total: int = 0
    crisis_caught: int = 0
    crisis_right_type: int = 0
    benign_total: int = 0
    benign_flagged: int = 0
    clinical_total: int = 0
    clinical_caught: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def crisis_recall(self) -> float:
        return self.crisis_caught / self.crisis_total if self.crisis_total else float("nan")

    @property
    def type_accuracy(self) -> float:
        return self.crisis_right_type / self.crisis_total if self.crisis_total else float("nan")

    @property
    def false_crisis_rate(self) -> float:
        return self.benign_flagged / self.benign_total if self.benign_total else float("nan")

    @property
    def clinical_recall(self) -> float:
        return self.clinical_caught / self.clinical_total if self.clinical_total else float("nan")


def load_labelled(files: tuple[str, ...] = DEVSET_FILES) -> list[tuple[str, str]]:
    """(group, message) pairs from the labelled files."""
    out: list[tuple[str, str]] = []
    for name in files:
        for group, messages in yaml.safe_load((DATA / name).read_text()).items():
            out.extend((group, str(m)) for m in messages)
    return out


def score(config: SafetyConfig, labelled: list[tuple[str, str]]) -> SafetyScore:
    result = SafetyScore()
    for group, message in labelled:
        found = screen(normalise(message), config)
        if group in CRISIS_GROUPS:
            result.crisis_total += 1
            if found.crisis is None:
                result.failures.append(f"MISSED {group}: {message!r}")
                continue
            result.crisis_caught += 1
            if found.crisis.value == group:
                result.crisis_right_type += 1
            else:
                result.failures.append(f"TYPE {found.crisis.value} for {group}: {message!r}")
            continue
        result.benign_total += 1
        if found.crisis is not None:
            result.benign_flagged += 1
            result.failures.append(f"FALSE ALARM {found.fired}: {message!r}")
        if group == "clinical":
            result.clinical_total += 1
            if found.clinical:
                result.clinical_caught += 1
            else:
                result.failures.append(f"CLINICAL MISSED: {message!r}")
    return result
