"""/browse: the FAQ by topic, a page of questions at a time, a menu to open one.

Pages, the topic menu and the question menu are buttons by custom_id template, so a browse
message keeps working after a restart and nothing of it is kept in memory.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.client import FaqBot
from bot.discord_app.render import INFO_COLOUR, clip
from bot.discord_app.services import (
    GONE,
    NO_PINGS,
    Guarded,
    TemplateButton,
    ask_context,
    faqbot,
    say,
    send_reply,
    stateless,
    topic_choices,
)
from bot.runtime import Runtime

BROWSE_PAGE_SIZE = 10
PICK, TOPIC, PAGE = "faq:pick", "faq:topic", "faq:page:"


def browse_page(runtime: Runtime, topic: str, page: int) -> tuple[discord.Embed, discord.ui.View]:
    """One page of a topic's questions, a menu to open one, and Previous/Next buttons."""
    topics = runtime.loaded.topics
    entries = [e for e in runtime.engine.entries if e.topic == topic]
    pages = max(1, -(-len(entries) // BROWSE_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = entries[page * BROWSE_PAGE_SIZE : (page + 1) * BROWSE_PAGE_SIZE]
    lines = [f"{page * BROWSE_PAGE_SIZE + i + 1}. {e.question}" for i, e in enumerate(shown)]
    embed = discord.Embed(
        title=f"{topics.get(topic, topic)}: page {page + 1} of {pages}",
        description="\n".join(lines) or "No entries in this topic yet.",
        color=INFO_COLOUR,
    )
    embed.set_footer(text=runtime.engine.kb.safety.safety_note)
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
            label="Next", custom_id=f"{PAGE}{topic}:{page + 1}", disabled=page >= pages - 1, row=1
        )
    )
    return embed, stateless(view)


def topics_view(runtime: Runtime) -> tuple[discord.Embed, discord.ui.View]:
    embed = discord.Embed(
        title="Browse the FAQ", description="Pick a topic to see its questions.", color=INFO_COLOUR
    )
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Select(
            custom_id=TOPIC,
            placeholder="Choose a topic",
            options=[
                discord.SelectOption(label=title, value=slug)
                for slug, title in runtime.loaded.topics.items()
            ],
        )
    )
    return embed, stateless(view)


async def show_page(interaction: discord.Interaction, topic: str, page: int) -> None:
    """A page in place of the ephemeral browse message it was asked from, else a new one."""
    embed, view = browse_page(faqbot(interaction).runtime, topic, page)
    if interaction.message is not None and interaction.message.flags.ephemeral:
        await interaction.response.edit_message(embed=embed, view=view)
    else:
        await interaction.response.send_message(
            embed=embed, view=view, ephemeral=True, allowed_mentions=NO_PINGS
        )


class Browse(commands.Cog):
    def __init__(self, bot: FaqBot) -> None:
        self.bot = bot

    async def topic_choices(
        self, _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return topic_choices(self.bot.runtime.loaded.topics, current)

    @app_commands.command(name="browse", description="Browse the FAQ by topic")
    @app_commands.describe(topic="A topic, or leave empty to choose")
    @app_commands.autocomplete(topic=topic_choices)
    async def browse(self, interaction: discord.Interaction, topic: str | None = None) -> None:
        runtime = self.bot.runtime
        if topic and topic in runtime.loaded.topics:
            embed, view = browse_page(runtime, topic, 0)
        else:
            embed, view = topics_view(runtime)
        await interaction.response.send_message(
            embed=embed, view=view, ephemeral=True, allowed_mentions=NO_PINGS
        )


class PageButton(
    TemplateButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.escape(PAGE) + r"(?P<topic>.*):(?P<page>[^:]*)",
):
    """Previous / Next: `faq:page:<topic>:<page>` (a page that is not a number is the first)."""

    async def run(self, interaction: discord.Interaction) -> None:
        page = self.part["page"]
        number = int(page) if page.isascii() and page.isdigit() else 0
        await show_page(interaction, self.part["topic"], number)


class BrowseMenu(
    Guarded,
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=f"(?P<menu>{re.escape(PICK)}|{re.escape(TOPIC)})",
):
    """The two menus: pick a topic (its first page), or pick a question (its answer)."""

    def __init__(self, item: discord.ui.Select[Any]) -> None:
        super().__init__(item)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> BrowseMenu:
        assert isinstance(item, discord.ui.Select)
        return cls(item)

    async def run(self, interaction: discord.Interaction) -> None:
        values = [str(v) for v in self.item.values]
        if not values:
            await say(interaction, GONE)
        elif self.item.custom_id == TOPIC:
            await show_page(interaction, values[0], 0)
        else:
            bot = faqbot(interaction)
            reply = bot.runtime.engine.entry_reply(
                values[0], ask_context(interaction, bot.settings)
            )
            if reply is None:
                await say(interaction, GONE)
            else:
                await send_reply(interaction, reply, ephemeral=True)


async def setup(bot: FaqBot) -> None:
    await bot.add_cog(Browse(bot))
    bot.add_dynamic_items(PageButton, BrowseMenu)


async def teardown(bot: FaqBot) -> None:
    bot.remove_dynamic_items(PageButton, BrowseMenu)
