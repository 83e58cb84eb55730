"""The Discord bot: its lifecycle, its error handling, and the list of features it loads.

Each feature is a `commands.Cog` in `bot/discord_app/features/` with `async def setup(bot)`:
it declares its own commands, buttons (`DynamicItem`s, by custom_id template) and periodic
work, and registers itself when `setup_hook` loads it. This module imports no feature. What
features share (sending a reply, the mod-log, who moderates) is `bot.discord_app.services`;
what a member reads comes from `bot.core` through `render_reply`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.core.engine import AskContext
from bot.core.reply import Reply
from bot.discord_app.metrics import Metrics
from bot.discord_app.services import NO_PINGS, apologise
from bot.runtime import Runtime

log = logging.getLogger("faqbot.discord")
DRAIN_SECONDS = 10.0  # how long a stop waits for interactions already being answered

# Loaded in this order (insights adds /faq gaps and /faq stats to moderation's /faq group).
FEATURES = (
    "bot.discord_app.features.member",  # /ask /resources /about /show, votes and shares
    "bot.discord_app.features.browse",  # /browse and its pages
    "bot.discord_app.features.moderation",  # /faq: drafts, review, history, import/export
    "bot.discord_app.features.insights",  # /faq gaps, /faq stats
    "bot.discord_app.features.support",  # watched channels, crisis alerts, Answer from FAQ
    "bot.discord_app.features.helpers",  # "Did this answer?" and Talk to a helper
    "bot.discord_app.features.privacy",  # /privacy, and the retention purge
    "bot.discord_app.features.config",  # /config
    "bot.discord_app.features.health",  # /healthz and /metrics, when a port is set
)


class FaqBot(commands.Bot):
    def __init__(self, runtime: Runtime, settings: Settings) -> None:
        # Message Content (privileged) is for auto-answers in watched help channels; without it
        # the bot says so once and keeps serving slash commands (see `connect`).
        intents = discord.Intents.default()
        intents.message_content = True
        # No message cache: discord.py would otherwise hold the last 1,000 messages of every
        # channel it sees, members' words included, in memory. Nothing here reads it.
        super().__init__(
            command_prefix=commands.when_mentioned,  # unused: slash commands only (on_message)
            help_command=None,
            tree_cls=SafeCommandTree,
            intents=intents,
            allowed_mentions=NO_PINGS,
            max_messages=None,
        )
        self.message_content = True
        self.runtime = runtime
        self.settings = settings
        self.metrics = Metrics()
        # custom_id templates of the features' buttons, and what an id that fits none of them
        # gets by its prefix (an old or forged button is answered, never met with silence).
        self.button_templates: set[re.Pattern[str]] = set()
        self.unknown_buttons: dict[str, str] = {}

    async def setup_hook(self) -> None:
        await self.load_features()
        if self.settings.sync_on_start:
            await self.tree.sync()

    async def load_features(self) -> None:
        for name in FEATURES:
            await self.load_extension(name)

    async def connect(self, *, reconnect: bool = True) -> None:
        try:
            await super().connect(reconnect=reconnect)
        except discord.PrivilegedIntentsRequired:
            if not self.message_content:
                raise
            log.error(
                "Discord refused the Message Content intent, so auto-answers in help channels "
                "are OFF. Slash commands keep working. To turn auto-answers on: Developer "
                "Portal > your application > Bot > Privileged Gateway Intents > Message "
                "Content Intent, then restart faqbot."
            )
            self.message_content = False
            self._connection._intents.message_content = False
            await super().connect(reconnect=reconnect)

    async def on_message(self, message: discord.Message, /) -> None:
        """No text commands: features listen to messages themselves (support)."""

    async def drain(self, timeout: float = DRAIN_SECONDS) -> int:
        """Let interactions already being handled finish (bounded); return how many waited."""
        pending = [
            task
            for task in asyncio.all_tasks()
            if not task.done()
            and task.get_name().startswith(
                ("CommandTree-invoker", "discord.py: on_interaction", "discord-ui-dynamic-item")
            )
        ]
        if pending:
            await asyncio.wait(pending, timeout=timeout)
        return len(pending)

    async def shutdown(self) -> None:
        """Graceful stop: finish in-flight interactions, then close Discord and the features."""
        waited = await self.drain()
        log.info("stopping after %d in-flight interaction(s)", waited)
        await self.close()

    async def engine_answer(self, question: str, context: AskContext) -> Reply:
        """The core's answer (off the event loop), timed and counted for /metrics (counts only,
        never text)."""
        started = time.perf_counter()
        reply = await self.runtime.answer(question, context)
        self.metrics.reply(reply.kind.value, time.perf_counter() - started)
        return reply

    def add_dynamic_items(self, *items: type[discord.ui.DynamicItem[Any]]) -> None:
        super().add_dynamic_items(*items)
        self.button_templates.update(item.__discord_ui_compiled_template__ for item in items)

    def remove_dynamic_items(self, *items: type[discord.ui.DynamicItem[Any]]) -> None:
        super().remove_dynamic_items(*items)
        self.button_templates.difference_update(
            item.__discord_ui_compiled_template__ for item in items
        )

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Count it; answer a button whose custom_id fits no feature's template politely."""
        self.metrics.interaction(interaction.type.name)
        if interaction.type is not discord.InteractionType.component:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if any(template.fullmatch(custom_id) for template in self.button_templates):
            return  # a feature's DynamicItem answers it
        for prefix, text in self.unknown_buttons.items():
            if custom_id.startswith(prefix):
                await interaction.response.send_message(
                    text, ephemeral=True, allowed_mentions=NO_PINGS
                )
                return


class SafeCommandTree(app_commands.CommandTree[Any]):
    """A command tree that answers even when discord.py cannot read the interaction, and
    apologises for any command that fails.

    discord.py parses options and resolved data before any of our code runs; a malformed or
    crafted payload failed there with no reply at all (found by the hostile-input tests).
    """

    async def _call(self, interaction: discord.Interaction) -> None:
        try:
            await super()._call(interaction)
        except Exception as exc:
            log.error("an interaction could not be read (%s)", type(exc).__name__)
            await apologise(interaction, exc)

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        if isinstance(error, app_commands.CommandOnCooldown):
            text = (
                f"You're asking quickly, which is fine! Please wait {error.retry_after:.0f} s "
                "and ask again. If you need help right now, use /resources."
            )
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        if isinstance(error, app_commands.CheckFailure) and interaction.response.is_done():
            return  # the check answered (a polite refusal)
        # Log what failed, never what the member wrote.
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error("command /%s failed", command, exc_info=error)
        await apologise(interaction, error)


class ShardedFaqBot(FaqBot, commands.AutoShardedBot):
    """The same bot over several gateway shards, for very large or many servers."""

    def __init__(self, runtime: Runtime, settings: Settings) -> None:
        super().__init__(runtime, settings)
        if settings.shards not in (None, "auto"):
            self.shard_count = int(str(settings.shards))


def make_bot(runtime: Runtime, settings: Settings) -> FaqBot:
    """A FaqBot, sharded when FAQBOT_SHARDS asks for it."""
    return ShardedFaqBot(runtime, settings) if settings.shards else FaqBot(runtime, settings)


__all__ = ["FEATURES", "FaqBot", "ShardedFaqBot", "make_bot"]
