"""Meaning, beside the rules: message segments, sentence embeddings and the FAQ's vector index.

The core never loads a model itself: an adapter hands it an `Embedder` (see `bot.semantic`), or
none, in which case everything here is skipped and the rules and the lexical matcher decide
alone. Each message is embedded once (whole) plus once per segment of a long post, and those
vectors are shared by the safety screen's classifier and the matcher.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bot.core.text import normalise

# A long post is screened and matched sentence by sentence as well as whole; a run-on sentence
# is cut into overlapping windows of words. Bounded, so no message costs more than this many
# model runs (the windows grow instead).
MAX_SEGMENTS = 8
WINDOW_WORDS = 24
MAX_NORMALISED = 60_000  # phrasings remembered by VectorCache: a FAQ of thousands, and churn
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n+\s*|(?<=[.!?])(?=[a-z])")
_QUESTION_START = re.compile(
    r"^(?:what|whats|how|hows|why|when|where|which|who|is|isnt|are|arent|am|can|cant|could|"
    r"should|would|will|wont|do|does|did|dont|doesnt|anyone|any|has|have|was|were|pls|please)\b"
)


class Embedder(Protocol):
    """A sentence-embedding model: text in, an L2-normalised float32 vector out."""

    name: str
    dim: int

    def embed(self, text: str) -> np.ndarray: ...


def _windows(words: list[str], size: int) -> list[str]:
    step = max(size * 2 // 3, 1)
    out = [" ".join(words[i : i + size]) for i in range(0, max(len(words) - size, 0) + 1, step)]
    if (len(words) - size) % step:
        out.append(" ".join(words[-size:]))
    return out


def segments(normalised: str) -> tuple[str, ...]:
    """The sentences of a message (long ones as word windows); () for a one-sentence message."""
    sentences = [s.strip() for s in _SENTENCE_END.split(normalised) if s and s.strip()]
    parts: list[str] = []
    for sentence in sentences:
        words = sentence.split()
        parts.extend(
            _windows(words, WINDOW_WORDS) if len(words) > WINDOW_WORDS * 5 // 4 else [sentence]
        )
    if len(parts) <= 1:
        return ()
    # Very long: at most MAX_SEGMENTS windows, side by side, over the whole text (the model's
    # cost grows with the words it reads, so no overlap here).
    if len(parts) > MAX_SEGMENTS:
        words = normalised.split()
        size = -(-len(words) // MAX_SEGMENTS)
        parts = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    return tuple(parts)


def is_question_like(segment: str) -> bool:
    return "?" in segment or bool(_QUESTION_START.match(segment))


@dataclass(frozen=True)
class Reading:
    """A message as the engine understands it: text, segments, and (with a model) vectors."""

    normalised: str
    segments: tuple[str, ...]
    # Row 0 is the whole message, then one row per segment; None when no model is loaded.
    vectors: np.ndarray | None = None

    @property
    def segment_vectors(self) -> np.ndarray | None:
        return None if self.vectors is None else self.vectors[1:]

    def asking_vectors(self) -> np.ndarray | None:
        """The whole message plus the segments that ask something (what the matcher compares)."""
        if self.vectors is None:
            return None
        rows = [0] + [i + 1 for i, s in enumerate(self.segments) if is_question_like(s)]
        return self.vectors[rows]


def read(normalised: str, embedder: Embedder | None) -> Reading:
    parts = segments(normalised)
    if embedder is None:
        return Reading(normalised, parts)
    vectors = np.stack([embedder.embed(text) for text in (normalised, *parts)])
    return Reading(normalised, parts, vectors)


class VectorCache:
    """Vectors by exact text, so rebuilding the index after an edit embeds only what changed;
    and each phrasing's normalised form, so it normalises only what changed (half of a warm
    2,000-entry rebuild, ~0.15 s of GIL-bound work, otherwise)."""

    def __init__(self, embedder: Embedder, known: dict[str, np.ndarray] | None = None) -> None:
        self.embedder = embedder
        self.vectors: dict[str, np.ndarray] = dict(known or {})
        self._normalised: dict[str, str] = {}

    def normalised(self, phrasing: str) -> str:
        """`normalise(phrasing)`, remembered (FAQ phrasings only: bounded like the FAQ)."""
        found = self._normalised.get(phrasing)
        if found is None:
            if len(self._normalised) >= MAX_NORMALISED:
                self._normalised.clear()
            found = self._normalised[phrasing] = normalise(phrasing)
        return found

    def get(self, text: str) -> np.ndarray:
        found = self.vectors.get(text)
        if found is None:
            found = self.vectors[text] = self.embedder.embed(text)
        return found

    def matrix(self, texts: Iterable[str]) -> np.ndarray:
        rows = [self.get(t) for t in texts]
        if not rows:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack(rows)


class SemanticIndex:
    """Every phrasing of every entry as a vector; an entry scores by its closest phrasing."""

    def __init__(self, phrasings: Sequence[Sequence[str]], cache: VectorCache) -> None:
        texts: list[str] = []
        owners: list[int] = []
        for index, entry_phrasings in enumerate(phrasings):
            for text in entry_phrasings:
                texts.append(text)
                owners.append(index)
        self.size = len(phrasings)
        self.matrix = cache.matrix(texts)
        self.owners = np.asarray(owners, dtype=np.int64)

    def similarities(self, queries: np.ndarray) -> np.ndarray:
        """Per entry, the best cosine of any query row with any of its phrasings (-1 if none)."""
        best = np.full(self.size, -1.0, dtype=np.float32)
        if not len(self.owners) or not len(queries):
            return best
        cosines = (queries @ self.matrix.T).max(axis=0)
        np.maximum.at(best, self.owners, cosines)
        return best
