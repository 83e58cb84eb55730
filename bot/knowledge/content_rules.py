"""The FAQ's hard content rules, checked on every entry however it arrives (YAML, form, import).

No reply gives a dose, presents kratom as a treatment, or describes a suicide method (safe
messaging). These are patterns, so they err on the side of refusing: a moderator rephrases.
"""

from __future__ import annotations

import re

DOSE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:-|to)?\s*\d*\s*(?:mg|g|gs|grams?|mcg|µg|ml|milligrams?|micrograms?"
    r"|tablets?|capsules?|caps|pills?|teaspoons?|tsp|tablespoons?|tbsp|doses?)\b",
    re.IGNORECASE,
)
SUICIDE_METHODS = re.compile(
    r"\b(?:hang(?:ing|ed)?|noose|rope|jump(?:ing|ed)? (?:off|from)|bridge|guns?|firearms?|shoot"
    r"|slit|wrists?|razors?|blades?|lethal (?:dose|amount)|carbon monoxide|suffocat\w*|drown\w*"
    r"|in front of a train|bleach|how many pills)\b",
    re.IGNORECASE,
)
TREATMENT_CLAIM = re.compile(
    r"\b(?:treat|treats|treatment|alternative|remedy|cure|cures|effective|recommend\w*"
    r"|helps? with)\b",
    re.IGNORECASE,
)
NEGATION = re.compile(
    r"\b(?:no|not|isn't|hasn't|haven't|aren't|don't|doesn't|nor|never|unproven|warn\w*|without)\b",
    re.IGNORECASE,
)


def content_problems(answer: str) -> list[str]:
    """Why an answer breaks a hard rule (empty when it is fine)."""
    problems = []
    if found := DOSE.search(answer):
        problems.append(f"must not give amounts or doses ({found.group(0)!r})")
    if found := SUICIDE_METHODS.search(answer):
        problems.append(
            f"must not mention suicide or self-harm methods ({found.group(0)!r}; safe messaging)"
        )
    if "committed suicide" in answer.lower():
        problems.append('say "died by suicide", not "committed suicide" (safe messaging)')
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", answer):
        lowered = sentence.lower()
        if "kratom" not in lowered or not TREATMENT_CLAIM.search(sentence):
            continue
        if re.search(r"treat\w* kratom|kratom (?:dependence|use disorder)", lowered):
            continue  # treating kratom dependence is not kratom as a treatment
        if not NEGATION.search(sentence):
            problems.append(
                f"must not present kratom as a treatment (no evidence supports it): {sentence!r}"
            )
    return problems
