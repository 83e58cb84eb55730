"""The knowledge store: SQLite (via aiosqlite), where live FAQ entries and their history live.

Every revision of every entry is kept; an entry's live revision is a pointer, so publishing and
reverting are a single atomic UPDATE. Shipped YAML is synced in at start: entries moderators never
changed take the shipped version; entries they changed keep theirs and the shipped change waits as
a draft. Nothing is silently overwritten or dropped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

import aiosqlite

from bot.knowledge.dbops import backup_before_migration, schema_version_of
from bot.knowledge.guild_config import GuildConfig
from bot.knowledge.migrations import MIGRATIONS, SCHEMA_VERSION, statements
from bot.knowledge.schema import Entry

SHIPPED_AUTHOR = "faqbot (shipped knowledge)"


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def canonical_json(entry: Entry) -> str:
    """An entry as stored in a revision: the same entry is always the same text."""
    return json.dumps(entry.to_dict(), sort_keys=True, ensure_ascii=False)


def same_entry(a: Entry, b: Entry) -> bool:
    return canonical_json(a) == canonical_json(b)


# Audit actions that change what is live: a check made before one of these must be made again.
LIVE_CHANGES = ("approve", "remove", "restore", "ship")


@dataclass(frozen=True)
class Revision:
    rev: int
    entry: Entry
    origin: str  # shipped | moderator | import
    status: str  # draft | published | rejected
    based_on: int | None
    author: str
    reason: str
    created_at: str
    decided_by: str | None = None
    decided_at: str | None = None
    decision_note: str = ""

    @property
    def entry_id(self) -> str:
        return self.entry.id


@dataclass(frozen=True)
class EntryState:
    entry_id: str
    topic: str
    live: int | None  # the live revision, None for a new entry still in review
    removed_at: str | None


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    drafted: list[str] = field(
        default_factory=list
    )  # moderator-edited: shipped change awaits review
    unchanged: int = 0


class KnowledgeStore:
    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self.db = db
        self.path = path
        # One connection serves every coroutine: without this, one interaction's statements could
        # land inside another's open transaction (and be rolled back with it).
        self._writing = asyncio.Lock()
        # Server settings are read for every message the bot sees and written only through
        # set_guild_config (one process owns the database), so they are cached here.
        self._guild_configs: dict[str, GuildConfig] = {}
        # The live entries, decoded, by (revision, topic): see live_entries.
        self._decoded: dict[tuple[int, str], Entry] = {}

    @classmethod
    async def open(cls, path: Path) -> KnowledgeStore:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and 0 < schema_version_of(path) < SCHEMA_VERSION:
            # An upgrade changes the schema: keep the old database first, whatever happens next.
            backup_before_migration(path, schema_version_of(path))
        db = await aiosqlite.connect(path, isolation_level=None)
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA foreign_keys=ON")
        await db.execute("PRAGMA busy_timeout=5000")
        store = cls(db, path)
        try:
            await store.migrate()
        except BaseException:
            await db.close()
            raise
        return store

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self.db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """One write transaction; concurrent writers queue, never interleave."""
        async with self._writing:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply pending migrations, each in its own transaction; return the new version."""
        version = await self.schema_version()
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"database {self.path} has schema version {version}, newer than this faqbot "
                f"({SCHEMA_VERSION}); upgrade faqbot or restore an older backup"
            )
        while version < SCHEMA_VERSION:
            async with self.transaction():
                for statement in statements(MIGRATIONS[version]):
                    await self.db.execute(statement)
                await self.db.execute(f"PRAGMA user_version = {version + 1}")
            version += 1
        return version

    async def sync_shipped(self, entries: Sequence[Entry]) -> SyncReport:
        """Bring shipped YAML into the store in one transaction (see module docstring)."""
        report = SyncReport()
        at = now_iso()
        async with self.transaction():
            for entry in entries:
                data = canonical_json(entry)
                row = await self._fetchone(
                    "SELECT e.live_revision, r.origin, r.data FROM entries e "
                    "LEFT JOIN revisions r ON r.rev = e.live_revision WHERE e.id = ?",
                    (entry.id,),
                )
                if row is None:
                    await self.db.execute(
                        "INSERT INTO entries (id, topic) VALUES (?, ?)", (entry.id, entry.topic)
                    )
                    rev = await self._add_revision(entry.id, data, "shipped", "published", None, at)
                    await self._publish(entry.id, rev)
                    await self._audit(at, SHIPPED_AUTHOR, "ship", entry.id, rev, "new entry")
                    report.added.append(entry.id)
                    continue
                last_shipped = await self._fetchone(
                    "SELECT data FROM revisions WHERE entry_id = ? AND origin = 'shipped' "
                    "ORDER BY rev DESC LIMIT 1",
                    (entry.id,),
                )
                if last_shipped is not None and last_shipped["data"] == data:
                    report.unchanged += 1
                    continue
                moderator_owned = row["origin"] is not None and row["origin"] != "shipped"
                if moderator_owned:
                    rev = await self._add_revision(
                        entry.id, data, "shipped", "draft", row["live_revision"], at
                    )
                    await self._audit(
                        at,
                        SHIPPED_AUTHOR,
                        "draft",
                        entry.id,
                        rev,
                        "shipped update to a moderator-edited entry, waiting for review",
                    )
                    report.drafted.append(entry.id)
                else:
                    rev = await self._add_revision(
                        entry.id, data, "shipped", "published", row["live_revision"], at
                    )
                    await self.db.execute(
                        "UPDATE entries SET topic = ? WHERE id = ?", (entry.topic, entry.id)
                    )
                    await self._publish(entry.id, rev)
                    await self._audit(at, SHIPPED_AUTHOR, "ship", entry.id, rev, "shipped update")
                    report.updated.append(entry.id)
        return report

    async def live_entries(self) -> list[Entry]:
        """The published entries members see. A revision never changes, so each is read and
        decoded once: after an edit only the new revision is (an approve reads the live FAQ
        twice, and decoding 2,000 entries held the GIL ~0.1 s each time)."""
        async with self.db.execute(
            "SELECT e.topic, e.live_revision AS rev FROM entries e "
            "WHERE e.live_revision IS NOT NULL AND e.removed_at IS NULL ORDER BY e.topic, e.id"
        ) as cursor:
            live = [(row["rev"], row["topic"]) for row in await cursor.fetchall()]
        known = self._decoded
        missing = [rev for rev, topic in live if (rev, topic) not in known]
        rows: list[aiosqlite.Row] = []
        for start in range(0, len(missing), 500):  # within SQLite's limit on parameters
            chunk = missing[start : start + 500]
            async with self.db.execute(
                f"SELECT rev, data FROM revisions WHERE rev IN ({','.join('?' * len(chunk))})",
                chunk,
            ) as cursor:
                rows += await cursor.fetchall()
        data = {row["rev"]: row["data"] for row in rows}

        def decode() -> list[Entry]:  # in a worker thread when there is much to decode
            entries = {
                (rev, topic): known.get((rev, topic))
                or Entry.from_dict(json.loads(data[rev]), topic=topic)
                for rev, topic in live
            }
            self._decoded = entries  # only what is live now: older revisions are let go
            return list(entries.values())

        return await asyncio.to_thread(decode) if len(missing) > 50 else decode()

    async def record_vote(self, entry_id: str, user_id: str, helpful: bool) -> None:
        """One vote per member per entry; voting again replaces the earlier vote."""
        async with self.transaction():
            await self.db.execute(
                "INSERT INTO votes (entry_id, user_id, helpful, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (entry_id, user_id) DO UPDATE SET helpful = excluded.helpful, "
                "at = excluded.at",
                (entry_id, user_id, int(helpful), now_iso()),
            )

    # --- support servers: gaps, usage, auto-answered threads, privacy --------------------

    async def record_gap(self, guild_id: str, text: str) -> None:
        """Keep an unanswered question's text (no user id) until the retention purge."""
        async with self.transaction():
            await self.db.execute(
                "INSERT INTO gaps (guild_id, text, at) VALUES (?, ?, ?)",
                (guild_id, text, now_iso()),
            )

    async def gaps(self, guild_id: str, limit: int | None = None) -> list[str]:
        """A server's unanswered questions, oldest first; with `limit`, only the most recent
        (a server can hold hundreds of thousands, and only the most recent are grouped)."""
        async with self.db.execute(
            "SELECT text FROM gaps WHERE guild_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            (guild_id, -1 if limit is None else limit),  # SQLite: a negative limit is none
        ) as cursor:
            return [row["text"] for row in await cursor.fetchall()][::-1]

    async def gap_count(self, guild_id: str) -> int:
        row = await self._fetchone("SELECT COUNT(*) FROM gaps WHERE guild_id = ?", (guild_id,))
        return int(row[0]) if row else 0

    async def count_answer(self, guild_id: str, entry_id: str) -> None:
        async with self.transaction():
            await self.db.execute(
                "INSERT INTO answer_counts (guild_id, entry_id, answers) VALUES (?, ?, 1) "
                "ON CONFLICT (guild_id, entry_id) DO UPDATE SET answers = answers + 1",
                (guild_id, entry_id),
            )

    async def entry_stats(self, guild_id: str) -> list[tuple[str, int, int, int]]:
        """(entry id, answers here, helpful, not helpful) for every entry used or voted on."""
        async with self.db.execute(
            "SELECT id, COALESCE(a.answers, 0) AS answers, COALESCE(v.up, 0) AS up, "
            "COALESCE(v.down, 0) AS down FROM entries e "
            "LEFT JOIN answer_counts a ON a.entry_id = e.id AND a.guild_id = ? "
            "LEFT JOIN (SELECT entry_id, SUM(helpful) AS up, SUM(1 - helpful) AS down "
            "           FROM votes GROUP BY entry_id) v ON v.entry_id = e.id "
            "WHERE a.answers IS NOT NULL OR v.entry_id IS NOT NULL "
            "ORDER BY answers DESC, up + down DESC, id",
            (guild_id,),
        ) as cursor:
            rows = await cursor.fetchall()
        return [(r["id"], int(r["answers"]), int(r["up"]), int(r["down"])) for r in rows]

    async def claim_answer(self, guild_id: str, channel_id: str) -> bool:
        """True the first time a thread (or message) is claimed for an auto-answer, then never."""
        async with self.transaction():
            cursor = await self.db.execute(
                "INSERT OR IGNORE INTO answered (channel_id, guild_id, at) VALUES (?, ?, ?)",
                (channel_id, guild_id, now_iso()),
            )
            return cursor.rowcount == 1

    async def member_data(self, user_id: str) -> list[tuple[str, bool, str]]:
        """Everything stored that names a member: their votes (entry, helpful, when)."""
        async with self.db.execute(
            "SELECT entry_id, helpful, at FROM votes WHERE user_id = ? ORDER BY at", (user_id,)
        ) as cursor:
            return [(r["entry_id"], bool(r["helpful"]), r["at"]) for r in await cursor.fetchall()]

    async def forget_member(self, user_id: str) -> int:
        """Delete every row that names a member; return how many."""
        async with self.transaction():
            cursor = await self.db.execute("DELETE FROM votes WHERE user_id = ?", (user_id,))
            await self._audit(now_iso(), "privacy", "forget", None, None, "a member's data")
        return cursor.rowcount

    async def purge_expired(self, now: dt.datetime | None = None) -> int:
        """Delete unanswered questions older than each server's retention; return how many."""
        now = now or dt.datetime.now(dt.UTC)
        async with self.db.execute(
            "SELECT guild_id FROM gaps UNION SELECT guild_id FROM answered"
        ) as cursor:
            guilds = [row["guild_id"] for row in await cursor.fetchall()]
        deleted = 0
        for guild_id in guilds:
            days = (await self.guild_config(guild_id)).retention_days
            cutoff = (now - dt.timedelta(days=days)).isoformat(timespec="seconds")
            async with self.transaction():
                cursor = await self.db.execute(
                    "DELETE FROM gaps WHERE guild_id = ? AND at < ?", (guild_id, cutoff)
                )
                deleted += cursor.rowcount
            async with self.transaction():  # answered-thread ids are only needed for a while
                await self.db.execute(
                    "DELETE FROM answered WHERE guild_id = ? AND at < ?", (guild_id, cutoff)
                )
        return deleted

    async def guild_config(self, guild_id: str) -> GuildConfig:
        cached = self._guild_configs.get(guild_id)
        if cached is not None:
            return cached
        async with self.db.execute(
            "SELECT key, value FROM guild_config WHERE guild_id = ?", (guild_id,)
        ) as cursor:
            rows = await cursor.fetchall()
        config = GuildConfig.from_stored({row["key"]: row["value"] for row in rows})
        self._guild_configs[guild_id] = config
        return config

    async def set_guild_config(self, guild_id: str, actor: str, **changes: object) -> GuildConfig:
        """Change some of a server's settings (validated by GuildConfig), audited; return all."""
        stored = GuildConfig.to_stored(changes)
        async with self.transaction():
            for key, value in stored.items():
                if value is None:
                    await self.db.execute(
                        "DELETE FROM guild_config WHERE guild_id = ? AND key = ?", (guild_id, key)
                    )
                else:
                    await self.db.execute(
                        "INSERT INTO guild_config (guild_id, key, value) VALUES (?, ?, ?) "
                        "ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value",
                        (guild_id, key, value),
                    )
            detail = ", ".join(
                f"{k}={v if v is not None else 'default'}" for k, v in stored.items()
            )
            await self._audit(now_iso(), actor, "config", None, None, f"guild {guild_id}: {detail}")
        self._guild_configs.pop(guild_id, None)  # read back what was committed
        return await self.guild_config(guild_id)

    # --- revisions: the SQL of moderation (its rules are bot.knowledge.moderation's) --------
    # The writes run inside the caller's `transaction()`, so a check and its write are one.

    async def entry_state(self, entry_id: str) -> EntryState | None:
        row = await self._fetchone(f"{_STATES} WHERE id = ?", (entry_id,))
        return _state(row) if row is not None else None

    async def entry_states(self) -> dict[str, EntryState]:
        async with self.db.execute(_STATES) as cursor:
            return {row["id"]: _state(row) for row in await cursor.fetchall()}

    async def removed_entries(self) -> list[EntryState]:
        """Entries taken out of service, most recently removed first."""
        query = f"{_STATES} WHERE removed_at IS NOT NULL ORDER BY removed_at DESC"
        async with self.db.execute(query) as cursor:
            return [_state(row) for row in await cursor.fetchall()]

    async def revision(self, rev: int) -> Revision | None:
        found = await self._revisions("r.rev = ?", (rev,))
        return found[0] if found else None

    async def revisions_of(self, entry_id: str) -> list[Revision]:
        """Every revision of an entry, oldest first."""
        return await self._revisions("r.entry_id = ?", (entry_id,))

    async def drafts(self) -> list[Revision]:
        """Drafts waiting for review, oldest first."""
        return await self._revisions("r.status = 'draft'", ())

    async def add_draft(
        self,
        entry: Entry,
        *,
        based_on: int | None,
        author: str,
        reason: str,
        origin: str,
        action: str,
        new_topic: str | None = None,
    ) -> int:
        """A draft revision and its audit row; with `new_topic`, the entry is new (created in
        that topic). Returns the draft's number."""
        if new_topic is not None:
            await self.db.execute(
                "INSERT INTO entries (id, topic) VALUES (?, ?)", (entry.id, new_topic)
            )
        at = now_iso()
        rev = await self._add_revision(
            entry.id, canonical_json(entry), origin, "draft", based_on, at, author, reason
        )
        await self._audit(at, author, action, entry.id, rev, reason)
        return rev

    async def publish_draft(self, draft: Revision, approver: str) -> None:
        """The draft becomes its entry's live revision: one pointer moves, audited."""
        at = now_iso()
        await self.db.execute(
            "UPDATE revisions SET status = 'published', decided_by = ?, decided_at = ? "
            "WHERE rev = ?",
            (approver, at, draft.rev),
        )
        await self._publish(draft.entry_id, draft.rev)
        await self._audit(at, approver, "approve", draft.entry_id, draft.rev, draft.reason)

    async def reject_draft(self, draft: Revision, moderator: str, note: str) -> None:
        at = now_iso()
        await self.db.execute(
            "UPDATE revisions SET status = 'rejected', decided_by = ?, decided_at = ?, "
            "decision_note = ? WHERE rev = ?",
            (moderator, at, note, draft.rev),
        )
        await self._audit(at, moderator, "reject", draft.entry_id, draft.rev, note)

    async def set_removed(self, state: EntryState, removed: bool, actor: str, reason: str) -> None:
        """Take an entry out of service, or bring it back (its history stays either way)."""
        at = now_iso()
        await self.db.execute(
            "UPDATE entries SET removed_at = ? WHERE id = ?",
            (at if removed else None, state.entry_id),
        )
        action = "remove" if removed else "restore"
        await self._audit(at, actor, action, state.entry_id, state.live, reason)

    async def live_stamp(self) -> int:
        """The last audit row that changed what is live (every such change writes one)."""
        marks = ", ".join("?" * len(LIVE_CHANGES))
        row = await self._fetchone(
            f"SELECT COALESCE(MAX(id), 0) FROM audit WHERE action IN ({marks})", LIVE_CHANGES
        )
        return int(row[0]) if row else 0

    async def _revisions(self, where: str, params: tuple[object, ...]) -> list[Revision]:
        async with self.db.execute(
            "SELECT r.*, e.topic FROM revisions r JOIN entries e ON e.id = r.entry_id "
            f"WHERE {where} ORDER BY r.rev",
            params,
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            Revision(
                rev=row["rev"],
                entry=Entry.from_dict(json.loads(row["data"]), topic=row["topic"]),
                origin=row["origin"],
                status=row["status"],
                based_on=row["based_on"],
                author=row["author"],
                reason=row["reason"],
                created_at=row["created_at"],
                decided_by=row["decided_by"],
                decided_at=row["decided_at"],
                decision_note=row["decision_note"],
            )
            for row in rows
        ]

    # --- helpers -------------------------------------------------------------------------

    async def _fetchone(self, query: str, params: tuple[object, ...]) -> aiosqlite.Row | None:
        async with self.db.execute(query, params) as cursor:
            return await cursor.fetchone()

    async def _add_revision(
        self,
        entry_id: str,
        data: str,
        origin: str,
        status: str,
        based_on: int | None,
        at: str,
        author: str = SHIPPED_AUTHOR,
        reason: str = "",
    ) -> int:
        cursor = await self.db.execute(
            "INSERT INTO revisions (entry_id, data, origin, status, based_on, author, reason, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (entry_id, data, origin, status, based_on, author, reason, at),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def _publish(self, entry_id: str, rev: int) -> None:
        await self.db.execute("UPDATE entries SET live_revision = ? WHERE id = ?", (rev, entry_id))

    async def _audit(
        self, at: str, actor: str, action: str, entry_id: str | None, rev: int | None, detail: str
    ) -> None:
        await self.db.execute(
            "INSERT INTO audit (at, actor, action, entry_id, revision, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (at, actor, action, entry_id, rev, detail),
        )


_STATES = "SELECT id, topic, live_revision, removed_at FROM entries"


def _state(row: aiosqlite.Row) -> EntryState:
    return EntryState(row["id"], row["topic"], row["live_revision"], row["removed_at"])
