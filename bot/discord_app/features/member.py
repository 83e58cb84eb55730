"""What every member uses: /ask, /resources, /about, /show, and the buttons under an answer
(Helpful / Not helpful, Share here, the "Did you mean" suggestions).

Replies are private by default; a crisis reply is always private; "Share here" posts only the
FAQ answer, never the member's question.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.reply import ReplyKind
from bot.core.resources import UnknownRegion
from bot.discord_app.client import FaqBot
from bot.discord_app.limits import Limit
from bot.discord_app.render import INFO_COLOUR, SHARE, SHOW, VOTE_DOWN, VOTE_UP
from bot.discord_app.services import (
    GONE,
    NO_PINGS,
    TemplateButton,
    ask_context,
    entry_choices,
    faqbot,
    feature,
    gap_text,
    say,
    send_reply,
    slow_down,
)
from bot.knowledge.guild_config import GuildConfig

log = logging.getLogger("faqbot.discord")
ASK_RATE, ASK_PER_SECONDS = 5, 60.0  # per member
SHARES_RATE, SHARES_PER_SECONDS = 3, 300.0  # "Share here" posts, per server and member

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


class Member(commands.Cog):
    def __init__(self, bot: FaqBot) -> None:
        self.bot = bot
        self.shares = Limit(SHARES_RATE, SHARES_PER_SECONDS)  # per server and member

    def public_replies(self, config: GuildConfig | None) -> bool:
        """Whether /ask answers are public here: the server's choice, else the default."""
        if config is None:  # a direct message
            return False
        chosen = config.public_replies
        return self.bot.settings.public_replies if chosen is None else chosen

    async def question_choices(
        self, _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return entry_choices(self.bot.runtime.engine, current, by_question=True)

    async def entry_choices(
        self, _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return entry_choices(self.bot.runtime.engine, current)

    async def region_choices(
        self, _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=f"{r.name} ({r.code})", value=r.code)
            for r in self.bot.runtime.engine.kb.resources.matching(current)
        ][:25]

    @app_commands.command(
        name="ask", description="Ask a question about trauma, depression or kratom"
    )
    @app_commands.describe(question="Your question (only you see the answer)")
    @app_commands.autocomplete(question=question_choices)
    @app_commands.checks.cooldown(ASK_RATE, ASK_PER_SECONDS, key=lambda i: i.user.id)
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]
    ) -> None:
        store = self.bot.runtime.store
        guild = str(interaction.guild_id) if interaction.guild_id else None
        config = await store.guild_config(guild) if guild else None
        context = ask_context(interaction, self.bot.settings, config)
        reply = await self.bot.engine_answer(question, context)
        # A crisis reply is always private, whatever the server chose: never expose someone
        # in crisis in front of the channel.
        public = not reply.must_stay_private and self.public_replies(config)
        helpers = config is not None and config.helper_role is not None
        await send_reply(interaction, reply, ephemeral=not public, helpers=helpers)
        try:  # the member has their answer; bookkeeping must never turn it into an error
            if guild is not None and reply.kind is ReplyKind.NO_MATCH:
                await store.record_gap(guild, gap_text(question))
            elif guild is not None and reply.entry_id is not None:
                await store.count_answer(guild, reply.entry_id)
        except sqlite3.Error as exc:
            log.warning("could not record /ask use (%s)", exc)

    @app_commands.command(name="resources", description="Crisis and support lines where you are")
    @app_commands.describe(region="Your country, for this reply only (nothing is stored)")
    @app_commands.autocomplete(region=region_choices)
    async def resources(
        self, interaction: discord.Interaction, region: app_commands.Range[str, 1, 64] | None = None
    ) -> None:
        directory = self.bot.runtime.engine.kb.resources
        chosen = None
        if region:
            try:  # the member may type instead of picking: "uk", "Australia", "en-GB"
                found = directory.lookup(region)
            except UnknownRegion:
                codes = ", ".join(directory.codes())
                links = directory.regions[directory.fallback].of_kinds(("directory",))
                anywhere = links[0].url if links else "findahelpline.com"
                await say(
                    interaction,
                    f"I don't know that region. Pick one from the list ({codes}), or find any "
                    f"country's lines at {anywhere}",
                )
                return
            chosen = (found or directory.regions[directory.fallback]).code
        guild = str(interaction.guild_id) if interaction.guild_id else None
        config = await self.bot.runtime.store.guild_config(guild) if guild else None
        context = ask_context(interaction, self.bot.settings, config)
        context = dataclasses.replace(context, chosen_region=chosen)
        reply = self.bot.runtime.engine.resources_reply(context)
        await send_reply(interaction, reply, ephemeral=True)

    @app_commands.command(
        name="about", description="What this bot is, where answers come from, what it stores"
    )
    async def about(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(title="About faqbot", description=ABOUT_TEXT, color=INFO_COLOUR)
        embed.set_footer(text=self.bot.runtime.engine.kb.safety.safety_note)
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command(name="show", description="Show one FAQ entry")
    @app_commands.describe(entry="Start typing a question")
    @app_commands.autocomplete(entry=entry_choices)
    async def show(self, interaction: discord.Interaction, entry: str) -> None:
        reply = self.bot.runtime.engine.entry_reply(
            entry, ask_context(interaction, self.bot.settings)
        )
        if reply is None:
            await say(
                interaction, "I couldn't find that entry. Try /show again and pick from the list."
            )
            return
        await send_reply(interaction, reply, ephemeral=True)


# --- buttons under an answer ------------------------------------------------------------------


class VoteButton(
    TemplateButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=f"(?P<way>{re.escape(VOTE_UP)}|{re.escape(VOTE_DOWN)})(?P<entry>.+)",
):
    """Helpful / Not helpful: one vote per member and entry (a second press changes it)."""

    async def run(self, interaction: discord.Interaction) -> None:
        runtime, entry_id = faqbot(interaction).runtime, self.part["entry"]
        if entry_id not in runtime.engine.by_id:
            await say(interaction, GONE)
            return
        helpful = self.part["way"] == VOTE_UP
        await runtime.store.record_vote(entry_id, str(interaction.user.id), helpful)
        await say(interaction, "Thanks, your feedback helps the moderators improve this answer.")


class ShowButton(
    TemplateButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=f"(?P<way>{re.escape(SHOW)}|{re.escape(SHARE)})(?P<entry>.+)",
):
    """Open a suggested answer (privately), or "Share here": the FAQ answer, posted publicly
    (never the member's question), a few times per member."""

    async def run(self, interaction: discord.Interaction) -> None:
        bot = faqbot(interaction)
        context = ask_context(interaction, bot.settings)
        reply = bot.runtime.engine.entry_reply(self.part["entry"], context)
        if reply is None:
            await say(interaction, GONE)
        elif self.part["way"] == SHOW:
            await send_reply(interaction, reply, ephemeral=True)
        elif wait := feature(interaction, Member).shares.claim(
            (interaction.guild_id, interaction.user.id)
        ):
            await say(interaction, slow_down(wait, "shared several answers"))
        else:
            await send_reply(interaction, reply, ephemeral=False, shareable=False)


async def setup(bot: FaqBot) -> None:
    await bot.add_cog(Member(bot))
    bot.add_dynamic_items(VoteButton, ShowButton)
    bot.unknown_buttons["faq:"] = GONE


async def teardown(bot: FaqBot) -> None:
    bot.remove_dynamic_items(VoteButton, ShowButton)
