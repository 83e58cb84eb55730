from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import SHIPPED_KNOWLEDGE
from bot.core.engine import Engine, KnowledgeBase
from bot.core.entry import Entry
from bot.knowledge.loader import LoadedKnowledge, load_knowledge

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def loaded() -> LoadedKnowledge:
    return load_knowledge(SHIPPED_KNOWLEDGE)


@pytest.fixture(scope="session")
def engine(loaded: LoadedKnowledge) -> Engine:
    return Engine(
        KnowledgeBase(tuple(loaded.entries), loaded.resources, loaded.safety, loaded.matching)
    )


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped knowledge directory, for tests that break it."""
    target = tmp_path / "knowledge"
    shutil.copytree(SHIPPED_KNOWLEDGE, target)
    return target


RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Run the real `faqbot` CLI as a subprocess with its own database file."""

    def run(
        *args: str,
        input: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 180,
    ) -> subprocess.CompletedProcess[str]:
        full_env = {
            k: v for k, v in os.environ.items() if not k.startswith(("FAQBOT_", "DISCORD_"))
        }
        full_env["FAQBOT_DB"] = str(tmp_path / "cli.db")
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            cwd=tmp_path,
        )

    return run


def publish_moderator_revision(db_path: Path, entry: Entry) -> None:
    """Make `entry` the live, moderator-made revision, as the moderation commands will.

    Written as plain SQL because the moderation commands are a later layer than these tests.
    """
    with sqlite3.connect(db_path) as db:
        cursor = db.execute(
            "INSERT INTO revisions (entry_id, data, origin, status, author, created_at) "
            "VALUES (?, ?, 'moderator', 'published', 'mod#1', '2026-11-24T00:00:00')",
            (entry.id, json.dumps(entry.to_dict())),
        )
        db.execute(
            "UPDATE entries SET live_revision = ? WHERE id = ?", (cursor.lastrowid, entry.id)
        )


# The real bot against the fake Discord, for every test module that asks for it.
from tests.discord_harness import discord_bot  # noqa: E402, F401


@pytest.fixture(scope="session")
def semantic_engine(loaded: LoadedKnowledge) -> Engine:
    """The engine as the bot runs it by default: model of meaning, classifier, fused matcher.

    Phrasing vectors are cached on disk like the runtime's, so only the first run embeds them.
    """
    from bot.config import default_cache_dir
    from bot.core.semantic import VectorCache
    from bot.runtime import knowledge_base
    from bot.semantic import load_model, load_vectors, save_vectors
    from tests.bench.vectors import CachedEmbedder

    model = load_model(default_cache_dir())
    assert model.embedder is not None, model.reason
    # Memoised in memory: several tests read the same held-out corpora.
    embedder = CachedEmbedder(model.embedder)  # type: ignore[arg-type]
    cache_file = default_cache_dir() / f"phrasings-{model.fingerprint}.npz"
    vectors = VectorCache(embedder, load_vectors(cache_file))
    built = Engine(knowledge_base(loaded, loaded.entries), embedder, vectors)
    save_vectors(cache_file, vectors.vectors)
    assert built.classifier is not None
    return built
