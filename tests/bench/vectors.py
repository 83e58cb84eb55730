"""A MiniLM embedder whose vectors are kept on disk between benchmark and training runs."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bot.semantic import load_vectors, save_vectors
from bot.semantic.minilm import MiniLMEmbedder, default_cache_dir, load_embedder

CACHE = default_cache_dir() / "bench-vectors.npz"


@dataclass
class CachedEmbedder:
    inner: MiniLMEmbedder
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    name: str = ""
    dim: int = 0

    def __post_init__(self) -> None:
        self.name, self.dim = self.inner.name, self.inner.dim

    def embed(self, text: str) -> np.ndarray:
        found = self.vectors.get(text)
        if found is None:
            found = self.vectors[text] = self.inner.embed(text)
        return found

    def save(self) -> None:
        save_vectors(CACHE, self.vectors)


def cached_embedder() -> CachedEmbedder:
    return CachedEmbedder(load_embedder(), load_vectors(CACHE))
