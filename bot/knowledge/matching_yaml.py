"""Reading `knowledge/matching.yaml` into the core's `MatchingConfig`: synonyms, stop words and
thresholds (the matcher itself is in `bot.core.matcher`). Words are normalised here as the
matcher normalises questions, so both sides meet."""

from __future__ import annotations

from typing import Any

from bot.core.analysis import MatchingConfig
from bot.core.text import normalise
from bot.knowledge.yamlsource import Located, Problem, Problems, read_mapping


def parse_matching(src: Located) -> tuple[MatchingConfig | None, list[Problem]]:
    return read_mapping(src, _matching)


def _matching(data: dict[str, Any], problem: Problems) -> MatchingConfig | None:
    synonyms: dict[str, str] = {}
    raw_synonyms = data.get("synonyms") or {}
    if not isinstance(raw_synonyms, dict):
        problem(("synonyms",), "must map a canonical word to the list of words that mean it")
        raw_synonyms = {}
    for canonical, variants in raw_synonyms.items():
        if not isinstance(variants, list) or not all(
            isinstance(v, str | int | float) for v in variants
        ):
            problem(("synonyms", canonical), "must be a list of words or phrases")
            continue
        target = normalise(str(canonical)).replace("'", "")
        for variant in variants:
            key = normalise(str(variant)).replace("'", "")
            if key in synonyms and synonyms[key] != target:
                problem(
                    ("synonyms", canonical),
                    f"{variant!r} is already a synonym of {synonyms[key]!r}",
                )
            synonyms[key] = target
    stopwords = data.get("stopwords") or []
    if not isinstance(stopwords, list):
        problem(("stopwords",), "must be a list of words")
        stopwords = []
    generic = data.get("generic_words") or []
    if not isinstance(generic, list):
        problem(("generic_words",), "must be a list of words")
        generic = []
    thresholds: dict[str, float] = {}
    weight = data.get("generic_weight", 0.3)
    if not isinstance(weight, int | float) or not 0 <= weight <= 1:
        problem(("generic_weight",), "must be a number from 0 to 1")
        weight = 0.3
    for key in ("answer_threshold", "suggest_threshold", "suggest_margin"):
        value = data.get(key)
        if not isinstance(value, int | float) or not 0 <= value <= 100:
            problem((key,), "must be a number from 0 to 100")
        else:
            thresholds[key] = float(value)
    semantic_raw = data.get("semantic") or {}
    semantic: dict[str, float] = {}
    if not isinstance(semantic_raw, dict):
        problem(("semantic",), "must be a mapping (weight, answer_threshold, suggest_threshold)")
        semantic_raw = {}
    for key, name, top in (
        ("weight", "semantic_weight", 1),
        ("answer_threshold", "semantic_answer_threshold", 100),
        ("suggest_threshold", "semantic_suggest_threshold", 100),
        ("subject_bonus", "subject_bonus", 100),
    ):
        value = semantic_raw.get(key)
        if value is None:
            continue
        if not isinstance(value, int | float) or not 0 <= value <= top:
            problem(("semantic", key), f"must be a number from 0 to {top}")
        else:
            semantic[name] = float(value)
    subjects: dict[str, tuple[str, ...]] = {}
    raw_subjects = data.get("subjects") or {}
    if not isinstance(raw_subjects, dict):
        problem(("subjects",), "must map a subject (an entry tag) to the words that name it")
        raw_subjects = {}
    for name, names in raw_subjects.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problem(("subjects", name), "must be a list of words or phrases")
            continue
        subjects[str(name)] = tuple(normalise(n) for n in names)
    if problem.found:
        return None
    return MatchingConfig(
        subjects=subjects,
        **semantic,
        synonyms=synonyms,
        stopwords=frozenset(normalise(str(w)).replace("'", "") for w in stopwords),
        generic_words=frozenset(normalise(str(w)).replace("'", "") for w in generic),
        generic_weight=float(weight),
        **thresholds,
    )
