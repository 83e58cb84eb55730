"""Starting the Discord bot, registering its commands, and building its invite link."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import discord
import yarl

from bot.config import Settings
from bot.discord_app.client import FaqBot, make_bot
from bot.process_memory import release_free_memory_periodically
from bot.runtime import start_runtime

log = logging.getLogger("faqbot.discord")

# Exactly what faqbot uses: read and answer in help channels and forum posts, embeds, slash
# commands, and private "Talk to a helper" threads. Nothing that can manage, kick or ping everyone.
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,  # /faq export
    read_message_history=True,
    send_messages_in_threads=True,
    create_private_threads=True,
    use_application_commands=True,
)


class JsonLines(logging.Formatter):
    """One JSON object per log line, for log shippers. Members' words are never logged."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler], force=True)
    quiet_loggers_that_log_content()
    # faqbot has no voice: discord.py's "PyNaCl/davey is not installed, voice will NOT be
    # supported" at every start would only be noise (it warns once, when these are True).
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


# Libraries whose debug logs contain what members wrote: discord.py logs raw gateway events,
# aiosqlite logs every SQL parameter (unanswered questions are stored for /faq gaps).
CONTENT_LOGGERS = ("discord", "aiosqlite")


def quiet_loggers_that_log_content() -> None:
    """Never below INFO for those, whatever FAQBOT_LOG_LEVEL asks (faqbot's own debug stays)."""
    for name in CONTENT_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


def point_at(settings: Settings) -> None:
    """Use another API/gateway address (only ever a local test double)."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base
    if settings.discord_gateway:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway)


@asynccontextmanager
async def faqbot_client(settings: Settings) -> AsyncIterator[FaqBot]:
    """A FaqBot over a started runtime; closes both, whatever happens."""
    point_at(settings)
    runtime = await start_runtime(settings)
    bot = make_bot(runtime, settings)
    try:
        yield bot
    finally:
        if not bot.is_closed():
            await bot.close()
        await runtime.close()


async def serve(settings: Settings) -> None:
    """Run until Discord disconnects for good or SIGTERM/SIGINT asks us to stop.

    On a signal the bot closes its gateway connection and HTTP session, then the database is
    closed cleanly (every write is its own committed transaction, so nothing is half-done).
    """
    assert settings.discord_token
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # Keeps resident memory flat under sustained load (see bot/process_memory.py).
    releasing = asyncio.create_task(release_free_memory_periodically(), name="faqbot memory")
    try:
        async with faqbot_client(settings) as bot:
            running = asyncio.create_task(bot.start(settings.discord_token))
            stopping = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stopping in done:
                log.info("stopping: finishing in-flight interactions, then closing")
                await bot.shutdown()
                await asyncio.gather(running, return_exceptions=True)
            else:
                stopping.cancel()
                running.result()  # re-raise a login or connection failure
    finally:
        releasing.cancel()


def discord_problem(error: BaseException) -> str | None:
    """One line saying what went wrong with Discord and what to do; None if it is not that."""
    if isinstance(error, discord.LoginFailure):
        return (
            "Discord refused the token: check DISCORD_TOKEN (Developer Portal > your "
            "application > Bot > Reset Token)"
        )
    if isinstance(error, aiohttp.ClientConnectionError | asyncio.TimeoutError):
        return (
            f"cannot reach Discord ({str(error) or type(error).__name__}): check this machine's "
            "network connection and try again"
        )
    if isinstance(error, discord.HTTPException):
        if error.status == 403:
            return f"Discord said no ({error.text}): is the bot in that server, with its invite?"
        return f"Discord answered {error.status} ({error.text or 'no details'}): try again later"
    return None


def run_bot(settings: Settings) -> int:
    configure_logging(settings)
    try:
        asyncio.run(serve(settings))
    except KeyboardInterrupt:
        pass
    except Exception as error:
        problem = discord_problem(error)
        if problem is None:
            raise
        log.error(problem)
        return 1
    return 0


async def sync_commands(settings: Settings, guild_id: int | None) -> list[str]:
    """Register the slash commands (globally, or in one guild for instant testing)."""
    assert settings.discord_token
    async with faqbot_client(settings) as bot:
        await bot.login(settings.discord_token)
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            bot.tree.copy_global_to(guild=guild)
        synced = await bot.tree.sync(guild=guild)
        return [command.name for command in synced]


async def application_id(settings: Settings) -> int:
    point_at(settings)
    client = discord.Client(intents=discord.Intents.none())
    try:
        assert settings.discord_token
        await client.login(settings.discord_token)
        assert client.application_id is not None
        return client.application_id
    finally:
        await client.close()


def invite_url(app_id: int) -> str:
    return discord.utils.oauth_url(
        app_id, permissions=INVITE_PERMISSIONS, scopes=("bot", "applications.commands")
    )
