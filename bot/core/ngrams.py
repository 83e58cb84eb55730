"""Word and character n-grams of a message, weighted tf-idf: the crisis classifier's view of the
exact words, beside the model's view of meaning.

Slang, shorthand and typos ("kms", "sh", "od", "end me", "his hands") carry a lot of the signal
in how members write, and sentence embeddings blur them; n-grams keep them. The vocabulary and
the idf weights are learnt from the labelled corpus by `tests/bench/train_crisis.py` and shipped
inside `knowledge/crisis_classifier.json`, so this module only counts and looks up.
"""

from __future__ import annotations

import base64
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np

_TOKEN = re.compile(r"\w+|[^\w\s]")
CHAR_SIZES = (2, 3, 4, 5)


def word_terms(text: str) -> list[str]:
    """Tokens (words, and each punctuation mark or emoji alone) and pairs of neighbours."""
    tokens = _TOKEN.findall(text)
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def char_terms(text: str) -> list[str]:
    """Character 2- to 5-grams inside each word, padded with a space at either end (a short
    word counts once, whole), so "kms" and "kms," share their grams with "kms rn"."""
    grams: list[str] = []
    for word in text.split():
        grams.extend(_word_grams(word))
    return grams


@lru_cache(maxsize=8192)
def _word_grams(word: str) -> tuple[str, ...]:
    # Members reuse the same few thousand words: counting each word's grams once is the cost.
    padded = f" {word} "
    grams: list[str] = []
    for size in CHAR_SIZES:
        if len(padded) <= size:
            grams.append(padded)
            break
        grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return tuple(grams)


@dataclass(frozen=True)
class NgramBlock:
    """One kind of n-gram: its vocabulary (term -> column) and idf weight per column."""

    terms: dict[str, int]
    idf: np.ndarray

    def weigh(self, terms: Iterable[str]) -> tuple[list[int], list[float]]:
        """Columns and L2-normalised sublinear tf-idf values of the known terms."""
        counts = Counter(t for t in terms if t in self.terms)
        columns = [self.terms[t] for t in counts]
        values = [
            (1.0 + math.log(c)) * float(self.idf[j])
            for c, j in zip(counts.values(), columns, strict=True)
        ]
        norm = math.sqrt(sum(v * v for v in values)) or 1.0
        return columns, [v / norm for v in values]


@dataclass(frozen=True)
class NgramFeatures:
    """Words then characters, side by side in one sparse row."""

    words: NgramBlock
    chars: NgramBlock

    @property
    def size(self) -> int:
        return len(self.words.terms) + len(self.chars.terms)

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of one text's sparse feature row."""
        word_cols, word_vals = self.words.weigh(word_terms(text))
        char_cols, char_vals = self.chars.weigh(char_terms(text))
        offset = len(self.words.terms)
        columns = np.asarray(word_cols + [offset + c for c in char_cols], dtype=np.int64)
        return columns, np.asarray(word_vals + char_vals, dtype=np.float32)


def learn_block(
    documents: Sequence[list[str]], min_df: int, max_terms: int | None = None
) -> NgramBlock:
    """Vocabulary (terms in at least `min_df` documents, the most frequent `max_terms`) and the
    smoothed idf, ln((1 + n) / (1 + df)) + 1. Deterministic: ties break by the term itself."""
    df: Counter[str] = Counter()
    for terms in documents:
        df.update(set(terms))
    kept = sorted((t for t, c in df.items() if c >= min_df), key=lambda t: (-df[t], t))
    if max_terms is not None:
        kept = kept[:max_terms]
    kept.sort()
    n = len(documents)
    idf = np.asarray([math.log((1 + n) / (1 + df[t])) + 1.0 for t in kept], dtype=np.float32)
    return NgramBlock({t: i for i, t in enumerate(kept)}, idf)


# --- in a JSON file -------------------------------------------------------------------------


def pack(array: np.ndarray, dtype: str) -> dict[str, Any]:
    """An array as base64 of little-endian `dtype` with its shape (compact and exact; a
    retrain rewrites it whole anyway)."""
    data = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<"))
    encoded = base64.b64encode(data.tobytes()).decode()
    return {"dtype": dtype, "shape": list(data.shape), "b64": encoded}


def unpack(packed: Any) -> np.ndarray:
    if not isinstance(packed, dict) or packed.get("dtype") not in ("float16", "float32"):
        raise ValueError("an array must be {dtype: float16|float32, shape, b64}")
    raw = base64.b64decode(str(packed["b64"]), validate=True)
    dtype = np.dtype(str(packed["dtype"])).newbyteorder("<")
    shape = tuple(int(n) for n in packed["shape"])
    return np.frombuffer(raw, dtype=dtype).reshape(shape).astype(np.float32)


def _block(data: Any, name: str) -> NgramBlock:
    terms = data[name]
    idf = unpack(data[f"{name}_idf"])
    if not isinstance(terms, list) or idf.shape != (len(terms),):
        raise ValueError(f"ngrams.{name} and its idf must have the same length")
    return NgramBlock({str(t): i for i, t in enumerate(terms)}, idf)


def parse_features(data: Any) -> NgramFeatures:
    """Raises KeyError/TypeError/ValueError on a malformed `ngrams` mapping."""
    return NgramFeatures(_block(data, "words"), _block(data, "chars"))


def features_json(features: NgramFeatures) -> dict[str, Any]:
    def terms(block: NgramBlock) -> list[str]:
        return sorted(block.terms, key=block.terms.__getitem__)

    return {
        "words": terms(features.words),
        "words_idf": pack(features.words.idf, "float32"),
        "chars": terms(features.chars),
        "chars_idf": pack(features.chars.idf, "float32"),
    }
