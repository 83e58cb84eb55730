"""The Discord adapter: slash commands, buttons and the context menu, rendering core `Reply`s.

Everything a member reads comes from `bot.core` via `render_reply`; this module only wires
Discord events to the engine. No message the bot sends can ping anyone (allowed mentions are
none everywhere), replies are ephemeral by default, and a member's words are never reposted.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.config import Settings
from bot.core.engine import AskContext
from bot.core.reply import Reply
from bot.discord_app.render import (
    EPHEMERAL,
    SHARE,
    SHOW,
    VOTE_DOWN,
    VOTE_UP,
    DiscordMessage,
    clip,
    render_reply,
)
from bot.runtime import Runtime

log = logging.getLogger("faqbot.discord")
NO_PINGS = discord.AllowedMentions.none()
ASK_RATE, ASK_PER_SECONDS = 5, 60.0  # per member

ABOUT_TEXT = (
    "I'm **faqbot**, an FAQ bot, not a person and not a doctor. I answer questions about trauma, "
    "depression and kratom from vetted answers written from public health sources (NIH, NIMH, "
    "NIDA, FDA, CDC, SAMHSA, WHO, NHS); every answer lists its sources and when it was reviewed. "
    "I don't diagnose or give doses. If a message sounds like someone is in danger, I show crisis "
    "lines first.\n\n**What I store:** not your questions with your name. Helpful/Not helpful "
    "votes are kept with your user ID so you can only vote once. Replies to /ask are visible "
    "only to you unless this server chose otherwise."
)


def ask_context(interaction: discord.Interaction, settings: Settings) -> AskContext:
    guild_locale = str(interaction.guild_locale) if interaction.guild_locale else None
    return AskContext(
        locale=str(interaction.locale),
        guild_locale=guild_locale,
        default_region=settings.default_region,
    )


def to_view(message: DiscordMessage) -> discord.ui.View | None:
    if not message.rows:
        return None
    view = discord.ui.View(timeout=None)
    for row_number, row in enumerate(message.rows):
        for button in row:
            view.add_item(
                discord.ui.Button(
                    label=button.label,
                    custom_id=button.custom_id,
                    style=discord.ButtonStyle(button.style),
                    row=row_number,
                )
            )
    return view


async def send_reply(
    interaction: discord.Interaction, reply: Reply, *, ephemeral: bool, shareable: bool = True
) -> None:
    message = render_reply(reply, ephemeral=ephemeral, shareable=shareable)
    view = to_view(message)
    kwargs: dict[str, Any] = {
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
        # Slash commands need no privileged intents; message content comes with issue 7.
        super().__init__(intents=discord.Intents.default(), allowed_mentions=NO_PINGS)
        self.runtime = runtime
        self.settings = settings
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        register_commands(self)

    async def setup_hook(self) -> None:
        if self.settings.sync_on_start:
            await self.tree.sync()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Buttons are routed by custom_id prefix, so they keep working after a restart."""
        if interaction.type is not discord.InteractionType.component:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        try:
            await self.handle_button(interaction, custom_id)
        except Exception:
            log.exception("button %s failed", custom_id.split(":")[1] if ":" in custom_id else "?")
            await apologise(interaction)

    async def handle_button(self, interaction: discord.Interaction, custom_id: str) -> None:
        engine = self.runtime.engine
        context = ask_context(interaction, self.settings)
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
        await apologise(interaction)


async def apologise(interaction: discord.Interaction) -> None:
    text = (
        "Sorry, something went wrong on my side. Please try again in a moment. "
        "If you need help right now, use /resources or call your local emergency number."
    )
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)


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
        return [
            app_commands.Choice(name=clip(e.question, 100), value=e.id)
            for e in bot.runtime.engine.matcher.autocomplete(current)
        ]

    @tree.command(name="ask", description="Ask a question about trauma, depression or kratom")
    @app_commands.describe(question="Your question (only you see the answer)")
    @app_commands.autocomplete(question=question_choices)
    @app_commands.checks.cooldown(ASK_RATE, ASK_PER_SECONDS, key=lambda i: i.user.id)
    async def ask(
        interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]
    ) -> None:
        reply = bot.runtime.engine.answer(question, ask_context(interaction, bot.settings))
        await send_reply(interaction, reply, ephemeral=not bot.settings.public_replies)

    @tree.command(name="resources", description="Crisis and support lines where you are")
    async def resources(interaction: discord.Interaction) -> None:
        reply = bot.runtime.engine.resources_reply(ask_context(interaction, bot.settings))
        await send_reply(interaction, reply, ephemeral=True)

    @tree.command(
        name="about", description="What this bot is, where answers come from, what it stores"
    )
    async def about(interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="About faqbot", description=ABOUT_TEXT, color=0x3B82F6)
        embed.set_footer(text=bot.runtime.engine.kb.safety.safety_note)
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )

    faq = app_commands.Group(name="faq", description="Browse the vetted FAQ")

    @faq.command(name="show", description="Show one FAQ entry")
    @app_commands.describe(entry="Start typing a question")
    @app_commands.autocomplete(entry=entry_choices)
    async def show(interaction: discord.Interaction, entry: str) -> None:
        reply = bot.runtime.engine.entry_reply(entry, ask_context(interaction, bot.settings))
        if reply is None:
            await interaction.response.send_message(
                "I couldn't find that entry. Try /faq show again and pick from the list.",
                ephemeral=True,
                allowed_mentions=NO_PINGS,
            )
            return
        await send_reply(interaction, reply, ephemeral=True)

    tree.add_command(faq)

    @tree.context_menu(name="Answer from FAQ")
    async def answer_from_faq(interaction: discord.Interaction, message: discord.Message) -> None:
        # The member posted publicly; the reply goes under their message, crisis screen first,
        # with the FAQ answer only (their words are not quoted).
        reply = bot.runtime.engine.answer(message.content, ask_context(interaction, bot.settings))
        await send_reply(interaction, reply, ephemeral=False, shareable=False)


def command_payloads(bot: FaqBot) -> list[dict[str, Any]]:
    """The exact command definitions `faqbot sync` sends to Discord."""
    return [command.to_dict(bot.tree) for command in bot.tree.get_commands()]


__all__ = ["EPHEMERAL", "FaqBot", "command_payloads"]
