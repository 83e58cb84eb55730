"""Faults: Discord rate limits and errors, a database that is locked, read-only or full, and a
process killed in the middle of publishing. The bot keeps answering and loses nothing."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.knowledge.form import EditForm
from bot.knowledge.loader import LoadedKnowledge
from bot.knowledge.moderation import Moderation
from bot.knowledge.store import KnowledgeStore
from tests.conftest import REPO
from tests.discord_harness import Harness, eventually
from tests.fake_discord import MOD_LOG_CHANNEL_ID, FakeDiscord, Fault, Recorded, slash_command
from tests.test_discord_moderation import ALICE, BOB, click, draft_edit, send, title_of_answer

# A real `faqbot run` on a busy 2-core CI machine can be many times slower than here; these waits
# are about what survives a kill, never about speed, so they are generous.
GENEROUS = 120.0


async def test_a_rate_limited_answer_is_retried_after_retry_after(discord_bot: Harness) -> None:
    discord_bot.fake.faults.append(Fault("POST", "/interactions/", 429, retry_after=0.3))
    started = time.perf_counter()
    body = await discord_bot.ask("what is kratom")
    assert body["data"]["embeds"][0]["title"] == "What is kratom?"
    assert len(discord_bot.fake.failed) == 1 and time.perf_counter() - started >= 0.3


async def test_a_discord_server_error_is_retried(discord_bot: Harness) -> None:
    discord_bot.fake.faults.append(Fault("POST", "/interactions/", 502))
    body = await discord_bot.ask("what is ptsd")
    assert body["data"]["embeds"][0]["title"] and len(discord_bot.fake.failed) == 1


async def test_a_failing_mod_log_never_undoes_a_change(discord_bot: Harness) -> None:
    await discord_bot.bot.runtime.store.set_guild_config(
        "1200000000000000001", "test", mod_log_channel=int(MOD_LOG_CHANNEL_ID)
    )
    discord_bot.fake.faults.append(
        Fault("POST", f"/channels/{MOD_LOG_CHANNEL_ID}/", 500, times=100)
    )
    rev = await draft_edit(discord_bot, "kratom-legal", "Published despite the mod-log.")
    done = await send(discord_bot, click(f"mod:approve:{rev}", BOB))
    assert "is live now" in done["data"]["content"]
    assert "Published despite" in await title_of_answer(discord_bot, "is kratom legal")


def fill_the_disk(store_path: Path) -> Callable[[KnowledgeStore], Awaitable[None]]:
    async def full(store: KnowledgeStore) -> None:
        # The database may not grow, and its free space is used up: the next write fails with
        # SQLITE_FULL ("database or disk is full"), exactly as on a full disk.
        async with store.db.execute("PRAGMA page_count") as cursor:
            pages = (await cursor.fetchone())[0]  # type: ignore[index]
        await store.db.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(sqlite3.OperationalError, match="full"):
            for _ in range(100_000):
                # Rows smaller than any real write, so no real write fits in what is left.
                await store.db.execute(
                    "INSERT INTO audit (at, actor, action) VALUES ('x', 'x', 'x')"
                )

    return full


@pytest.mark.parametrize("fault", ["locked", "read-only", "full"])
async def test_database_trouble_is_explained_and_the_live_faq_stays(
    discord_bot: Harness, tmp_path: Path, fault: str
) -> None:
    bot = discord_bot
    store = bot.bot.runtime.store
    rev = await draft_edit(bot, "kratom-legal", "Should not go live while the database fails.")
    before = await title_of_answer(bot, "is kratom legal")
    holder: sqlite3.Connection | None = None
    if fault == "locked":
        await store.db.execute("PRAGMA busy_timeout = 200")
        for _ in range(100):  # /ask's bookkeeping may still be committing
            if not store.db.in_transaction:
                break
            await asyncio.sleep(0.01)
        assert not store.db.in_transaction, "the bot left a transaction open"
        holder = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another process holds the database
    elif fault == "read-only":
        await store.db.execute("PRAGMA query_only = ON")
    else:
        await fill_the_disk(tmp_path / "bot.db")(store)
    try:
        refused = await send(bot, click(f"mod:approve:{rev}", BOB))
        assert "database is busy or unavailable" in refused["data"]["content"]
        assert "Nothing was changed" in refused["data"]["content"]
        vote = await bot.send(click("faq:up:kratom-legal", BOB))
        if fault != "full":  # (a full database still takes writes that fit in free space)
            assert "database is busy or unavailable" in vote["data"]["content"]
        # Members keep getting answers, from the revision that was live before.
        assert await title_of_answer(bot, "is kratom legal") == before
    finally:
        if holder is not None:
            holder.execute("ROLLBACK")
            holder.close()
        await store.db.execute("PRAGMA query_only = OFF")
        await store.db.execute("PRAGMA max_page_count = 1073741823")
        await store.db.execute("PRAGMA busy_timeout = 5000")
    # Once the database is healthy again, the same draft publishes normally.
    assert [d.rev for d in await bot.bot.runtime.moderation.pending()] == [rev]
    done = await send(bot, click(f"mod:approve:{rev}", BOB))
    assert "is live now" in done["data"]["content"]


PUBLISHER = """
import asyncio, sys
from pathlib import Path
from bot.config import SHIPPED_KNOWLEDGE
from bot.knowledge.loader import load_knowledge
from bot.knowledge.moderation import Moderation
from bot.knowledge.store import KnowledgeStore

async def main() -> None:
    loaded = load_knowledge(SHIPPED_KNOWLEDGE)
    store = await KnowledgeStore.open(Path(sys.argv[1]))
    moderation = Moderation(store, loaded.matching, loaded.topics)
    drafts = await moderation.pending()
    print("publishing", flush=True)
    for draft in drafts:
        await moderation.approve(draft.rev, "discord:2")
    print("done", flush=True)

asyncio.run(main())
"""


async def prepare_drafts(path: Path, loaded: LoadedKnowledge) -> dict[str, tuple[str, str]]:
    """A database with one draft per entry; returns entry -> (old answer, new answer)."""
    answers = {}
    async with await KnowledgeStore.open(path) as store:
        await store.sync_shipped(loaded.entries)
        moderation = Moderation(store, loaded.matching, loaded.topics)
        for entry in loaded.entries:
            live = await moderation.live(entry.id)
            assert live is not None
            new = f"Revised: {entry.answer}"[:1500]
            form = EditForm.from_entry(entry)
            changed = form.__class__(**{**form.__dict__, "answer": new})
            draft = changed.to_entry(entry.id, clinical=entry.clinical)
            await moderation.save_draft(draft, based_on=live.rev, author=ALICE)
            answers[entry.id] = (entry.answer, draft.answer)
    return answers


def check_consistent(path: Path, answers: dict[str, tuple[str, str]]) -> int:
    """Every entry serves its old or its new revision, never a mix; return how many are new."""
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        published_new = 0
        for entry_id, (old, new) in answers.items():
            rev, data, status, entry_of_rev, decided_by = db.execute(
                "SELECT r.rev, r.data, r.status, r.entry_id, r.decided_by FROM entries e "
                "JOIN revisions r ON r.rev = e.live_revision WHERE e.id = ?",
                (entry_id,),
            ).fetchone()
            answer = json.loads(data)["answer"]
            assert status == "published" and entry_of_rev == entry_id
            assert answer in (old, new)
            if answer == new:
                published_new += 1
                assert decided_by in ("discord:2", BOB)
                audit = db.execute(
                    "SELECT COUNT(*) FROM audit WHERE action = 'approve' AND revision = ?", (rev,)
                ).fetchone()[0]
                assert audit == 1  # the pointer, the status and the audit row move together
        approvals = db.execute("SELECT COUNT(*) FROM audit WHERE action = 'approve'").fetchone()
        statuses = db.execute(
            "SELECT COUNT(*) FROM revisions WHERE origin = 'moderator' AND status = 'published'"
        ).fetchone()
        assert approvals[0] == statuses[0] == published_new
    return published_new


@pytest.mark.parametrize("kill_after", [0.02, 0.08, 0.15, 0.3])
async def test_sigkill_while_publishing_leaves_old_or_new_never_a_mix(
    tmp_path: Path, loaded: LoadedKnowledge, kill_after: float
) -> None:
    path = tmp_path / "kill.db"
    answers = await prepare_drafts(path, loaded)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAQBOT_", "DISCORD_"))}
    process = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(path)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "publishing"
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    published = check_consistent(path, answers)
    assert 0 <= published <= len(answers)
    # On restart the store opens (WAL recovery), serves a whole FAQ, and the rest can publish.
    async with await KnowledgeStore.open(path) as store:
        moderation = Moderation(store, loaded.matching, loaded.topics)
        assert len(await store.live_entries()) == len(answers)
        for draft in await moderation.pending():
            await moderation.approve(draft.rev, BOB)
    assert check_consistent(path, answers) == len(answers)


def callbacks(fake: FakeDiscord, start: int) -> list[Recorded]:
    """Interaction replies: callbacks, or for a deferred one (5, 6) the follow-up instead."""
    return [
        r
        for r in fake.requests[start:]
        if (r.path.endswith("/callback") and r.body.get("type") not in (5, 6))
        or r.path.startswith("/webhooks/")
    ]


async def start_bot(fake: FakeDiscord, db: Path) -> asyncio.subprocess.Process:
    fake.identified.clear()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=REPO,
        env=fake.bot_env(db, FAQBOT_LOG_LEVEL="warning"),
        stderr=asyncio.subprocess.DEVNULL,
    )
    await asyncio.wait_for(fake.identified.wait(), GENEROUS)
    return process


@pytest.mark.parametrize("killed_after", [1, 6])
async def test_sigkill_of_the_running_bot_mid_approval_loses_nothing(
    tmp_path: Path, loaded: LoadedKnowledge, killed_after: int
) -> None:
    """The literal case: a moderator approves drafts in Discord and `faqbot run` is killed."""
    path = tmp_path / "bot.db"
    answers = await prepare_drafts(path, loaded)
    async with await KnowledgeStore.open(path) as store:
        drafts = await Moderation(store, loaded.matching, loaded.topics).pending()
    fake = FakeDiscord()
    await fake.start()
    process = await start_bot(fake, path)
    try:
        start = len(fake.requests)
        for draft in drafts:  # a second moderator clicks Approve on every draft, quickly
            await fake.dispatch("INTERACTION_CREATE", click(f"mod:approve:{draft.rev}", "2"))

        async def enough_published() -> bool:
            live = sum("is live now" in str(r.body) for r in callbacks(fake, start))
            return live >= killed_after

        await eventually(enough_published, timeout=GENEROUS)
        process.kill()  # SIGKILL, while the rest are being published
        await process.wait()
        published = check_consistent(path, answers)
        assert killed_after <= published < len(answers)

        # Restarted, the bot serves a whole FAQ and the remaining drafts publish normally.
        process = await start_bot(fake, path)
        start = len(fake.requests)
        for draft in drafts:
            await fake.dispatch("INTERACTION_CREATE", click(f"mod:approve:{draft.rev}", "2"))

        # Every click is answered: "is live now", or "Not published" for those already live.
        async def all_answered() -> bool:
            return len(callbacks(fake, start)) == len(drafts)

        await eventually(all_answered, timeout=GENEROUS)
        assert check_consistent(path, answers) == len(answers)
        ask = slash_command("ask", [{"type": 3, "name": "question", "value": "is kratom legal"}])
        start = len(fake.requests)
        await fake.dispatch("INTERACTION_CREATE", ask)
        reply = await fake.wait_for_request(lambda r: "/callback" in r.path, start=start)
        assert reply.body["data"]["embeds"][0]["description"].startswith("Revised:")
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.stop()
