"""Backups, restores and migrations, on real SQLite files and through the CLI."""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.instance_lock import lock_path
from bot.knowledge.dbops import DatabaseError, backup_database, restore_database
from bot.knowledge.loader import LoadedKnowledge
from bot.knowledge.migrations import MIGRATIONS, SCHEMA_VERSION, statements
from bot.knowledge.store import KnowledgeStore
from tests.conftest import RunCli


async def make_db(path: Path, loaded: LoadedKnowledge, count: int = 3) -> None:
    async with await KnowledgeStore.open(path) as store:
        await store.sync_shipped(loaded.entries[:count])


def live_ids(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT id FROM entries WHERE live_revision IS NOT NULL")}


async def test_backup_is_consistent_while_another_writer_is_busy(
    tmp_path: Path, loaded: LoadedKnowledge
) -> None:
    db = tmp_path / "live.db"
    await make_db(db, loaded)
    writer = sqlite3.connect(db)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM votes")  # an uncommitted write in progress
    try:
        copy = backup_database(db, tmp_path / "backups")
    finally:
        writer.rollback()
        writer.close()
    assert copy.parent == tmp_path / "backups" and copy.suffix == ".db"
    assert live_ids(copy) == live_ids(db) and len(live_ids(copy)) == 3
    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


async def test_restore_brings_back_the_backup_and_keeps_the_current_db(
    tmp_path: Path, loaded: LoadedKnowledge
) -> None:
    db = tmp_path / "live.db"
    await make_db(db, loaded, count=3)
    saved = backup_database(db, tmp_path / "saved.db")
    await make_db(db, loaded, count=6)  # more entries after the backup
    kept = restore_database(saved, db, SCHEMA_VERSION)
    assert len(live_ids(db)) == 3
    assert kept is not None and len(live_ids(kept)) == 6


def test_restore_refuses_a_broken_backup_and_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "live.db"
    target.write_bytes(b"")
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseError, match="not a usable SQLite database"):
        restore_database(broken, target, SCHEMA_VERSION)
    assert target.read_bytes() == b""


async def test_restore_refuses_while_the_database_is_in_use(
    tmp_path: Path, loaded: LoadedKnowledge
) -> None:
    db = tmp_path / "live.db"
    await make_db(db, loaded)
    saved = backup_database(db, tmp_path / "saved.db")
    async with await KnowledgeStore.open(db) as store:
        await store.db.execute("BEGIN IMMEDIATE")  # the bot is mid-write
        with pytest.raises(DatabaseError, match="stop the bot"):
            restore_database(saved, db, SCHEMA_VERSION)
        await store.db.execute("ROLLBACK")


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
async def test_migrates_from_every_earlier_version_with_a_backup_first(
    tmp_path: Path, loaded: LoadedKnowledge, version: int
) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db, isolation_level=None) as old:
        for script in MIGRATIONS[:version]:
            for statement in statements(script):
                old.execute(statement)
        old.execute(f"PRAGMA user_version = {version}")
        if version >= 1:
            old.execute("INSERT INTO entries (id, topic) VALUES ('kept-entry', 'kratom')")
    async with await KnowledgeStore.open(db) as store:
        assert await store.schema_version() == SCHEMA_VERSION
        await store.sync_shipped(loaded.entries[:2])  # the migrated schema works
        await store.record_vote(loaded.entries[0].id, "1", True)
    backups = list(tmp_path.glob(f"old.v{version}-*.bak.db"))
    if version >= 1:
        assert len(backups) == 1
        with sqlite3.connect(db) as check:
            assert check.execute("SELECT id FROM entries WHERE id='kept-entry'").fetchone()
    else:
        assert not backups  # a brand-new database has nothing to keep


def test_db_commands_through_the_cli(run_cli: RunCli, tmp_path: Path) -> None:
    assert run_cli("ask", "what is kratom").returncode == 0  # creates the database
    backup = tmp_path / "b" / "copy.db"
    result = run_cli("db", "backup", str(backup))
    assert result.returncode == 0 and backup.exists(), result.stderr
    restored = run_cli("db", "restore", str(backup))
    assert restored.returncode == 0 and "previous database is kept" in restored.stdout
    migrated = run_cli("db", "migrate")
    assert f"-> {SCHEMA_VERSION}" in migrated.stdout
    bad = run_cli("db", "restore", str(tmp_path / "missing.db"))
    assert bad.returncode == 1 and "nothing was changed" in bad.stderr


async def test_server_settings_survive_the_move_to_the_settings_table(tmp_path: Path) -> None:
    db = tmp_path / "v3.db"
    with sqlite3.connect(db, isolation_level=None) as old:
        for script in MIGRATIONS[:3]:
            for statement in statements(script):
                old.execute(statement)
        old.execute("PRAGMA user_version = 3")
        old.execute("INSERT INTO guild_settings VALUES ('111', 1), ('222', 0), ('333', NULL)")
    async with await KnowledgeStore.open(db) as store:
        assert (await store.guild_config("111")).public_replies is True
        assert (await store.guild_config("222")).public_replies is False
        assert (await store.guild_config("333")).public_replies is None  # never chose


def run_with_a_full_disk(args: list[str], db: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """The real CLI, where no file may grow past `limit` bytes: a write past it fails as on a
    full disk (RLIMIT_FSIZE; Python ignores the SIGXFSZ that would otherwise kill it)."""

    def no_bigger_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAQBOT_", "DISCORD_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**env, "FAQBOT_DB": str(db)},
        preexec_fn=no_bigger_files,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_a_full_disk_is_one_line_and_leaves_nothing_behind(
    run_cli: RunCli, tmp_path: Path, command: str
) -> None:
    assert run_cli("ask", "what is kratom").returncode == 0  # creates the database
    db = tmp_path / "cli.db"
    saved = tmp_path / "saved.db"
    assert run_cli("db", "backup", str(saved)).returncode == 0
    before = db.read_bytes()
    limit = 64 * 1024
    assert db.stat().st_size > limit  # so the copy cannot fit
    files_before = set(tmp_path.rglob("*"))
    args = ["db", "backup", str(tmp_path)] if command == "backup" else ["db", "restore", str(saved)]
    result = run_with_a_full_disk(args, db, limit)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr  # no traceback
    assert "could not write" in result.stderr and "disk full" in result.stderr
    assert "nothing was changed" in result.stderr
    left = set(tmp_path.rglob("*")) - {lock_path(db)}  # (restore's lock file stays, empty)
    assert left == files_before  # no .partial, no half copy
    assert db.read_bytes() == before
