"""The moderators' `/faq` group: the cog (`_cog`), its buttons (`_buttons`), the entry forms
(`_forms`) and what a reviewer sees (`_review`). `/faq gaps` and `/faq stats` are the insights
feature's, added to this group."""

from __future__ import annotations

from bot.discord_app.client import FaqBot
from bot.discord_app.features.moderation._buttons import DraftButton, ReopenButton
from bot.discord_app.features.moderation._cog import UNKNOWN, FaqModeration
from bot.discord_app.features.moderation._forms import PREFIX


async def setup(bot: FaqBot) -> None:
    await bot.add_cog(FaqModeration(bot))
    bot.add_dynamic_items(DraftButton, ReopenButton)
    bot.unknown_buttons[PREFIX] = UNKNOWN


async def teardown(bot: FaqBot) -> None:
    bot.remove_dynamic_items(DraftButton, ReopenButton)
