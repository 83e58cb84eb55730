"""Wiring: shipped YAML -> validated -> synced into SQLite -> live entries -> Engine.

The model of meaning is loaded here (or its absence announced), and everything that runs it,
answering and rebuilding the engine, runs on one worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import Settings
from bot.core.engine import AskContext, Engine, KnowledgeBase
from bot.core.reply import Reply
from bot.core.semantic import VectorCache
from bot.knowledge.loader import LoadedKnowledge, load_knowledge
from bot.knowledge.moderation import Moderation
from bot.knowledge.schema import Entry
from bot.knowledge.store import KnowledgeStore, SyncReport
from bot.semantic import ModelStatus, load_model, load_vectors, save_vectors

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    store: KnowledgeStore
    loaded: LoadedKnowledge
    engine: Engine
    sync: SyncReport
    model: ModelStatus
    vectors: VectorCache | None = None
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="faqbot-model")
    )

    @property
    def moderation(self) -> Moderation:
        return Moderation(self.store, self.loaded.matching, self.loaded.topics)

    async def answer(self, question: str, context: AskContext | None = None) -> Reply:
        """The engine's answer, computed on the model thread (embedding takes milliseconds)."""
        engine = self.engine
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, engine.answer, question, context)

    async def reload(self) -> Engine:
        """Rebuild the engine from the store's live entries (after an edit) and swap it in."""
        entries = await self.store.live_entries()
        loop = asyncio.get_running_loop()
        self.engine = await loop.run_in_executor(self.executor, self._build, entries)
        return self.engine

    def _build(self, entries: Sequence[Entry]) -> Engine:
        known = len(self.vectors.vectors) if self.vectors else 0
        engine = Engine(knowledge_base(self.loaded, entries), self.model.embedder, self.vectors)
        if self.vectors is not None and len(self.vectors.vectors) != known:
            save_vectors(self._vector_file(), self.vectors.vectors)
        return engine

    def _vector_file(self) -> Path:
        return self.settings.cache_dir / f"phrasings-{self.model.fingerprint}.npz"

    async def close(self) -> None:
        self.executor.shutdown(wait=True)
        await self.store.close()


def knowledge_base(loaded: LoadedKnowledge, entries: Sequence[Entry]) -> KnowledgeBase:
    return KnowledgeBase(
        tuple(entries), loaded.resources, loaded.safety, loaded.matching, loaded.classifier
    )


async def start_runtime(settings: Settings) -> Runtime:
    """Load and validate the shipped knowledge first: a broken file never reaches the store."""
    loaded = load_knowledge(settings.knowledge_dir)
    model = await asyncio.to_thread(load_model, settings.cache_dir, settings.model)
    if model.embedder is None:
        log.warning("%s", model.summary)
    else:
        log.info("%s", model.summary)
    store = await KnowledgeStore.open(settings.db_path)
    try:
        report = await store.sync_shipped(loaded.entries)
        empty = Engine(knowledge_base(loaded, []))
        runtime = Runtime(settings, store, loaded, empty, report, model)
        if model.embedder is not None:
            known = await asyncio.to_thread(load_vectors, runtime._vector_file())
            runtime.vectors = VectorCache(model.embedder, known)
        await runtime.reload()
    except BaseException:
        await store.close()
        raise
    return runtime
