"""/privacy show and /privacy forget: everything faqbot stores about a member, and deleting it;
and the retention purge, which deletes unanswered questions past each server's retention.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.discord_app.client import FaqBot
from bot.discord_app.render import INFO_COLOUR
from bot.discord_app.services import NO_PINGS, say

log = logging.getLogger("faqbot.discord")
PURGE_EVERY_SECONDS = 3600.0
PRIVACY_TEXT = (
    "**What faqbot stores about you:** only your Helpful / Not helpful (and Yes / No) votes, with "
    "your user ID, so you can vote once per answer. Your questions are never stored with your "
    "name. Questions the bot could not answer are kept as text only, without who asked, for "
    "{days} days, so moderators can write new answers. Private helper threads are Discord "
    "threads: the server keeps them, not faqbot."
)


class Privacy(
    commands.GroupCog, group_name="privacy", group_description="What faqbot stores about you"
):
    def __init__(self, bot: FaqBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.purge.start()

    async def cog_unload(self) -> None:
        self.purge.cancel()

    @tasks.loop(seconds=PURGE_EVERY_SECONDS)
    async def purge(self) -> None:
        try:
            deleted = await self.bot.runtime.store.purge_expired()
            if deleted:
                log.info("retention: deleted %d expired unanswered question(s)", deleted)
        except Exception:  # the loop must go on: the next hour tries again
            log.exception("retention purge failed; trying again later")

    @app_commands.command(name="show", description="See everything faqbot stores about you")
    async def show(self, interaction: discord.Interaction) -> None:
        store = self.bot.runtime.store
        votes = await store.member_data(str(interaction.user.id))
        config = await store.guild_config(str(interaction.guild_id or 0))
        lines = [
            f"• {'👍' if helpful else '👎'} `{entry_id}` ({at[:10]})"
            for entry_id, helpful, at in votes
        ]
        listed = "\n".join(lines[:30]) or "• nothing: you have not voted on any answer."
        more = f"\n… and {len(lines) - 30} more" if len(lines) > 30 else ""
        embed = discord.Embed(
            title="Your data in faqbot",
            description=PRIVACY_TEXT.format(days=config.retention_days)
            + f"\n\n**Stored now:**\n{listed}{more}\n\nDelete it all with `/privacy forget`.",
            color=INFO_COLOUR,
        )
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command(name="forget", description="Delete everything faqbot stores about you")
    async def forget(self, interaction: discord.Interaction) -> None:
        deleted = await self.bot.runtime.store.forget_member(str(interaction.user.id))
        await say(
            interaction,
            f"Done: deleted {deleted} stored vote(s). faqbot keeps nothing else that names you.",
        )


async def setup(bot: FaqBot) -> None:
    await bot.add_cog(Privacy(bot))
