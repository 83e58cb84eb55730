"""The local model of meaning: loading it (or saying loudly why not) and caching its vectors."""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.core.semantic import Embedder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelStatus:
    embedder: Embedder | None
    reason: str  # why there is no model ("" when there is one)
    fingerprint: str = ""  # identifies the exact graph, so cached vectors match it

    @property
    def summary(self) -> str:
        if self.embedder is not None:
            return f"model of meaning: {self.embedder.name} (int8, onnxruntime)"
        return f"model of meaning OFF ({self.reason}); running on rules and the lexical matcher"


def load_model(cache_dir: Path | None, enabled: bool = True) -> ModelStatus:
    """The embedder, or why not; never raises for a missing or broken model."""
    if not enabled:
        return ModelStatus(None, "switched off by FAQBOT_MODEL=off")
    try:
        from bot.semantic.minilm import ModelUnavailable, load_embedder
    except ImportError as exc:  # numpy itself missing
        return ModelStatus(None, f"{exc.name} is not installed")
    try:
        try:
            embedder = load_embedder(cache_dir)
        except OSError as exc:  # an unwritable cache: build in a temporary one instead
            fallback = Path(tempfile.gettempdir()) / "faqbot-cache"
            log.warning("cannot use the model cache %s (%s); using %s", cache_dir, exc, fallback)
            embedder = load_embedder(fallback)
        return ModelStatus(embedder, "", embedder.fingerprint)
    except ModelUnavailable as exc:
        return ModelStatus(None, str(exc))
    except Exception as exc:  # a corrupt cache or runtime: rules still protect members
        log.exception("the model could not be loaded")
        return ModelStatus(None, f"could not be loaded: {type(exc).__name__}")


def load_vectors(path: Path) -> dict[str, np.ndarray]:
    """Vectors saved by `save_vectors`; empty when missing or unreadable (they are a cache)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            texts, matrix = data["texts"], data["vectors"]
            return {str(t): matrix[i] for i, t in enumerate(texts)}
    except (OSError, ValueError, KeyError):
        return {}


def save_vectors(path: Path, vectors: dict[str, np.ndarray]) -> None:
    if not vectors:
        return
    texts = np.array(list(vectors), dtype=str)
    matrix = np.stack(list(vectors.values())).astype(np.float32)
    tmp = None
    try:  # a cache: failing to save it costs time at the next start, nothing else
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, texts=texts, vectors=matrix)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        log.warning("could not save the vector cache to %s", path)
