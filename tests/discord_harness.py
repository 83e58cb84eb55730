"""The real discord.py client against the fake Discord: start it, send, read the replies."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.config import Settings
from bot.discord_app.client import FaqBot, make_bot
from bot.discord_app.runner import point_at
from bot.runtime import start_runtime
from tests.fake_discord import FakeDiscord, interaction, message, slash_command

ORIGINAL_API = discord.http.Route.BASE
ORIGINAL_GATEWAY = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


def fake_settings(fake: FakeDiscord, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "FAQBOT_DB": str(tmp_path / "bot.db"),
            "DISCORD_TOKEN": "fake-token",
            "FAQBOT_DISCORD_API": fake.api_base,
            "FAQBOT_DISCORD_GATEWAY": f"ws://127.0.0.1:{fake.port}/gateway",
            # Discord behaviour is tested on rules alone (fast starts); tests of understanding
            # through Discord pass model=True (test_discord_e2e.py).
            "FAQBOT_MODEL": "off",
        }
    )


class Harness:
    def __init__(self, fake: FakeDiscord, bot: FaqBot) -> None:
        self.fake, self.bot = fake, bot

    async def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Dispatch an interaction; return the callback body the bot sent for it."""
        start = len(self.fake.requests)
        await self.fake.dispatch("INTERACTION_CREATE", payload)
        path = f"/interactions/{payload['id']}/{payload['token']}/callback"
        found = await self.fake.wait_for_request(lambda r: r.path == path, start=start)
        assert found.method == "POST"
        body: dict[str, Any] = found.body
        return body

    async def ask(self, question: str, locale: str = "en-US", **kw: Any) -> dict[str, Any]:
        option = [{"type": 3, "name": "question", "value": question}]
        return await self.send(slash_command("ask", option, locale=locale, **kw))


@asynccontextmanager
async def running_bot(
    tmp_path: Path, fake: FakeDiscord | None = None, **overrides: Any
) -> AsyncIterator[Harness]:
    """The real client, connected to a fresh fake Discord, torn down whatever happens."""
    fake = fake or FakeDiscord()
    await fake.start()
    settings = dataclasses.replace(fake_settings(fake, tmp_path), **overrides)
    point_at(settings)
    runtime = await start_runtime(settings)
    bot = make_bot(runtime, settings)
    task = asyncio.create_task(bot.start("fake-token"))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 20)
        yield Harness(fake, bot)
    finally:
        await bot.close()
        task.cancel()
        await runtime.close()
        await fake.stop()
        discord.http.Route.BASE = ORIGINAL_API
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = ORIGINAL_GATEWAY


@pytest.fixture
async def discord_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(tmp_path) as harness:
        yield harness


async def votes(harness: Harness, entry_id: str) -> tuple[int, int]:
    """(helpful, not helpful) for an entry, as /faq stats counts them (votes: all servers)."""
    for found, _, up, down in await harness.bot.runtime.store.entry_stats("any"):
        if found == entry_id:
            return up, down
    return 0, 0


def embed_size(embed: dict[str, Any]) -> int:
    """Characters Discord counts towards the 6,000 total of an embed."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("footer", {}).get("text", ""))
    total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    return total


def embed_text(body: dict[str, Any]) -> str:
    embed = body["data"]["embeds"][0]
    parts = [
        embed.get("title", ""),
        embed.get("description", ""),
        embed.get("footer", {}).get("text", ""),
    ]
    parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def custom_ids(body: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in body["data"].get("components", []) for c in row["components"]]


def button(custom_id: str, user_id: str = "1500000000000000001") -> dict[str, Any]:
    return interaction(
        3,
        {"custom_id": custom_id, "component_type": 2},
        user_id=user_id,
        message_payload=message({"flags": 64}),
    )


async def eventually(check: Any, timeout: float = 60.0) -> None:
    """Wait until `check()` (async) is true: /ask records use after it has replied. The timeout
    is only a ceiling for a hung test (a busy CI machine is slow); passing waits end at once."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)
