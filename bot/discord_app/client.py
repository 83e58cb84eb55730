"""The Discord adapter: slash commands, buttons and the context menu, rendering core `Reply`s.

Everything a member reads comes from `bot.core` via `render_reply`; this module only wires
Discord events to the engine. No message the bot sends can ping anyone (allowed mentions are
none everywhere), replies are ephemeral by default, and a member's words are never reposted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sqlite3
import sys
import time
from typing import Any

import discord
from discord import app_commands

from bot.config import Settings
from bot.core.engine import AskContext
from bot.core.reply import Reply, ReplyKind
from bot.core.resources import UnknownRegion
from bot.discord_app import views
from bot.discord_app.config_commands import register_config
from bot.discord_app.health import Metrics, start_health_server
from bot.discord_app.moderation import PREFIX as MODERATION_PREFIX
from bot.discord_app.moderation import register_moderation
from bot.discord_app.render import (
    ANSWERED_NO,
    ANSWERED_YES,
    SHARE,
    SHOW,
    TALK,
    VOTE_DOWN,
    VOTE_UP,
    clip,
    render_reply,
)
from bot.discord_app.support import (
    Support,
    gap_text,
    register_support,
    register_support_moderation,
    server_context,
    slow_down,
)
from bot.discord_app.views import NO_PINGS, stateless, to_view
from bot.knowledge.guild_config import GuildConfig
from bot.runtime import Runtime

log = logging.getLogger("faqbot.discord")
BROWSE_PAGE_SIZE = 10
PICK, TOPIC, PAGE = "faq:pick", "faq:topic", "faq:page:"
ASK_RATE, ASK_PER_SECONDS = 5, 60.0  # per member
DRAIN_SECONDS = 10.0  # how long a stop waits for interactions already being answered

ABOUT_TEXT = (
    "I'm **faqbot**, an FAQ bot, not a person and not a doctor. I answer questions about trauma, "
    "depression and kratom from vetted answers written from public health sources (NIH, NIMH, "
    "NIDA, FDA, CDC, SAMHSA, WHO, NHS); every answer lists its sources and when it was reviewed. "
    "I don't diagnose or give doses. If a message sounds like someone is in danger, I show crisis "
    "lines first.\n\n**What I store:** never your questions with your name. Your votes on "
    "answers are kept with your user ID so you can vote once. Questions I couldn't answer are "
    "kept as text only, without who asked, for a limited time, so moderators can fill the gaps. "
    "See it all with /privacy show; it is deleted with /privacy forget. Replies to /ask are "
    "visible only to you unless this server chose otherwise, and crisis replies are always "
    "private."
)


def ask_context(
    interaction: discord.Interaction, settings: Settings, config: GuildConfig | None = None
) -> AskContext:
    """The context of an interaction; with the server's settings when it has them."""
    guild_locale = str(interaction.guild_locale) if interaction.guild_locale else None
    if config is None and interaction.guild_id is not None:
        config = GuildConfig()
    return server_context(str(interaction.locale), guild_locale, config, settings.default_region)


async def send_reply(
    interaction: discord.Interaction,
    reply: Reply,
    *,
    ephemeral: bool,
    shareable: bool = True,
    helpers: bool = False,
    content: str | None = None,
) -> None:
    message = render_reply(reply, ephemeral=ephemeral, shareable=shareable, helpers=helpers)
    view = to_view(message)
    kwargs: dict[str, Any] = {
        "content": content,
        "embed": discord.Embed.from_dict(message.embed),
        "ephemeral": message.ephemeral,
        "allowed_mentions": NO_PINGS,
    }
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


class FaqBot(discord.Client):
    def __init__(self, runtime: Runtime, settings: Settings) -> None:
        # Message Content (privileged) is for auto-answers in watched help channels; without it
        # the bot says so once and keeps serving slash commands (see `connect`).
        intents = discord.Intents.default()
        intents.message_content = True
        # No message cache: discord.py would otherwise hold the last 1,000 messages of every
        # channel it sees, members' words included, in memory. Nothing here reads it.
        super().__init__(intents=intents, allowed_mentions=NO_PINGS, max_messages=None)
        self.message_content = True
        self.runtime = runtime
        self.settings = settings
        self.tree = SafeCommandTree(self)
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        self.metrics = Metrics()
        self.health_runner: Any = None
        register_commands(self)
        self.moderation = register_moderation(self)
        register_config(self)
        self.support = Support(self)
        register_support(self, self.support)
        faq_group = self.tree.get_command("faq")
        assert isinstance(faq_group, app_commands.Group)
        register_support_moderation(self, self.support, faq_group)

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

    async def on_message(self, message: discord.Message) -> None:
        try:
            await self.support.on_message(message)
        except Exception:
            log.exception("auto-answer failed in channel %s", message.channel.id)

    async def setup_hook(self) -> None:
        self.support.start_purging()
        if self.settings.sync_on_start:
            await self.tree.sync()
        if self.settings.health_port is not None:
            self.health_runner = await start_health_server(self, self.settings.health_port)

    async def drain(self, timeout: float = DRAIN_SECONDS) -> int:
        """Let interactions already being handled finish (bounded); return how many waited."""
        pending = [
            task
            for task in asyncio.all_tasks()
            if not task.done()
            and task.get_name().startswith(("CommandTree-invoker", "discord.py: on_interaction"))
        ]
        if pending:
            await asyncio.wait(pending, timeout=timeout)
        return len(pending)

    async def shutdown(self) -> None:
        """Graceful stop: finish in-flight interactions, then close Discord and health."""
        waited = await self.drain()
        log.info("stopping after %d in-flight interaction(s)", waited)
        await self.close()

    async def close(self) -> None:
        await self.support.stop_purging()
        if self.health_runner is not None:
            await self.health_runner.cleanup()
            self.health_runner = None
        await super().close()

    async def engine_answer(self, question: str, context: AskContext) -> Reply:
        """The core's answer (off the event loop), timed and counted for /metrics (counts only,
        never text)."""
        started = time.perf_counter()
        reply = await self.runtime.answer(question, context)
        self.metrics.reply(reply.kind.value, time.perf_counter() - started)
        return reply

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Buttons are routed by custom_id prefix, so they keep working after a restart."""
        self.metrics.interaction(interaction.type.name)
        if interaction.type not in (
            discord.InteractionType.component,
            discord.InteractionType.modal_submit,
        ):
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        try:
            if custom_id.startswith(MODERATION_PREFIX):
                await self.moderation.handle(interaction, custom_id, data)
            elif custom_id.startswith((TALK, ANSWERED_YES, ANSWERED_NO)):
                await self.support.handle(interaction, custom_id)
            else:
                await self.handle_button(interaction, custom_id, data)
        except Exception:
            log.exception("button %s failed", custom_id.split(":")[1] if ":" in custom_id else "?")
            await apologise(interaction, sys.exc_info()[1])

    async def handle_button(
        self, interaction: discord.Interaction, custom_id: str, data: dict[str, Any]
    ) -> None:
        engine = self.runtime.engine
        context = ask_context(interaction, self.settings)
        values = [str(v) for v in data.get("values") or []]  # select menus
        if custom_id == PICK and values:
            custom_id = SHOW + str(values[0])
        if custom_id == TOPIC and values:
            custom_id = f"{PAGE}{values[0]}:0"
        if custom_id.startswith(PAGE):
            topic, _, page = custom_id[len(PAGE) :].rpartition(":")
            embed, view = self.browse_page(topic, int(page) if page.isdigit() else 0)
            if interaction.message is not None and interaction.message.flags.ephemeral:
                await interaction.response.edit_message(embed=embed, view=view)
            else:
                await interaction.response.send_message(
                    embed=embed, view=view, ephemeral=True, allowed_mentions=NO_PINGS
                )
            return
        for prefix, helpful in ((VOTE_UP, True), (VOTE_DOWN, False)):
            if custom_id.startswith(prefix):
                entry_id = custom_id[len(prefix) :]
                if entry_id not in engine.by_id:
                    break
                await self.runtime.store.record_vote(entry_id, str(interaction.user.id), helpful)
                await interaction.response.send_message(
                    "Thanks, your feedback helps the moderators improve this answer.",
                    ephemeral=True,
                    allowed_mentions=NO_PINGS,
                )
                return
        if custom_id.startswith(SHARE):
            reply = engine.entry_reply(custom_id[len(SHARE) :], context)
            if reply is not None:
                if wait := self.support.shares.claim((interaction.guild_id, interaction.user.id)):
                    await interaction.response.send_message(
                        slow_down(wait, "shared several answers"),
                        ephemeral=True,
                        allowed_mentions=NO_PINGS,
                    )
                    return
                # Public, and only the FAQ answer: the member's question is never reposted.
                await send_reply(interaction, reply, ephemeral=False, shareable=False)
                return
        if custom_id.startswith(SHOW):
            reply = engine.entry_reply(custom_id[len(SHOW) :], context)
            if reply is not None:
                await send_reply(interaction, reply, ephemeral=True)
                return
        if custom_id.startswith("faq:"):
            await interaction.response.send_message(
                "That answer is no longer in the FAQ.", ephemeral=True, allowed_mentions=NO_PINGS
            )

    def public_replies(self, config: GuildConfig | None) -> bool:
        """Whether /ask answers are public here: the server's choice, else the default."""
        if config is None:  # a direct message
            return False
        chosen = config.public_replies
        return self.settings.public_replies if chosen is None else chosen

    def browse_page(self, topic: str, page: int) -> tuple[discord.Embed, discord.ui.View]:
        """One page of a topic's questions, a menu to open one, and Previous/Next buttons."""
        topics = self.runtime.loaded.topics
        entries = [e for e in self.runtime.engine.entries if e.topic == topic]
        pages = max(1, -(-len(entries) // BROWSE_PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        shown = entries[page * BROWSE_PAGE_SIZE : (page + 1) * BROWSE_PAGE_SIZE]
        lines = [f"{page * BROWSE_PAGE_SIZE + i + 1}. {e.question}" for i, e in enumerate(shown)]
        embed = discord.Embed(
            title=f"{topics.get(topic, topic)}: page {page + 1} of {pages}",
            description="\n".join(lines) or "No entries in this topic yet.",
            color=0x3B82F6,
        )
        embed.set_footer(text=self.runtime.engine.kb.safety.safety_note)
        view = discord.ui.View(timeout=None)
        if shown:
            view.add_item(
                discord.ui.Select(
                    custom_id=PICK,
                    placeholder="Open an answer",
                    options=[
                        discord.SelectOption(label=clip(e.question, 100), value=e.id) for e in shown
                    ],
                )
            )
        view.add_item(
            discord.ui.Button(
                label="Previous", custom_id=f"{PAGE}{topic}:{page - 1}", disabled=page == 0, row=1
            )
        )
        view.add_item(
            discord.ui.Button(
                label="Next",
                custom_id=f"{PAGE}{topic}:{page + 1}",
                disabled=page >= pages - 1,
                row=1,
            )
        )
        return embed, stateless(view)

    def topics_view(self) -> tuple[discord.Embed, discord.ui.View]:
        topics = self.runtime.loaded.topics
        embed = discord.Embed(
            title="Browse the FAQ",
            description="Pick a topic to see its questions.",
            color=0x3B82F6,
        )
        view = discord.ui.View(timeout=None)
        view.add_item(
            discord.ui.Select(
                custom_id=TOPIC,
                placeholder="Choose a topic",
                options=[
                    discord.SelectOption(label=title, value=slug) for slug, title in topics.items()
                ],
            )
        )
        return embed, stateless(view)

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CommandOnCooldown):
            text = (
                f"You're asking quickly, which is fine! Please wait {error.retry_after:.0f} s "
                "and ask again. If you need help right now, use /resources."
            )
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        # Log what failed, never what the member wrote.
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error("command /%s failed", command, exc_info=error)
        await apologise(interaction, error)


class ShardedFaqBot(FaqBot, discord.AutoShardedClient):
    """The same bot over several gateway shards, for very large or many servers."""

    def __init__(self, runtime: Runtime, settings: Settings) -> None:
        super().__init__(runtime, settings)
        if settings.shards not in (None, "auto"):
            self.shard_count = int(str(settings.shards))


def make_bot(runtime: Runtime, settings: Settings) -> FaqBot:
    """A FaqBot, sharded when FAQBOT_SHARDS asks for it."""
    return ShardedFaqBot(runtime, settings) if settings.shards else FaqBot(runtime, settings)


APOLOGY = (
    "Sorry, something went wrong on my side. Please try again in a moment. "
    "If you need help right now, use /resources or call your local emergency number."
)
DATABASE_TROUBLE = (
    "Sorry, I couldn't save that: my database is busy or unavailable right now. Nothing was "
    "changed, and members still see the FAQ as it was. Please try again in a moment."
)


def database_error(error: BaseException | None) -> bool:
    """Whether a failure came from SQLite (locked, read-only, disk full, ...), however wrapped."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, sqlite3.Error):
            return True
        error = getattr(error, "original", None) or error.__cause__ or error.__context__
        seen += 1
    return False


async def apologise(interaction: discord.Interaction, error: BaseException | None = None) -> None:
    """Never silence: tell the member something failed (and that nothing changed, for writes)."""
    text = DATABASE_TROUBLE if database_error(error) else APOLOGY
    try:
        if interaction.type is discord.InteractionType.autocomplete:
            return  # autocomplete has no message to apologise in
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.warning("could not send an apology (the interaction may have expired)")


class SafeCommandTree(app_commands.CommandTree[Any]):
    """A command tree that answers even when discord.py cannot read the interaction.

    discord.py parses options and resolved data before any of our code runs; a malformed or
    crafted payload failed there with no reply at all (found by the hostile-input tests).
    """

    async def _call(self, interaction: discord.Interaction) -> None:
        try:
            await super()._call(interaction)
        except Exception as exc:
            log.error("an interaction could not be read (%s)", type(exc).__name__)
            await apologise(interaction, exc)


def register_commands(bot: FaqBot) -> None:
    tree = bot.tree

    async def question_choices(
        _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=clip(e.question, 100), value=clip(e.question, 100))
            for e in bot.runtime.engine.matcher.autocomplete(current)
        ]

    async def entry_choices(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return views.entry_choices(bot.runtime.engine, current)

    @tree.command(name="ask", description="Ask a question about trauma, depression or kratom")
    @app_commands.describe(question="Your question (only you see the answer)")
    @app_commands.autocomplete(question=question_choices)
    @app_commands.checks.cooldown(ASK_RATE, ASK_PER_SECONDS, key=lambda i: i.user.id)
    async def ask(
        interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]
    ) -> None:
        guild = str(interaction.guild_id) if interaction.guild_id else None
        config = await bot.runtime.store.guild_config(guild) if guild else None
        reply = await bot.engine_answer(question, ask_context(interaction, bot.settings, config))
        # A crisis reply is always private, whatever the server chose: never expose someone
        # in crisis in front of the channel.
        public = not reply.must_stay_private and bot.public_replies(config)
        helpers = config is not None and config.helper_role is not None
        await send_reply(interaction, reply, ephemeral=not public, helpers=helpers)
        try:  # the member has their answer; bookkeeping must never turn it into an error
            if guild is not None and reply.kind is ReplyKind.NO_MATCH:
                await bot.runtime.store.record_gap(guild, gap_text(question))
            elif guild is not None and reply.entry_id is not None:
                await bot.runtime.store.count_answer(guild, reply.entry_id)
        except sqlite3.Error as exc:
            log.warning("could not record /ask use (%s)", exc)

    async def region_choices(
        _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=f"{r.name} ({r.code})", value=r.code)
            for r in bot.runtime.engine.kb.resources.matching(current)
        ][:25]

    @tree.command(name="resources", description="Crisis and support lines where you are")
    @app_commands.describe(region="Your country, for this reply only (nothing is stored)")
    @app_commands.autocomplete(region=region_choices)
    async def resources(
        interaction: discord.Interaction, region: app_commands.Range[str, 1, 64] | None = None
    ) -> None:
        directory = bot.runtime.engine.kb.resources
        chosen = None
        if region:
            try:  # the member may type instead of picking: "uk", "Australia", "en-GB"
                found = directory.lookup(region)
            except UnknownRegion:
                codes = ", ".join(directory.codes())
                links = directory.regions[directory.fallback].of_kinds(("directory",))
                anywhere = links[0].url if links else "findahelpline.com"
                await interaction.response.send_message(
                    f"I don't know that region. Pick one from the list ({codes}), or find any "
                    f"country's lines at {anywhere}",
                    ephemeral=True,
                    allowed_mentions=NO_PINGS,
                )
                return
            chosen = (found or directory.regions[directory.fallback]).code
        guild = str(interaction.guild_id) if interaction.guild_id else None
        config = await bot.runtime.store.guild_config(guild) if guild else None
        context = ask_context(interaction, bot.settings, config)
        context = dataclasses.replace(context, chosen_region=chosen)
        await send_reply(interaction, bot.runtime.engine.resources_reply(context), ephemeral=True)

    @tree.command(
        name="about", description="What this bot is, where answers come from, what it stores"
    )
    async def about(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="About faqbot", description=ABOUT_TEXT, color=0x3B82F6)
        embed.set_footer(text=bot.runtime.engine.kb.safety.safety_note)
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )

    @tree.command(name="show", description="Show one FAQ entry")
    @app_commands.describe(entry="Start typing a question")
    @app_commands.autocomplete(entry=entry_choices)
    async def show(interaction: discord.Interaction, entry: str) -> None:
        reply = bot.runtime.engine.entry_reply(entry, ask_context(interaction, bot.settings))
        if reply is None:
            await interaction.response.send_message(
                "I couldn't find that entry. Try /show again and pick from the list.",
                ephemeral=True,
                allowed_mentions=NO_PINGS,
            )
            return
        await send_reply(interaction, reply, ephemeral=True)

    async def topic_choices(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return views.topic_choices(bot.runtime.loaded.topics, current)

    @tree.command(name="browse", description="Browse the FAQ by topic")
    @app_commands.describe(topic="A topic, or leave empty to choose")
    @app_commands.autocomplete(topic=topic_choices)
    async def browse(interaction: discord.Interaction, topic: str | None = None) -> None:
        if topic and topic in bot.runtime.loaded.topics:
            embed, view = bot.browse_page(topic, 0)
        else:
            embed, view = bot.topics_view()
        await interaction.response.send_message(
            embed=embed, view=view, ephemeral=True, allowed_mentions=NO_PINGS
        )

    # For helpers: shown to Manage Messages by default (a server can allow its helper role
    # under Integrations); who may post is checked again when it runs (see Support).
    @tree.context_menu(name="Answer from FAQ")
    @app_commands.default_permissions(manage_messages=True)
    @app_commands.guild_only()
    async def answer_from_faq(interaction: discord.Interaction, message: discord.Message) -> None:
        await bot.support.answer_from_faq(interaction, message)


def command_payloads(bot: FaqBot) -> list[dict[str, Any]]:
    """The exact command definitions `faqbot sync` sends to Discord."""
    return [command.to_dict(bot.tree) for command in bot.tree.get_commands()]


__all__ = ["FaqBot", "ShardedFaqBot", "command_payloads", "make_bot"]
