"""How text becomes comparable: the matching configuration (`knowledge/matching.yaml`) and the
`Analyzer` that turns FAQ phrasings and member questions alike into stemmed content tokens
(normalise -> slang/synonym map -> words -> stop words out -> Snowball stems).

The matcher (`bot.core.matcher`) scores with these tokens; `phrasing_key` tells moderators when
two phrasings are the same question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import snowballstemmer

from bot.core.text import normalise, words

STEM_CACHE_SIZE = 200_000
# FAQ texts (phrasings, answers) whose analysis is remembered across rebuilds: a FAQ of a few
# thousand entries, its drafts and some churn.
INDEXED_CACHE_SIZE = 60_000


@dataclass(frozen=True)
class MatchingConfig:
    synonyms: dict[str, str]
    stopwords: frozenset[str]
    # Everyday English words ("good", "take", "time"): rare in a small FAQ, so plain IDF would
    # overrate them; they count at `generic_weight` of their IDF instead.
    generic_words: frozenset[str]
    generic_weight: float
    answer_threshold: float  # 0-100: at or above, answer
    suggest_threshold: float  # 0-100: candidates at or above may be offered as "did you mean"
    suggest_margin: float  # 0-100: runner-ups this close to the best are offered too
    # With a model of meaning: score = weight * lexical + (1 - weight) * 100 * cosine, and its
    # own thresholds (the scale differs from lexical-only). Calibrated, never guessed.
    semantic_weight: float = 0.5
    semantic_answer_threshold: float = 50.0
    semantic_suggest_threshold: float = 40.0
    # Added to entries about a subject the question names ("maeng da for depression?" is a
    # kratom question before it is a depression one).
    subject_bonus: float = 0.0
    # What entries are about: subject -> words that name it. An entry tagged with a subject is
    # about it; a question that names subjects, not the entry's first one, never gets that entry
    # ("phenibut withdrawal" is not a kratom question).
    subjects: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Analyzer:
    """Turns text into stemmed content tokens; shared by index and queries."""

    config: MatchingConfig
    _synonym_re: re.Pattern[str] | None = field(init=False, default=None)
    _stemmer: Any = field(init=False)
    # Snowball is pure Python and the same words recur endlessly: memoise (bounded).
    _stems: dict[str, str] = field(init=False, default_factory=dict)
    # Rebuilding the index after one edit re-analyses only the texts that changed: at 2,000
    # entries a rebuild holds the GIL (and the answering thread waits) ~0.3 s instead of ~2 s.
    _indexed: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = field(
        init=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._stemmer = snowballstemmer.stemmer("english")
        if self.config.synonyms:
            phrases = sorted(self.config.synonyms, key=len, reverse=True)
            self._synonym_re = re.compile(
                r"(?<![\w-])(" + "|".join(re.escape(p) for p in phrases) + r")(?![\w-])"
            )

    def canonical(self, text: str) -> str:
        """Normalised text with slang and synonyms rewritten to the FAQ's own words."""
        return self.rewrite(normalise(text))

    def rewrite(self, normalised: str) -> str:
        """`canonical` for text that is already normalised (the engine normalises once)."""
        text = normalised.replace("'", "")
        if self._synonym_re is not None:
            text = self._synonym_re.sub(lambda m: self.config.synonyms[m.group(1)], text)
        return text

    def raw_tokens(self, canonical: str) -> list[str]:
        return [
            w
            for w in words(canonical.replace("-", " "))
            if w not in self.config.stopwords and len(w) > 1
        ]

    def indexed(self, text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """A FAQ text's canonical form, content tokens and their stems (remembered; for the
        index only, never for members' messages)."""
        found = self._indexed.get(text)
        if found is None:
            canonical = self.canonical(text)
            raw = tuple(self.raw_tokens(canonical))
            found = (canonical, raw, tuple(self.stem(t) for t in raw))
            if len(self._indexed) >= INDEXED_CACHE_SIZE:
                self._indexed.clear()
            self._indexed[text] = found
        return found

    def stem(self, token: str) -> str:
        found = self._stems.get(token)
        if found is None:
            found = str(self._stemmer.stemWord(token))
            if len(self._stems) < STEM_CACHE_SIZE:
                self._stems[token] = found
        return found


# One Analyzer per config (building one compiles the whole synonym map): kept by identity,
# with the config itself, so an id is never reused while its entry is here.
_ANALYZERS: dict[int, tuple[MatchingConfig, Analyzer]] = {}


def analyzer_for(config: MatchingConfig) -> Analyzer:
    found = _ANALYZERS.get(id(config))
    if found is None or found[0] is not config:
        if len(_ANALYZERS) >= 8:
            _ANALYZERS.clear()
        found = _ANALYZERS[id(config)] = (config, Analyzer(config))
    return found[1]


def phrasing_key(text: str, config: MatchingConfig | None = None) -> str:
    """The form two phrasings must differ in to count as different (used by kb check)."""
    canonical = analyzer_for(config).canonical(text) if config else normalise(text)
    return " ".join(words(canonical))
