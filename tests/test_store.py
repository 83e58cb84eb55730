"""The knowledge store, on a real SQLite file."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from bot.knowledge.loader import LoadedKnowledge
from bot.knowledge.migrations import SCHEMA_VERSION
from bot.knowledge.store import KnowledgeStore
from tests.conftest import publish_moderator_revision
from tests.test_moderation import audit_log


async def test_first_sync_publishes_every_shipped_entry(
    tmp_path: Path, loaded: LoadedKnowledge
) -> None:
    async with await KnowledgeStore.open(tmp_path / "kb.db") as store:
        report = await store.sync_shipped(loaded.entries)
        assert len(report.added) == len(loaded.entries)
        live = await store.live_entries()
    assert {e.id for e in live} == {e.id for e in loaded.entries}
    original = {e.id: e for e in loaded.entries}
    assert all(e == original[e.id] for e in live)  # round-trips exactly, topic included


async def test_resync_is_idempotent_and_survives_reopen(
    tmp_path: Path, loaded: LoadedKnowledge
) -> None:
    path = tmp_path / "kb.db"
    async with await KnowledgeStore.open(path) as store:
        await store.sync_shipped(loaded.entries)
    async with await KnowledgeStore.open(path) as store:
        report = await store.sync_shipped(loaded.entries)
        assert report.unchanged == len(loaded.entries)
        assert not (report.added or report.updated or report.drafted)
        assert await store.schema_version() == SCHEMA_VERSION


async def test_shipped_update_publishes_unless_a_moderator_changed_the_entry(
    tmp_path: Path, loaded: LoadedKnowledge
) -> None:
    path = tmp_path / "kb.db"
    entries = loaded.entries[:2]
    async with await KnowledgeStore.open(path) as store:
        await store.sync_shipped(entries)
    # A moderator revision is live for the second entry (the moderation commands write exactly
    # this; here we write the row directly because those commands are a later layer).
    moderated = dataclasses.replace(entries[1], answer="Moderator wording.")
    publish_moderator_revision(path, moderated)
    shipped_v2 = [dataclasses.replace(e, answer=e.answer + " Updated.") for e in entries]
    async with await KnowledgeStore.open(path) as store:
        report = await store.sync_shipped(shipped_v2)
        live = {e.id: e for e in await store.live_entries()}
        log = await audit_log(store, entries[1].id)
    assert report.updated == [entries[0].id]
    assert report.drafted == [entries[1].id]
    assert live[entries[0].id].answer.endswith("Updated.")
    assert live[entries[1].id].answer == "Moderator wording."  # never silently overwritten
    assert log[-1]["action"] == "draft"


async def test_audit_log_is_append_only(tmp_path: Path, loaded: LoadedKnowledge) -> None:
    path = tmp_path / "kb.db"
    async with await KnowledgeStore.open(path) as store:
        await store.sync_shipped(loaded.entries[:1])
    with sqlite3.connect(path) as db, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit")


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kb.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer than this faqbot"):
        await KnowledgeStore.open(path)
