"""`faqbot run` as a real process: serves, logs safely, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
import sys
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import RunCli
from tests.discord_harness import eventually
from tests.fake_discord import FakeDiscord, slash_command
from tests.test_faults import start_bot


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_run_serves_then_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    fake = FakeDiscord()
    await fake.start()
    db = tmp_path / "run.db"
    health_port = free_port()
    env = fake.bot_env(
        db,
        FAQBOT_LOG_FORMAT="json",
        # Even at debug level, members' words must not reach the logs.
        FAQBOT_LOG_LEVEL="debug",
        FAQBOT_HEALTH_PORT=str(health_port),
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    # Read the logs while the bot runs: at debug level a full pipe would block it.
    logs = asyncio.create_task(proc.stderr.read())
    try:
        await asyncio.wait_for(fake.identified.wait(), 30)
        question = "is kratom addictive zqxj"
        payload = slash_command("ask", [{"type": 3, "name": "question", "value": question}])
        await fake.dispatch("INTERACTION_CREATE", payload)
        callback = await fake.wait_for_request(lambda r: r.path.startswith("/interactions/"))
        assert callback.body["data"]["embeds"][0]["title"] == "Is kratom addictive?"
        # An unanswerable question is stored for /faq gaps: storing it must not log it either.
        unanswerable = "where can i buy a zqxj weighted blanket"
        payload = slash_command("ask", [{"type": 3, "name": "question", "value": unanswerable}])
        start = len(fake.requests)
        await fake.dispatch("INTERACTION_CREATE", payload)
        await fake.wait_for_request(lambda r: r.path.startswith("/interactions/"), start=start)

        async with aiohttp.ClientSession() as http:
            for _ in range(100):  # ready once discord.py has waited for the guilds
                async with http.get(f"http://127.0.0.1:{health_port}/healthz") as health:
                    status, report = health.status, await health.json()
                if status == 200:
                    break
                await asyncio.sleep(0.1)
            assert report == {"status": "ok", "discord": "connected", "database": "ok"}
            async with http.get(f"http://127.0.0.1:{health_port}/metrics") as metrics:
                exposition = await metrics.text()
        assert 'faqbot_replies_total{kind="answer"} 1' in exposition
        assert 'faqbot_replies_total{kind="no_match"} 1' in exposition
        assert "faqbot_reply_seconds_count 2" in exposition
        assert 'faqbot_interactions_total{type="application_command"} 2' in exposition
        assert "zqxj" not in exposition

        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        err = await logs
        assert proc.returncode == 0, err.decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await fake.stop()

    lines = [line for line in err.decode().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every log line is one JSON object
    assert any("stopping" in r["message"] for r in records)
    assert "zqxj" not in err.decode()  # a member's words never reach the logs
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("SELECT COUNT(*) FROM gaps").fetchone()[0] == 1  # it was stored


async def ask_and_wait(fake: FakeDiscord, question: str) -> dict[str, Any]:
    payload = slash_command("ask", [{"type": 3, "name": "question", "value": question}])
    start = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", payload)
    found = await fake.wait_for_request(lambda r: r.path.endswith("/callback"), start=start)
    return dict(found.body)


async def gaps_stored(db: Path, count: int) -> None:
    """Wait until the bot has stored `count` unanswered questions (it does so after replying)."""

    async def stored() -> bool:
        with sqlite3.connect(db) as check:
            return bool(check.execute("SELECT COUNT(*) FROM gaps").fetchone()[0] == count)

    await eventually(stored, timeout=120)


async def test_one_process_owns_the_database(tmp_path: Path, run_cli: RunCli) -> None:
    """Restore under a running bot is refused and loses nothing; a second bot is refused; a bot
    killed with SIGKILL leaves no stale lock behind."""
    db = tmp_path / "cli.db"  # the database run_cli's commands use
    fake = FakeDiscord()
    await fake.start()
    first = await start_bot(fake, db)
    second: asyncio.subprocess.Process | None = None
    try:
        backup = tmp_path / "before.db"
        saved = await asyncio.to_thread(run_cli, "db", "backup", str(backup))
        assert saved.returncode == 0, saved.stderr  # backing up stays allowed while running
        await ask_and_wait(fake, "where can i buy a zqxj weighted blanket")
        await gaps_stored(db, 1)  # written after the backup: a restore now would lose it

        busy = f"another faqbot (pid {first.pid}) is using {db}; stop it first"
        refused = await asyncio.to_thread(run_cli, "db", "restore", str(backup))
        assert refused.returncode == 1
        assert refused.stderr.splitlines() == [f"faqbot db: {busy}; nothing was changed"]
        assert not list(tmp_path.glob("cli.pre-restore-*"))

        second = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=fake.bot_env(db),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(second.communicate(), 60)
        assert second.returncode == 1
        assert err.decode().splitlines() == [f"faqbot run: {busy}"]

        # The first bot still serves and writes to the one database.
        await ask_and_wait(fake, "is there a zqxj app for mood tracking")
        await gaps_stored(db, 2)  # nothing was lost
        first.kill()  # SIGKILL: no chance to clean up
        await first.wait()

        first = await start_bot(fake, db)  # the kernel released the dead bot's lock
        reply = await ask_and_wait(fake, "is kratom addictive")
        assert reply["data"]["embeds"][0]["title"] == "Is kratom addictive?"
        first.send_signal(signal.SIGTERM)
        await asyncio.wait_for(first.wait(), 30)
        restored = await asyncio.to_thread(run_cli, "db", "restore", str(backup))
        assert restored.returncode == 0, restored.stderr  # with the bot stopped, restore works
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()
        await fake.stop()


def test_a_database_path_below_a_file_is_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine\n")
    env = {"DISCORD_TOKEN": "fake-token", "FAQBOT_DB": str(a_file / "bot.db")}
    result = run_cli("run", env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"faqbot run: cannot create the lock file {a_file}/bot.db.lock: {a_file} is not a folder"
    ]
