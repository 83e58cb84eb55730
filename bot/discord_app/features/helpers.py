"""People behind the bot: "Did this answer your question?" under an auto-answer, and
**Talk to a helper**, which opens a private thread with the member and pings the helper role
there, and only there.

Both are buttons by custom_id template (`faq:yes:<entry>`, `faq:no:<entry>`,
`help:talk:<entry>`), so they keep working after a restart.
"""

from __future__ import annotations

import re
import time
from typing import Any

import discord
from discord.ext import commands

from bot.discord_app.client import FaqBot
from bot.discord_app.render import ANSWERED_NO, ANSWERED_YES, TALK
from bot.discord_app.services import NO_PINGS, TemplateButton, buttons, feature, say
from bot.knowledge.guild_config import GuildConfig
from bot.knowledge.store import KnowledgeStore

HANDOFF_COOLDOWN_SECONDS = 600.0  # one helper thread per member per server per 10 minutes


class Helpers(commands.Cog):
    def __init__(self, bot: FaqBot) -> None:
        self.bot = bot
        self.handoffs: dict[tuple[int, int], tuple[float, int]] = {}  # (guild, member) -> t, thread

    @property
    def store(self) -> KnowledgeStore:
        return self.bot.runtime.store

    async def answered(
        self, interaction: discord.Interaction, helpful: bool, entry_id: str
    ) -> None:
        if entry_id in self.bot.runtime.engine.by_id:
            await self.store.record_vote(entry_id, str(interaction.user.id), helpful)
        if helpful:
            await say(interaction, "Glad it helped. Thanks for telling me!")
            return
        config = await self.store.guild_config(str(interaction.guild_id or 0))
        view = None
        text = (
            "Sorry it didn't answer your question. Thanks for telling me: it helps the moderators."
        )
        if config.helper_role is not None:
            view = buttons(("Talk to a helper", TALK + entry_id, discord.ButtonStyle.primary))
            text += " A person from this server can help: press **Talk to a helper**."
        await say(interaction, text, view)

    async def talk_to_helper(self, interaction: discord.Interaction, entry_id: str) -> None:
        guild = interaction.guild
        if guild is None:
            await say(
                interaction,
                "Helpers are people in a server; please ask there. /resources has lines you "
                "can call.",
            )
            return
        config: GuildConfig = await self.store.guild_config(str(guild.id))
        if config.helper_role is None:
            await say(
                interaction,
                "This server hasn't set up helpers yet; please reach out to a moderator. "
                "If you need help right now, use /resources.",
            )
            return
        key = (guild.id, interaction.user.id)
        now = time.monotonic()
        last = self.handoffs.get(key)
        if last is not None and now - last[0] < HANDOFF_COOLDOWN_SECONDS:
            await say(
                interaction,
                f"You already have a private thread with the helpers: <#{last[1]}>. They'll "
                "be with you there."
                if last[1]
                else "I'm opening a private thread with the helpers for you; it will appear "
                "in a moment.",
            )
            return
        host = self.thread_host(interaction.channel, config, guild)
        if host is None:
            await say(
                interaction,
                "I can't open a private thread here. Please message a moderator or helper "
                "directly; if you need help right now, use /resources.",
            )
            return
        for stale in [
            k for k, (t, _) in self.handoffs.items() if now - t > HANDOFF_COOLDOWN_SECONDS
        ]:
            del self.handoffs[stale]  # only the cooldown needs remembering: keep memory flat
        # Claimed before any network call: quick presses open one thread and ping helpers once.
        self.handoffs[key] = (now, 0)
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            thread = await host.create_thread(
                name="Talk to a helper",
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=1440,
                reason="a member asked to talk to a helper",
            )
        except BaseException:
            self.handoffs.pop(key, None)  # no thread was opened: pressing again may try again
            raise
        self.handoffs[key] = (now, thread.id)
        await thread.add_user(interaction.user)
        entry = self.bot.runtime.engine.by_id.get(entry_id)
        about = (
            f"They were reading the FAQ answer **{entry.question}**, and it didn't fully help."
            if entry
            else "The FAQ didn't have an answer for them."
        )
        await thread.send(
            f"<@&{config.helper_role}>: <@{interaction.user.id}> would like to talk to a helper. "
            f"{about}\n\n<@{interaction.user.id}>, a helper will join you here. Only you, the "
            "helpers and the moderators can see this thread. If you are in danger right now, "
            "use /resources or call your local emergency number.",
            # The helper role is pinged here, and only here; the member is added, not pinged.
            allowed_mentions=discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(config.helper_role)]
            ),
        )
        await interaction.followup.send(
            f"I've opened a private thread with the helpers: <#{thread.id}>.",
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    def thread_host(
        self, channel: Any, config: GuildConfig, guild: discord.Guild
    ) -> discord.TextChannel | None:
        """Where a private thread can go: this text channel, its parent, else the alert channel."""
        if isinstance(channel, discord.Thread):
            channel = channel.parent
        if isinstance(channel, discord.TextChannel):
            return channel
        fallback = guild.get_channel(config.alert_channel) if config.alert_channel else None
        return fallback if isinstance(fallback, discord.TextChannel) else None


class AnsweredButton(
    TemplateButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=f"(?P<way>{re.escape(ANSWERED_YES)}|{re.escape(ANSWERED_NO)})(?P<entry>.*)",
):
    """Yes / No under an auto-answer: counted as a vote; "No" offers a helper when there are."""

    async def run(self, interaction: discord.Interaction) -> None:
        helpful = self.part["way"] == ANSWERED_YES
        await feature(interaction, Helpers).answered(interaction, helpful, self.part["entry"])


class TalkButton(
    TemplateButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=f"{re.escape(TALK)}(?P<entry>.*)",
):
    """Talk to a helper (the entry the member was reading, if any, tells the helpers why)."""

    async def run(self, interaction: discord.Interaction) -> None:
        await feature(interaction, Helpers).talk_to_helper(interaction, self.part["entry"])


async def setup(bot: FaqBot) -> None:
    await bot.add_cog(Helpers(bot))
    bot.add_dynamic_items(AnsweredButton, TalkButton)


async def teardown(bot: FaqBot) -> None:
    bot.remove_dynamic_items(AnsweredButton, TalkButton)
