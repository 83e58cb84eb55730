"""Turning rendered messages into discord.py views that discord.py does not keep in memory."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.core.engine import Engine
from bot.discord_app.render import DiscordMessage, clip

# Every message the bot sends uses this unless a feature is meant to ping (helper threads and
# crisis alerts ping the helper role, and nothing else).
NO_PINGS = discord.AllowedMentions.none()


def entry_choices(
    engine: Engine, current: str, *, show_id: bool = False
) -> list[app_commands.Choice[str]]:
    """Autocomplete over FAQ entries (value: the entry id); moderators also see the id."""
    return [
        app_commands.Choice(
            name=clip(f"{e.question} ({e.id})" if show_id else e.question, 100), value=e.id
        )
        for e in engine.matcher.autocomplete(current)
    ]


def stateless(view: discord.ui.View) -> discord.ui.View:
    """Mark a view finished before sending, so discord.py does not keep it in its view store.

    Clicks are routed by custom_id in `on_interaction` instead; otherwise every view ever sent
    would stay in memory (found by the load benchmark: +44% RSS in 60 s).
    """
    view.stop()
    return view


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
    return stateless(view)


def topic_choices(topics: dict[str, str], current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete over topics (value: the topic slug)."""
    wanted = current.lower()
    return [
        app_commands.Choice(name=title, value=slug)
        for slug, title in topics.items()
        if wanted in title.lower() or wanted in slug
    ][:25]
