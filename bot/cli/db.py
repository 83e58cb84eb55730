"""`faqbot db`: back up, restore and migrate the database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import EXIT_FAILED, EXIT_OK
from bot.config import Settings


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    db = sub.add_parser("db", help="database backup, restore and migration")
    db_sub = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    backup = db_sub.add_parser(
        "backup",
        parents=[common],
        help="copy the database to PATH (a file or a folder); safe while the bot runs",
    )
    backup.add_argument("path", type=Path)
    restore = db_sub.add_parser(
        "restore",
        parents=[common],
        help="replace the database with the backup at PATH (stop the bot first); the current "
        "database is kept beside it as a .pre-restore copy",
    )
    restore.add_argument("path", type=Path)
    db_sub.add_parser(
        "migrate",
        parents=[common],
        help="bring the database schema up to date (a backup is taken first); also done at start",
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.knowledge.dbops import (
        DatabaseError,
        backup_database,
        restore_database,
        schema_version_of,
    )
    from bot.knowledge.migrations import SCHEMA_VERSION
    from bot.knowledge.store import KnowledgeStore

    try:
        if args.db_command == "backup":
            written = backup_database(settings.db_path, args.path)
            print(f"backed up {settings.db_path} to {written}")
            return EXIT_OK
        if args.db_command == "restore":
            kept = restore_database(args.path, settings.db_path, SCHEMA_VERSION)
            if kept:
                print(f"the previous database is kept at {kept}")
            print(f"restored {args.path} to {settings.db_path}")
            return EXIT_OK
        if args.db_command == "migrate":
            before = schema_version_of(settings.db_path) if settings.db_path.exists() else 0

            async def migrate() -> int:
                store = await KnowledgeStore.open(settings.db_path)
                try:
                    return await store.schema_version()
                finally:
                    await store.close()

            after = asyncio.run(migrate())
            print(f"database schema {before} -> {after} ({settings.db_path})")
            return EXIT_OK
    except DatabaseError as exc:
        print(f"faqbot db: {exc}; nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    raise AssertionError(f"argparse allows no db command {args.db_command!r}")
