"""Wiring: shipped YAML -> validated -> synced into SQLite -> live entries -> Engine.

The model of meaning is loaded here (or its absence announced). Answering runs on one worker
thread and rebuilding the engine after an edit on another, never on the event loop, so members
keep getting answers from the old engine while the new one is built (seconds for thousands of
entries); it is swapped in when ready. (The model's session and tokenizer are safe to call from
two threads; only rebuilds touch the vector cache.)
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.config import Settings
from bot.core.engine import AskContext, Engine, KnowledgeBase
from bot.core.reply import Reply
from bot.core.semantic import VectorCache
from bot.knowledge.loader import LoadedKnowledge, load_knowledge, phrasing_keys
from bot.knowledge.moderation import Moderation
from bot.knowledge.schema import Entry
from bot.knowledge.store import KnowledgeStore
from bot.semantic import ModelStatus, load_model, load_vectors, save_vectors

log = logging.getLogger(__name__)
T = TypeVar("T")

# How long a thread may hold the GIL while another waits for it (Python's default: 5 ms). The
# event loop and the answering thread take the GIL back after every socket wait and model run,
# many times per answer; while an engine rebuild or an import check runs on a worker thread, each
# of those waits cost up to the full interval, and an /ask under a 2,000-entry rebuild took
# p50 244 ms instead of 47 ms (measured with the model; bench_moderation_load). But 1 ms costs
# throughput under steady member load: at 100 /ask a second without the model (bench_discord_load)
# p50 was 87 ms with 1 ms against 8 ms with 5 ms, and 949 against 103 ms after a minute. Members'
# steady load comes first; rebuilds are rare: the default until a fixed-load bisect says more.
GIL_SWITCH_INTERVAL = 0.005


class WorkerProcess:
    """Pure, CPU-heavy work (parsing and validating an import, grouping /faq gaps) in one child
    process. In a thread it held the GIL for its whole run, and members' answers, which need
    the GIL back after every model run, waited: an answer that needs 18 ms took 190 ms during a
    100-entry import (model on). Started on first use ("spawn": forking a process that runs
    onnxruntime's and aiosqlite's threads is unsafe); a crashed worker is replaced at the next
    call."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def __call__(self, fn: Callable[..., T], /, *args: Any) -> T:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)
        except BrokenProcessPool:
            if self._pool is pool:
                self._pool = None
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


@dataclass
class Runtime:
    settings: Settings
    store: KnowledgeStore
    loaded: LoadedKnowledge
    engine: Engine
    model: ModelStatus
    vectors: VectorCache | None = None
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="faqbot-model")
    )
    rebuilder: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="faqbot-rebuild")
    )
    offload: WorkerProcess = field(default_factory=WorkerProcess)
    # Reloads are numbered when they start: an older one that finishes late never replaces a
    # newer engine.
    _reloads: int = 0
    _swapped: int = 0

    @property
    def moderation(self) -> Moderation:
        """Moderator actions; a change to what members see rebuilds the engine before it
        returns (the one place a publish reaches the engine, whoever published)."""
        return Moderation(
            self.store, self.loaded.matching, self.loaded.topics, self.reload, self.offload
        )

    async def answer(self, question: str, context: AskContext | None = None) -> Reply:
        """The engine's answer, computed on the model thread (embedding takes milliseconds)."""
        engine = self.engine
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, engine.answer, question, context)

    async def reload(self) -> Engine:
        """Rebuild the engine from the store's live entries (after an edit) and swap it in."""
        self._reloads += 1
        ticket = self._reloads
        entries = await self.store.live_entries()
        loop = asyncio.get_running_loop()
        engine = await loop.run_in_executor(self.rebuilder, self._build, entries)
        if ticket > self._swapped:
            self.engine, self._swapped = engine, ticket
        return self.engine

    def _build(self, entries: Sequence[Entry]) -> Engine:
        known = len(self.vectors.vectors) if self.vectors else 0
        engine = Engine(knowledge_base(self.loaded, entries), self.model.embedder, self.vectors)
        if self.vectors is not None and len(self.vectors.vectors) != known:
            save_vectors(self._vector_file(), self.vectors.vectors)
        # An import or approve compares the change's phrasings with every live entry's, whose
        # keys are remembered: made here (at start: before Discord connects) rather than in
        # the first import, where 2,000 entries' keys held the GIL ~0.8 s while members asked.
        for entry in entries:
            phrasing_keys(entry, self.loaded.matching)
        return engine

    def _vector_file(self) -> Path:
        return self.settings.cache_dir / f"phrasings-{self.model.fingerprint}.npz"

    async def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.rebuilder.shutdown(wait=True)
        self.offload.close()
        await self.store.close()


def knowledge_base(loaded: LoadedKnowledge, entries: Sequence[Entry]) -> KnowledgeBase:
    return KnowledgeBase(
        tuple(entries),
        loaded.resources,
        loaded.safety,
        loaded.matching,
        loaded.classifier,
        loaded.entry_classifier,
    )


def _settle_heap() -> None:
    """Leave what lives as long as the process (modules, the knowledge, the model) out of the
    garbage collector's full passes. Each one held the GIL 60-170 ms, mostly scanning these,
    whenever a rebuild or an import had made enough objects (measured at 2,000 entries); now it
    scans the engines and what came after. Once per process: an object frozen here that later
    becomes garbage in a reference cycle is never freed, so nothing short-lived is frozen."""
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


async def start_runtime(settings: Settings) -> Runtime:
    """Load and validate the shipped knowledge first: a broken file never reaches the store."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    loaded = load_knowledge(settings.knowledge_dir)
    model = await asyncio.to_thread(load_model, settings.cache_dir, settings.model)
    if model.embedder is None:
        log.warning("%s", model.summary)
    else:
        log.info("%s", model.summary)
    store = await KnowledgeStore.open(settings.db_path)
    try:
        report = await store.sync_shipped(loaded.entries)
        if report.drafted:
            # Moderators edited these in Discord: the shipped change waits for their review
            # rather than overwriting theirs (said once: at the start that brings it in).
            log.warning(
                "%d shipped update(s) to moderator-edited entries wait for review "
                "(/faq review or faqbot kb drafts): %s",
                len(report.drafted),
                ", ".join(report.drafted),
            )
        empty = Engine(knowledge_base(loaded, []))
        runtime = Runtime(settings, store, loaded, empty, model)
        if model.embedder is not None:
            known = await asyncio.to_thread(load_vectors, runtime._vector_file())
            runtime.vectors = VectorCache(model.embedder, known)
        _settle_heap()
        await runtime.reload()
    except BaseException:
        await store.close()
        raise
    return runtime
