"""`faqbot run` as a real process: serves, logs safely, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
import sys
from pathlib import Path

import aiohttp

from tests.fake_discord import FakeDiscord, slash_command


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
