"""The safety screen: crisis detection and clinical routing, run before any matching.

Rules are data (`knowledge/safety.yaml`) so a community can extend them without code. Each rule
is a regular expression over normalised text, optionally qualified:

- `requires`: another pattern that must also match somewhere (e.g. a personal reference);
- `unless`: patterns that veto the rule (e.g. informational framing, "can you overdose on ...").

Benign idioms ("this homework is killing me") are masked out before crisis rules run, and every
decision records which rules fired so a moderator can see why the bot said what it said. When in
doubt the screen errs towards crisis: a false alarm is cheap, a missed crisis is not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.crisis_model import Assessment
from bot.core.reply import CrisisType

# When several crisis types fire, the reply leads with the most time-critical one.
CRISIS_PRIORITY = (
    CrisisType.MEDICAL_EMERGENCY,
    CrisisType.SELF_HARM,
    CrisisType.ABUSE,
    CrisisType.VIOLENCE,
)
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "$": "s", "@": "a", "!": "i"}
)
_SPACED_LETTERS = re.compile(r"\b(?:[a-z] ){2,}[a-z]\b")
_PUNCT_RUNS = re.compile(r"[^\w\s']+")


@dataclass(frozen=True)
class Rule:
    id: str
    pattern: re.Pattern[str]
    requires: re.Pattern[str] | None = None
    unless: tuple[re.Pattern[str], ...] = ()
    crisis: CrisisType | None = None  # crisis rules only
    resources: str | None = None  # sensitive rules only: which resource kind to attach

    def fires(self, text: str) -> bool:
        if not self.pattern.search(text):
            return False
        if self.requires is not None and not self.requires.search(text):
            return False
        return not any(u.search(text) for u in self.unless)


@dataclass(frozen=True)
class SafetyConfig:
    safety_note: str
    clinical_pointer: str
    no_match_message: str
    crisis_messages: dict[CrisisType, str]
    # Leads an answer when the classifier says "possibly a crisis" (its middle band).
    check_in_messages: dict[CrisisType, str]
    benign: tuple[Rule, ...]
    crisis: tuple[Rule, ...]
    clinical: tuple[Rule, ...]
    sensitive: tuple[Rule, ...]
    # A rule's crisis in a sentence that holds it at a distance is demoted to a check-in: the
    # member still sees the crisis lines, but no alarm. The classifier can overrule this.
    # Distance is the resolved past, fiction or a question about a word with nothing of the
    # present in the sentence ("i was suicidal in 2019", "what does unalive mean"), or a denial
    # that no contrast turns back ("i dont want to die, i just want this week over").
    distance: tuple[Rule, ...] = ()
    present: tuple[Rule, ...] = ()
    denial: tuple[Rule, ...] = ()
    contrast: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Screening:
    crisis_types: tuple[CrisisType, ...]  # most urgent first; empty when no crisis
    clinical: bool
    sensitive_resources: tuple[str, ...]  # resource kinds worth attaching to an answer
    fired: tuple[str, ...]  # rule ids, prefixed by rule family, in the order they fired
    possible: CrisisType | None = None  # the classifier's middle band, when no crisis
    model_score: float | None = None  # the classifier's P(crisis), when a model ran

    @property
    def crisis(self) -> CrisisType | None:
        return self.crisis_types[0] if self.crisis_types else None


def _variants(normalised: str) -> list[str]:
    """The text as typed, plus de-obfuscated forms: leetspeak, spaced-out letters, punctuation."""
    out = [normalised]
    depunct = _PUNCT_RUNS.sub(" ", normalised)
    leet = " ".join(
        word.translate(_LEET) if any(c.isalpha() for c in word) else word
        for word in normalised.split()
    )
    squashed = _SPACED_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), depunct)
    for variant in (depunct, leet, squashed):
        if variant != normalised and variant not in out:
            out.append(variant)
    return out


def _masked(text: str, config: SafetyConfig, fired: list[str]) -> list[str]:
    """The text's variants with benign idioms ("this homework is killing me") blanked out."""
    masked: list[str] = []
    for variant in _variants(text):
        for rule in config.benign:
            if rule.fires(variant):
                variant = rule.pattern.sub(" ", variant)
                if f"benign:{rule.id}" not in fired:
                    fired.append(f"benign:{rule.id}")
        masked.append(variant)
    return masked


def _at_distance(unit: str, config: SafetyConfig) -> bool:
    """The unit places what it says at a distance (the resolved past, fiction, a question about
    a word) and nothing in it speaks of now ("i was suicidal in 2019" - yes; "in 2019 i tried,
    and its back again" - no), or it denies it and nothing turns back ("not suicidal, just
    tired" - yes; "i dont want to die but the pills are right here" - no)."""
    past = any(r.fires(unit) for r in config.distance) and not any(
        r.fires(unit) for r in config.present
    )
    denied = any(r.fires(unit) for r in config.denial) and not any(
        r.fires(unit) for r in config.contrast
    )
    return past or denied


def screen(
    normalised: str,
    config: SafetyConfig,
    segments: Sequence[str] = (),
    assessment: Assessment | None = None,
) -> Screening:
    """Screen already-normalised text (see `bot.core.text.normalise`).

    Crisis rules run on the whole text and on each segment (a crisis sentence buried in a long
    question is still a crisis, and a veto elsewhere in the post must not hide it). The
    classifier's `assessment`, when a model ran, adds what the rules missed.
    """
    fired: list[str] = []
    # Each unit is screened alone: the whole message, and each sentence of a long one.
    units = [normalised, *segments]
    texts = [_masked(unit, config, fired) for unit in units]

    found: set[CrisisType] = set()
    distant: set[CrisisType] = set()  # found only in units that hold it at a distance
    for rule in config.crisis:
        hits = [i for i, variants in enumerate(texts) if any(rule.fires(v) for v in variants)]
        if not hits:
            continue
        assert rule.crisis is not None
        # A hit in a sentence counts on its own; the whole message only when no sentence has it.
        units_hit = [i for i in hits if i > 0] or hits
        near = [i for i in units_hit if not _at_distance(units[i], config)]
        fired.append(f"crisis:{rule.id}" if near else f"distant:{rule.id}")
        (found if near else distant).add(rule.crisis)
    possible: CrisisType | None = None
    if assessment is not None and assessment.level != "none":
        fired.append(f"model:{assessment.crisis_type.value}:{assessment.score:.2f}")
        if assessment.level == "crisis" and not found:
            found.add(assessment.crisis_type)  # a rule's type, when one fired, is the surer one
        elif not found:
            possible = assessment.crisis_type
    if not found and distant:
        possible = next(t for t in CRISIS_PRIORITY if t in distant)
    crisis_types = tuple(t for t in CRISIS_PRIORITY if t in found)

    clinical = False
    for rule in config.clinical:
        if rule.fires(normalised):
            fired.append(f"clinical:{rule.id}")
            clinical = True

    sensitive: list[str] = []
    for rule in config.sensitive:
        if rule.fires(normalised):
            fired.append(f"sensitive:{rule.id}")
            if rule.resources and rule.resources not in sensitive:
                sensitive.append(rule.resources)
    return Screening(
        crisis_types,
        clinical,
        tuple(sensitive),
        tuple(fired),
        possible,
        assessment.score if assessment is not None else None,
    )
