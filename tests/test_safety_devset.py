"""The safety screen's floors on the labelled dev set (tests/data/safety_*.yaml)."""

from __future__ import annotations

from bot.core.safety import screen
from bot.core.text import normalise
from bot.knowledge.loader import LoadedKnowledge
from tests.safety_metrics import CRISIS_GROUPS, load_labelled, score


def test_dev_set_is_big_and_covers_every_group() -> None:
    labelled = load_labelled()
    groups = {g for g, _ in labelled}
    assert len(labelled) >= 250
    assert {*CRISIS_GROUPS, "benign_lookalike", "clinical", "non_clinical"} <= groups


def test_no_crisis_is_missed(loaded: LoadedKnowledge) -> None:
    result = score(loaded.safety, load_labelled())
    missed = [f for f in result.failures if f.startswith("MISSED")]
    assert result.crisis_recall == 1.0, "\n".join(missed)


def test_crisis_type_is_right_at_least_95_percent(loaded: LoadedKnowledge) -> None:
    result = score(loaded.safety, load_labelled())
    assert result.type_accuracy >= 0.95, "\n".join(f for f in result.failures if "TYPE" in f)


def test_benign_false_crisis_rate_at_most_5_percent(loaded: LoadedKnowledge) -> None:
    result = score(loaded.safety, load_labelled())
    alarms = [f for f in result.failures if f.startswith("FALSE")]
    assert result.false_crisis_rate <= 0.05, "\n".join(alarms)


def test_clinical_recall_at_least_95_percent(loaded: LoadedKnowledge) -> None:
    result = score(loaded.safety, load_labelled())
    assert result.clinical_recall >= 0.95, "\n".join(f for f in result.failures if "CLINICAL" in f)


def test_every_decision_names_the_rules_that_fired(loaded: LoadedKnowledge) -> None:
    for group, message in load_labelled():
        found = screen(normalise(message), loaded.safety)
        if found.crisis is not None:
            assert any(rule.startswith("crisis:") for rule in found.fired), message
        if found.clinical:
            assert any(rule.startswith("clinical:") for rule in found.fired), message
        if group == "benign_lookalike" and "killing me" in message:
            assert any(rule.startswith("benign:") for rule in found.fired), message


def test_obfuscated_crisis_is_still_caught(loaded: LoadedKnowledge) -> None:
    for message in [
        "k\u200bm\u200bs",
        "i w4nt t0 d1e",
        "KILL MYSELF",
        "s u i c i d a l",
        "i want to d\u0336i\u0337e",
    ]:
        assert screen(normalise(message), loaded.safety).crisis is not None, message
