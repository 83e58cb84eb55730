"""Database backup, restore and the backup taken before migrations.

Backups use SQLite's online backup API, so they are consistent even while the bot is writing.
Restores verify the backup first, keep the current database beside it, and swap files atomically.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import closing, suppress
from pathlib import Path

from bot.instance_lock import InstanceBusy, instance_lock


class DatabaseError(Exception):
    """A backup or restore that cannot be done safely; the message says why, plainly."""


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def schema_version_of(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def check_database(path: Path, newest_version: int) -> int:
    """Verify a database file is intact and not from a newer faqbot; return its version."""
    if not path.is_file():
        raise DatabaseError(f"{path} does not exist")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is not a usable SQLite database ({exc})") from None
    if result != "ok":
        raise DatabaseError(f"{path} failed SQLite's integrity check: {result}")
    if version > newest_version:
        raise DatabaseError(f"{path} is from a newer faqbot (schema {version} > {newest_version})")
    if version and "revisions" not in tables:
        raise DatabaseError(f"{path} does not look like a faqbot database")
    return version


def backup_database(source: Path, destination: Path) -> Path:
    """Copy `source` to `destination` consistently, even while the bot is running."""
    if not source.is_file():
        raise DatabaseError(f"there is no database at {source} to back up")
    destination = destination.resolve()
    if destination.is_dir() or not destination.suffix:  # a folder, existing or to be made
        destination = destination / f"{source.stem}-{_stamp()}.db"
    partial = destination.with_name(destination.name + ".partial")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
            # One self-contained file (the copy inherits WAL mode, and opening a WAL file
            # read-only leaves -wal/-shm files beside it); the bot turns WAL back on at open.
            dst.execute("PRAGMA journal_mode=DELETE")
        os.replace(partial, destination)  # never leave a half-written backup under the real name
    except (sqlite3.Error, OSError) as exc:
        for leftover in (partial, Path(f"{partial}-journal")):  # a failed copy leaves nothing
            with suppress(OSError):
                leftover.unlink(missing_ok=True)
        raise DatabaseError(f"could not write {destination}: {_reason(exc)}") from None
    return destination


def _reason(exc: sqlite3.Error | OSError) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    # SQLite reports a full disk as SQLITE_FULL, or as a write error when the file may not grow.
    if getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_FULL", "SQLITE_IOERR")):
        return f"{exc} (is the disk full?)"
    return str(exc)


def restore_database(backup: Path, target: Path, newest_version: int) -> Path | None:
    """Replace `target` with `backup`; return where the previous database was kept.

    Refused while a faqbot owns `target` (its later writes would be silently lost), and holds
    the same lock meanwhile, so a bot cannot start under a half-done restore.
    """
    check_database(backup, newest_version)
    try:
        with instance_lock(target):
            return _restore(backup, target)
    except InstanceBusy as exc:
        raise DatabaseError(str(exc)) from None


def _restore(backup: Path, target: Path) -> Path | None:
    kept: Path | None = None
    if target.exists():
        # Also refuse while anything else is mid-write (a process that takes no instance lock).
        try:
            with sqlite3.connect(target, timeout=0.5) as db:
                db.execute("BEGIN EXCLUSIVE")
                db.execute("ROLLBACK")
        except sqlite3.OperationalError:
            raise DatabaseError(f"{target} is in use; stop the bot before restoring") from None
        kept = backup_database(target, target.with_name(f"{target.stem}.pre-restore-{_stamp()}.db"))
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(target.name + ".restoring")
    backup_database(backup, incoming)
    for suffix in ("-wal", "-shm"):  # stale journal files belong to the database being replaced
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(incoming, target)
    return kept


def backup_before_migration(path: Path, version: int) -> Path:
    return backup_database(path, path.with_name(f"{path.stem}.v{version}-{_stamp()}.bak.db"))
