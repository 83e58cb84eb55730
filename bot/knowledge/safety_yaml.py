"""Reading `knowledge/safety.yaml` into the core's `SafetyConfig` (the screen itself is in
`bot.core.safety`).

A rule pattern may use named fragments (`<<personal>>`), defined under `fragments:` and expanded
here, so the core receives compiled regular expressions only.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.reply import CrisisType
from bot.core.safety import Rule, SafetyConfig
from bot.knowledge.schema import MENTION_PATTERN
from bot.knowledge.yamlsource import Located, Problem, Problems, read_mapping

_FRAGMENT = re.compile(r"<<([a-z_]+)>>")
TEXT_FIELDS = ("safety_note", "clinical_pointer", "no_match_message")
RULE_FAMILIES = (
    "benign",
    "crisis",
    "clinical",
    "sensitive",
    "distance",
    "present",
    "denial",
    "contrast",
)


def parse_safety(src: Located) -> tuple[SafetyConfig | None, list[Problem]]:
    return read_mapping(src, _safety)


def _safety(data: dict[str, Any], problem: Problems) -> SafetyConfig | None:

    def text_at(path: tuple[str, ...], value: Any) -> str | None:
        """Required text without mentions, or None (and a problem)."""
        if not isinstance(value, str) or not value.strip():
            problem(path, "is required text")
        elif MENTION_PATTERN.search(value):
            problem(path, "must not contain mentions")
        else:
            return value.strip()
        return None

    def per_crisis_type(key: str) -> dict[CrisisType, str]:
        raw = data.get(key) or {}
        found: dict[CrisisType, str] = {}
        for crisis in CrisisType:
            value = raw.get(crisis.value) if isinstance(raw, dict) else None
            if (text := text_at((key, crisis.value), value)) is not None:
                found[crisis] = text
        return found

    texts: dict[str, str] = {}
    for key in TEXT_FIELDS:
        if (text := text_at((key,), data.get(key))) is not None:
            texts[key] = " ".join(text.split())
    messages = per_crisis_type("crisis_messages")
    check_ins = per_crisis_type("check_in_messages")

    fragments: dict[str, str] = {}
    raw_fragments = data.get("fragments") or {}
    if not isinstance(raw_fragments, dict):
        problem(("fragments",), "must map names to regular expressions")
        raw_fragments = {}
    for name, value in raw_fragments.items():
        # A fragment may use fragments defined above it; store it fully expanded.
        if not isinstance(value, str):
            problem(("fragments", name), "must be a regular expression")
            continue
        compiled = _compile(value, fragments, ("fragments", name), problem)
        if compiled is not None:
            fragments[str(name)] = compiled.pattern

    families: dict[str, list[Rule]] = {family: [] for family in RULE_FAMILIES}
    seen_ids: set[str] = set()
    for family in RULE_FAMILIES:
        raw_rules = data.get(family) or []
        if not isinstance(raw_rules, list):
            problem((family,), "must be a list of rules")
            continue
        for i, raw in enumerate(raw_rules):
            rule = _parse_rule(family, raw, (family, i), fragments, problem)
            if rule is None:
                continue
            if rule.id in seen_ids:
                problem((family, i, "id"), f"duplicate rule id {rule.id!r}")
                continue
            seen_ids.add(rule.id)
            families[family].append(rule)
    if not families["crisis"]:
        problem(("crisis",), "at least one crisis rule is required")
    if problem.found:
        return None
    return SafetyConfig(
        safety_note=texts["safety_note"],
        clinical_pointer=texts["clinical_pointer"],
        no_match_message=texts["no_match_message"],
        crisis_messages=messages,
        check_in_messages=check_ins,
        benign=tuple(families["benign"]),
        crisis=tuple(families["crisis"]),
        clinical=tuple(families["clinical"]),
        sensitive=tuple(families["sensitive"]),
        distance=tuple(families["distance"]),
        present=tuple(families["present"]),
        denial=tuple(families["denial"]),
        contrast=tuple(families["contrast"]),
    )


def _compile(
    pattern: str, fragments: dict[str, str], path: tuple[str | int, ...], problem: Problems
) -> re.Pattern[str] | None:
    missing = [m for m in _FRAGMENT.findall(pattern) if m not in fragments]
    if missing:
        problem(path, f"unknown fragment <<{missing[0]}>>")
        return None
    expanded = _FRAGMENT.sub(lambda m: f"(?:{fragments[m.group(1)]})", pattern)
    try:
        return re.compile(expanded)
    except re.error as exc:
        problem(path, f"invalid regular expression: {exc}")
        return None


def _parse_rule(
    family: str,
    raw: Any,
    path: tuple[str | int, ...],
    fragments: dict[str, str],
    problem: Problems,
) -> Rule | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        problem(path, "a rule needs at least an id and a pattern")
        return None
    allowed = {"id", "pattern", "requires", "unless", "type", "resources", "note"}
    for key in raw:
        if key not in allowed:
            problem((*path, key), f"unknown field (allowed: {', '.join(sorted(allowed))})")
    if not isinstance(raw.get("pattern"), str):
        problem((*path, "pattern"), "is required")
        return None
    pattern = _compile(raw["pattern"], fragments, (*path, "pattern"), problem)
    requires = None
    if raw.get("requires") is not None:
        requires = _compile(str(raw["requires"]), fragments, (*path, "requires"), problem)
    unless_raw = raw.get("unless") or []
    if isinstance(unless_raw, str):
        unless_raw = [unless_raw]
    unless = [
        _compile(str(u), fragments, (*path, "unless", j), problem) for j, u in enumerate(unless_raw)
    ]
    crisis = None
    if family == "crisis":
        try:
            crisis = CrisisType(str(raw.get("type")))
        except ValueError:
            problem((*path, "type"), f"must be one of {', '.join(t.value for t in CrisisType)}")
            return None
    resources = raw.get("resources")
    if pattern is None or any(u is None for u in unless) or (raw.get("requires") and not requires):
        return None
    return Rule(
        id=raw["id"],
        pattern=pattern,
        requires=requires,
        unless=tuple(u for u in unless if u is not None),
        crisis=crisis,
        resources=str(resources) if resources else None,
    )
