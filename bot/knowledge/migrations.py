"""The database's schema, as numbered migrations: each step takes version i to i + 1 (SQLite's
`user_version`). `KnowledgeStore.migrate` applies them, each in its own transaction, after a
backup of the old file (`bot.knowledge.dbops`)."""

from __future__ import annotations

# Each step takes the database from version i to i + 1; never edit a released step, add one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE entries (
        id TEXT PRIMARY KEY,
        topic TEXT NOT NULL,
        live_revision INTEGER,
        removed_at TEXT
    );
    CREATE TABLE revisions (
        rev INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_id TEXT NOT NULL REFERENCES entries(id),
        data TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('shipped', 'moderator', 'import')),
        status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'rejected')),
        based_on INTEGER,
        author TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE INDEX revisions_by_entry ON revisions(entry_id, rev);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        entry_id TEXT,
        revision INTEGER,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
    # 2: "Helpful / Not helpful" votes, one per member per entry (a new vote replaces the old).
    """
    CREATE TABLE votes (
        entry_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        at TEXT NOT NULL,
        PRIMARY KEY (entry_id, user_id)
    );
    """,
    # 3: per-server settings (more arrive with /config).
    """
    CREATE TABLE guild_settings (
        guild_id TEXT PRIMARY KEY,
        public_replies INTEGER CHECK (public_replies IN (0, 1))
    );
    """,
    # 4: moderation: who decided on a draft, when and why; per-server settings become one
    # key/value table (JSON values, typed by bot.knowledge.guild_config), so a new setting needs
    # no migration.
    """
    ALTER TABLE revisions ADD COLUMN decided_by TEXT;
    ALTER TABLE revisions ADD COLUMN decided_at TEXT;
    ALTER TABLE revisions ADD COLUMN decision_note TEXT NOT NULL DEFAULT '';
    CREATE TABLE guild_config (
        guild_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (guild_id, key)
    );
    INSERT INTO guild_config (guild_id, key, value)
        SELECT guild_id, 'public_replies', CASE public_replies WHEN 1 THEN 'true' ELSE 'false' END
        FROM guild_settings WHERE public_replies IS NOT NULL;
    DROP TABLE guild_settings;
    """,
    # 5: support servers. Unanswered questions for /faq gaps: the text only, never who asked,
    # deleted after the server's retention period. Answer counts for /faq stats. Threads and
    # messages already auto-answered (ids only), so the bot never answers one twice.
    """
    CREATE TABLE gaps (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        guild_id TEXT NOT NULL,
        text TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX gaps_by_guild ON gaps(guild_id, at);
    CREATE TABLE answer_counts (
        guild_id TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        answers INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (guild_id, entry_id)
    );
    CREATE TABLE answered (
        channel_id TEXT PRIMARY KEY,
        guild_id TEXT NOT NULL,
        at TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> list[str]:
    """Split a migration script into statements (triggers contain ';' inside BEGIN ... END)."""
    out: list[str] = []
    buffer = ""
    for line in script.strip().splitlines():
        buffer += line + "\n"
        stripped = line.strip()
        in_trigger = "CREATE TRIGGER" in buffer.upper() and "END;" not in buffer.upper()
        if stripped.endswith(";") and not in_trigger:
            out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out
