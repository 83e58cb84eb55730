"""What moderators learn from use: `/faq gaps` (questions the bot could not answer, grouped,
most asked first) and `/faq stats` (answers given here, and how helpful members found them).

Both join the moderation feature's `/faq` group when this feature loads, and pass the same
moderator check. Gaps are text only, without who asked (see the privacy feature's purge).
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.gaps import MAX_GROUPED, group_gaps
from bot.discord_app.client import FaqBot
from bot.discord_app.render import MODERATION_COLOUR, clip
from bot.discord_app.services import NO_PINGS, ModeratorCommands, checked_config


class InsightCommands(ModeratorCommands):
    bot: FaqBot

    @app_commands.command(
        name="gaps", description="Questions the bot could not answer, most asked first"
    )
    async def gaps(self, interaction: discord.Interaction) -> None:
        config = checked_config(interaction)
        store = self.bot.runtime.store
        guild = str(interaction.guild_id)
        # Reading and grouping take a moment with many stored questions: answer "thinking"
        # first, and group in the runtime's worker process (in a thread it would hold the GIL
        # that members' answers need).
        await interaction.response.defer(ephemeral=True, thinking=True)
        total, texts = await store.gap_count(guild), await store.gaps(guild, limit=MAX_GROUPED)
        groups = await self.bot.runtime.offload(group_gaps, texts, self.bot.runtime.loaded.matching)
        lines = []
        for number, group in enumerate(groups, 1):
            others = "; ".join(discord.utils.escape_markdown(o) for o in group.others)
            also = f"\n   also: {clip(others, 200)}" if others else ""
            lines.append(
                f"**{number}.** {discord.utils.escape_markdown(clip(group.example, 200))} "
                f"(**{group.count}×**){also}"
            )
        description = "\n".join(lines) or "Nothing unanswered in this period. 🎉"
        embed = discord.Embed(
            title=f"Unanswered questions, last {config.retention_days} days ({total} in all)",
            description=clip(description, 4096),
            color=MODERATION_COLOUR,
        )
        grouped = f"Grouped: the most recent {len(texts)}. " if total > len(texts) else ""
        embed.set_footer(
            text=f"{grouped}Kept as text only, without who asked. Write an answer with /faq add."
        )
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)

    @app_commands.command(
        name="stats", description="How often each answer is used, and how helpful it is"
    )
    async def stats(self, interaction: discord.Interaction) -> None:
        rows = await self.bot.runtime.store.entry_stats(str(interaction.guild_id))
        lines = []
        for entry_id, answers, up, down in rows[:25]:
            votes = up + down
            helpful = (
                f"{round(100 * up / votes)}% helpful of {votes} vote(s)" if votes else "no votes"
            )
            lines.append(f"`{entry_id}`: {answers} answer(s) here · {helpful}")
        embed = discord.Embed(
            title="FAQ use in this server",
            description="\n".join(lines) or "No answers given or votes cast yet.",
            color=MODERATION_COLOUR,
        )
        embed.set_footer(text="Answers: /ask and auto-answers in this server. Votes: all servers.")
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )


class Insights(commands.Cog):
    def __init__(self, bot: FaqBot) -> None:
        self.bot = bot
        self.group = InsightCommands(bot)

    def faq(self) -> app_commands.Group:
        faq = self.bot.tree.get_command("faq")
        if not isinstance(faq, app_commands.Group):
            raise RuntimeError("insights needs the moderation feature (/faq) loaded first")
        return faq

    async def cog_load(self) -> None:
        faq = self.faq()
        for command in self.group.commands:
            faq.add_command(command)

    async def cog_unload(self) -> None:
        faq = self.bot.tree.get_command("faq")
        if isinstance(faq, app_commands.Group):
            for command in self.group.commands:
                faq.remove_command(command.name)


async def setup(bot: FaqBot) -> None:
    await bot.add_cog(Insights(bot))
