"""`/config`: per-server settings (Manage Server only), stored per guild and posted to the
mod-log.

What each setting means, its type and default live in `bot.knowledge.guild_config`; this cog
is the commands. One check re-tests Manage Server at run time for every command: a hidden
command is not a permission.
"""

from __future__ import annotations

import contextlib
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.resources import UnknownRegion
from bot.discord_app.client import FaqBot
from bot.discord_app.render import INFO_COLOUR
from bot.discord_app.services import NO_PINGS, actor, post_mod_log, say, who
from bot.knowledge.guild_config import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, GuildConfig

REFUSAL = "Sorry, only members with Manage Server can change faqbot's settings. Nothing changed."


def describe(config: GuildConfig, *, default_public: bool, threshold: float) -> str:
    """Every setting, as a moderator reads it (mentions render as names and never ping)."""

    def channel(value: int | None) -> str:
        return f"<#{value}>" if value else "not set"

    def role(value: int | None) -> str:
        return f"<@&{value}>" if value else "not set"

    public = default_public if config.public_replies is None else config.public_replies
    watched = ", ".join(f"<#{c}>" for c in config.watched_channels) or "none"
    limit = config.auto_answer_threshold
    return "\n".join(
        [
            f"**/ask answers**: {'public' if public else 'private'} (crisis replies: private)",
            f"**Watched channels** (auto-answer): {watched}",
            f"**Auto-answer confidence**: {limit if limit is not None else threshold:g} / 100"
            + ("" if limit is not None else " (the calibrated default)"),
            f"**Helper role**: {role(config.helper_role)}",
            f"**Crisis alerts**: {'on' if config.crisis_alerts else 'off'}, "
            f"to {channel(config.alert_channel)}",
            f"**Moderator role** (FAQ editing): {role(config.moderator_role)}"
            " (members with Manage Server can always edit)",
            "**Review rule**: "
            + (
                "one moderator may publish their own change"
                if config.single_moderator_publish
                else "a second moderator must approve every change"
            ),
            f"**Mod-log channel**: {channel(config.mod_log_channel)}",
            f"**Default region** for crisis lines: {config.region or 'from each member language'}",
            f"**Unanswered questions kept for**: {config.retention_days} days (for /faq gaps)",
        ]
    )


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class Config(
    commands.GroupCog,
    group_name="config",
    group_description="Server settings for faqbot (Manage Server)",
):
    def __init__(self, bot: FaqBot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            await say(interaction, REFUSAL)
            return False
        return True

    async def change(self, interaction: discord.Interaction, done: str, **changes: Any) -> None:
        store = self.bot.runtime.store
        guild_id = str(interaction.guild_id)
        try:
            before = await store.guild_config(guild_id)
            updated = await store.set_guild_config(guild_id, actor(interaction.user), **changes)
        except ValueError as exc:
            await say(interaction, f"Not changed: {exc}.")
            return
        await say(interaction, f"Done: {done}")
        # Settings decide who gets crisis alerts and who may publish: other moderators should
        # see every change (after the reply: a slow mod-log never delays it). Moving or turning
        # off the mod-log is announced in the old channel too, so it cannot happen unseen.
        note = f"⚙️ {who(actor(interaction.user))} changed a setting: {done}"
        await post_mod_log(self.bot, updated, note)
        if before.mod_log_channel != updated.mod_log_channel:
            await post_mod_log(self.bot, before, note)

    @app_commands.command(name="show", description="Show this server's faqbot settings")
    async def show(self, interaction: discord.Interaction) -> None:
        current = await self.bot.runtime.store.guild_config(str(interaction.guild_id))
        embed = discord.Embed(
            title="faqbot settings for this server",
            description=describe(
                current,
                default_public=self.bot.settings.public_replies,
                threshold=self.bot.runtime.engine.matcher.answer_threshold,
            ),
            color=INFO_COLOUR,
        )
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command(name="replies", description="Who sees /ask answers in this server")
    @app_commands.describe(visibility="private: only the asker (default); public: the channel")
    @app_commands.choices(
        visibility=[
            app_commands.Choice(name="private (only the person who asked)", value="private"),
            app_commands.Choice(name="public (everyone in the channel)", value="public"),
        ]
    )
    async def replies(self, interaction: discord.Interaction, visibility: str) -> None:
        public = visibility == "public"
        note = " Crisis replies always stay private." if public else ""
        await self.change(
            interaction,
            f"/ask answers are now {visibility} in this server.{note}",
            public_replies=public,
        )

    @app_commands.command(name="review", description="Who must approve FAQ changes")
    @app_commands.choices(
        rule=[
            app_commands.Choice(name="a second moderator approves (default)", value="two"),
            app_commands.Choice(name="one moderator may publish their own change", value="one"),
        ]
    )
    async def review(self, interaction: discord.Interaction, rule: str) -> None:
        single = rule == "one"
        text = (
            "a moderator may now publish their own FAQ changes (every change is still a draft "
            "first, and logged)."
            if single
            else "every FAQ change now needs a second moderator's approval."
        )
        await self.change(interaction, text, single_moderator_publish=single)

    @app_commands.command(name="moderators", description="The role that may edit the FAQ (/faq)")
    @app_commands.describe(role="Leave empty to allow only members with Manage Server")
    async def moderators(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        text = (
            f"members with <@&{role.id}> (or Manage Server) can now edit the FAQ. Give that role "
            "access to /faq in Server Settings > Integrations > faqbot."
            if role
            else "only members with Manage Server can edit the FAQ."
        )
        await self.change(interaction, text, moderator_role=role.id if role else None)

    @app_commands.command(name="modlog", description="Where every FAQ change is posted")
    @app_commands.describe(channel="Leave empty to stop posting changes")
    async def modlog(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        text = f"FAQ changes are posted in <#{channel.id}>." if channel else "mod-log is off."
        await self.change(interaction, text, mod_log_channel=channel.id if channel else None)

    @app_commands.command(
        name="region", description="Default region for crisis lines in this server"
    )
    @app_commands.describe(
        code="A region such as US, GB (or uk), AU, IN, Australia, en-GB; empty: from each member"
    )
    async def region(
        self, interaction: discord.Interaction, code: app_commands.Range[str, 0, 40] = ""
    ) -> None:
        resources = self.bot.runtime.loaded.resources
        region = None
        if code.strip():
            # The same spellings the terminal and /resources accept (one parser, in core).
            with contextlib.suppress(UnknownRegion):
                region = resources.lookup(code)
            if region is None:
                known = ", ".join(sorted(r for r in resources.regions if r.isalpha()))
                await interaction.response.send_message(
                    f"Not changed: I have crisis lines for {known}.",
                    ephemeral=True,
                    allowed_mentions=NO_PINGS,
                )
                return
        text = (
            f"the default region is {region.code} ({region.name})."
            if region
            else "the region comes from each member."
        )
        await self.change(interaction, text, region=region.code if region else None)

    @app_commands.command(name="watch", description="Auto-answer in a help channel or forum")
    @app_commands.describe(channel="A text channel or a forum channel members ask for help in")
    async def watch(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | discord.ForumChannel,
    ) -> None:
        current = await self.bot.runtime.store.guild_config(str(interaction.guild_id or 0))
        intent = (
            ""
            if self.bot.message_content
            else " ⚠️ But the Message Content intent is off, so I can't read messages yet: "
            "turn it on in the Developer Portal (Bot > Privileged Gateway Intents) and restart."
        )
        kind = "posts in the forum" if isinstance(channel, discord.ForumChannel) else "messages"
        await self.change(
            interaction,
            f"I'll screen new {kind} in <#{channel.id}> (crisis first) and answer when I'm "
            f"confident.{intent}",
            watched_channels=[*current.watched_channels, channel.id],
        )

    @app_commands.command(name="unwatch", description="Stop auto-answering in a channel")
    async def unwatch(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | discord.ForumChannel,
    ) -> None:
        current = await self.bot.runtime.store.guild_config(str(interaction.guild_id or 0))
        remaining = [c for c in current.watched_channels if c != channel.id]
        await self.change(
            interaction, f"I no longer watch <#{channel.id}>.", watched_channels=remaining
        )

    @app_commands.command(name="helpers", description="The role of people members can talk to")
    @app_commands.describe(role="Pinged only inside private Talk to a helper threads")
    async def helpers(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        text = (
            f"members can now press **Talk to a helper** to open a private thread with "
            f"<@&{role.id}>."
            if role
            else "no helper role: members are pointed to the moderators instead."
        )
        await self.change(interaction, text, helper_role=role.id if role else None)

    @app_commands.command(
        name="alerts", description="Where helpers are alerted to a possible crisis"
    )
    @app_commands.describe(
        channel="A channel only moderators and helpers can read",
        enabled="Turn crisis alerts on or off (default on)",
    )
    async def alerts(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | None = None,
        enabled: bool = True,
    ) -> None:
        if enabled and channel is None:
            current = await self.bot.runtime.store.guild_config(str(interaction.guild_id or 0))
            if current.alert_channel is None:
                await interaction.response.send_message(
                    "Not changed: choose a channel for the alerts.",
                    ephemeral=True,
                    allowed_mentions=NO_PINGS,
                )
                return
        where = f" in <#{channel.id}>" if channel else ""
        text = (
            f"crisis alerts are on{where}: a jump link to the message (never a quote), pinging "
            "the helper role if one is set."
            if enabled
            else "crisis alerts are off. Members still get crisis lines straight away."
        )
        changes: dict[str, Any] = {"crisis_alerts": enabled}
        if channel is not None:
            changes["alert_channel"] = channel.id
        await self.change(interaction, text, **changes)

    @app_commands.command(name="threshold", description="How sure the bot must be to auto-answer")
    @app_commands.describe(score="0-100; higher answers less often. Empty: the calibrated default")
    async def threshold(
        self,
        interaction: discord.Interaction,
        score: app_commands.Range[float, 0, 100] | None = None,
    ) -> None:
        default = self.bot.runtime.engine.matcher.answer_threshold
        text = (
            f"auto-answers need a match score of at least {score:g} (default {default:g})."
            if score is not None
            else f"auto-answers use the calibrated default ({default:g})."
        )
        await self.change(interaction, text, auto_answer_threshold=score)

    @app_commands.command(name="retention", description="How long unanswered questions are kept")
    @app_commands.describe(days=f"{MIN_RETENTION_DAYS}-{MAX_RETENTION_DAYS} days (default 30)")
    async def retention(
        self,
        interaction: discord.Interaction,
        days: app_commands.Range[int, MIN_RETENTION_DAYS, MAX_RETENTION_DAYS],
    ) -> None:
        await self.change(
            interaction,
            f"unanswered questions are kept for {days} days, then deleted.",
            retention_days=days,
        )


async def setup(bot: FaqBot) -> None:
    await bot.add_cog(Config(bot))
