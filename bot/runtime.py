"""Wiring: shipped YAML -> validated -> synced into SQLite -> live entries -> Engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.config import Settings
from bot.core.engine import Engine, KnowledgeBase
from bot.knowledge.loader import LoadedKnowledge, load_knowledge
from bot.knowledge.moderation import Moderation
from bot.knowledge.schema import Entry
from bot.knowledge.store import KnowledgeStore, SyncReport


@dataclass
class Runtime:
    settings: Settings
    store: KnowledgeStore
    loaded: LoadedKnowledge
    engine: Engine
    sync: SyncReport

    @property
    def moderation(self) -> Moderation:
        return Moderation(self.store, self.loaded.matching, self.loaded.topics)

    async def reload(self) -> Engine:
        """Rebuild the engine from the store's live entries (after an edit) and swap it in."""
        self.engine = Engine(knowledge_base(self.loaded, await self.store.live_entries()))
        return self.engine

    async def close(self) -> None:
        await self.store.close()


def knowledge_base(loaded: LoadedKnowledge, entries: Sequence[Entry]) -> KnowledgeBase:
    return KnowledgeBase(tuple(entries), loaded.resources, loaded.safety, loaded.matching)


async def start_runtime(settings: Settings) -> Runtime:
    """Load and validate the shipped knowledge first: a broken file never reaches the store."""
    loaded = load_knowledge(settings.knowledge_dir)
    store = await KnowledgeStore.open(settings.db_path)
    try:
        report = await store.sync_shipped(loaded.entries)
        engine = Engine(knowledge_base(loaded, await store.live_entries()))
    except BaseException:
        await store.close()
        raise
    return Runtime(settings, store, loaded, engine, report)
