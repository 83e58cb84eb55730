"""Moderators' buttons, by custom_id template (they keep working after a restart): Approve,
Reject and Next draft on a review message, and Reopen my form after a failed save. Each passes
the moderator check first (`ModeratorOnly`)."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.discord_app.features.moderation._cog import FaqModeration
from bot.discord_app.features.moderation._forms import NUMBER, PREFIX, REOPEN
from bot.discord_app.services import ModeratorOnly, feature


class DraftButton(
    ModeratorOnly,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=f"{re.escape(PREFIX)}(?P<action>approve|reject|review):(?P<rev>{NUMBER})",
):
    """`mod:approve:<draft>`, `mod:reject:<draft>`, `mod:review:<index>`."""

    async def run(self, interaction: discord.Interaction) -> None:
        cog, action, rev = (
            feature(interaction, FaqModeration),
            self.part["action"],
            int(self.part["rev"]),
        )
        if action == "approve":
            await cog.approve(interaction, rev)
        elif action == "reject":
            await cog.ask_reject_note(interaction, rev)
        else:
            await cog.show_review(interaction, rev)


class ReopenButton(
    ModeratorOnly,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=f"{re.escape(REOPEN)}(?P<token>.*)",
):
    """`mod:reopen:<form token>`: the moderator's form again, with what they typed."""

    async def run(self, interaction: discord.Interaction) -> None:
        await feature(interaction, FaqModeration).reopen(interaction, self.part["token"])
