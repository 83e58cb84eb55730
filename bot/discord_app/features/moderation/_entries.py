"""`/faq history`, `/faq remove`, `/faq restore`: an entry's past, and taking it out of service
and back (its history is kept). Added to the moderation cog's `/faq` group."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.discord_app.client import FaqBot
from bot.discord_app.features.moderation._forms import REASON
from bot.discord_app.render import MODERATION_COLOUR, clip
from bot.discord_app.services import (
    NO_PINGS,
    ModeratorCommands,
    actor,
    checked_config,
    entry_choices,
    post_mod_log,
    say,
    thinking,
    who,
)
from bot.knowledge.moderation import FormInvalid, ModerationError
from bot.knowledge.store import Revision

HISTORY_LINES = 20


class EntryCommands(ModeratorCommands):
    bot: FaqBot

    async def entry_choices(
        self, _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return entry_choices(self.bot.runtime.engine, current, show_id=True)

    async def removed_choices(
        self, _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        removed = await self.bot.runtime.moderation.removed()
        return [
            app_commands.Choice(name=s.entry_id, value=s.entry_id)
            for s in removed
            if current.lower() in s.entry_id
        ][:25]

    @app_commands.command(name="history", description="Every revision of an entry: who, when, why")
    @app_commands.rename(entry_id="entry")
    @app_commands.autocomplete(entry_id=entry_choices)
    async def history(self, interaction: discord.Interaction, entry_id: str) -> None:
        revisions: list[Revision] = await self.bot.runtime.moderation.history(entry_id)
        state = await self.bot.runtime.moderation.state(entry_id)
        if not revisions or state is None:
            await say(interaction, f"There is no entry `{entry_id}`.")
            return
        lines = []
        for r in revisions[:HISTORY_LINES]:
            live = " · **live**" if r.rev == state.live else ""
            why = f" · {clip(r.reason, 80)}" if r.reason else ""
            decided = f" · {r.status} by {who(r.decided_by)}" if r.decided_by else f" · {r.status}"
            lines.append(
                f"`r{r.rev}` {r.created_at[:10]} · {r.origin} · {who(r.author)}{decided}{live}{why}"
            )
        if len(revisions) > HISTORY_LINES:
            lines.append(f"… and {len(revisions) - HISTORY_LINES} older revisions")
        removed = (
            f"\n\n**Removed** on {state.removed_at[:10]} (`/faq restore`)."
            if state.removed_at
            else ""
        )
        embed = discord.Embed(
            title=f"History of {entry_id}",
            description=clip("\n".join(lines) + removed, 4096),
            color=MODERATION_COLOUR,
        )
        embed.set_footer(
            text="Bring one back with /faq revert entry revision (it is reviewed like any change)."
        )
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command(name="remove", description="Take an entry out of the FAQ (restorable)")
    @app_commands.describe(entry_id="The entry", reason=REASON)
    @app_commands.rename(entry_id="entry")
    @app_commands.autocomplete(entry_id=entry_choices)
    async def remove(
        self,
        interaction: discord.Interaction,
        entry_id: str,
        reason: app_commands.Range[str, 0, 300] = "",
    ) -> None:
        config = checked_config(interaction)
        await thinking(interaction)
        try:
            await self.bot.runtime.moderation.remove(entry_id, actor(interaction.user), reason)
        except ModerationError as exc:
            await say(interaction, str(exc))
            return
        await say(
            interaction,
            f"Removed `{entry_id}`: members no longer get it. Its history is kept; "
            f"`/faq restore entry:{entry_id}` brings it back.",
        )
        why = f": {reason}" if reason else ""
        await post_mod_log(
            self.bot, config, f"🗑️ {who(actor(interaction.user))} removed `{entry_id}`{why}"
        )

    @app_commands.command(name="restore", description="Bring back a removed entry")
    @app_commands.rename(entry_id="entry")
    @app_commands.autocomplete(entry_id=removed_choices)
    async def restore(self, interaction: discord.Interaction, entry_id: str) -> None:
        config = checked_config(interaction)
        await thinking(interaction)
        try:
            await self.bot.runtime.moderation.restore(entry_id, actor(interaction.user))
        except (ModerationError, FormInvalid) as exc:
            await say(interaction, str(exc))
            return
        await say(interaction, f"Restored `{entry_id}`: members get it again.")
        await post_mod_log(
            self.bot, config, f"♻️ {who(actor(interaction.user))} restored `{entry_id}`"
        )
