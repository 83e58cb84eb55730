"""What every Discord feature shares: sending, apologising, the mod-log, who moderates, buttons.

Features (`bot/discord_app/features/`) import this; it imports no feature and not the bot
module (it reaches the bot through `interaction.client`, typed by `FaqClient`). No message sent
through here can ping anyone, and a member's own words are never reposted.
"""

from __future__ import annotations

import logging
import math
import re
import sqlite3
import sys
from typing import Any, Protocol, Self, TypeVar, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.core.engine import AskContext, Engine
from bot.core.reply import Reply
from bot.discord_app.render import DiscordMessage, clip, render_reply
from bot.knowledge.guild_config import GuildConfig
from bot.knowledge.schema import MENTION_PATTERN
from bot.runtime import Runtime

log = logging.getLogger("faqbot.discord")

# Every message the bot sends uses this unless a feature is meant to ping (helper threads and
# crisis alerts ping the helper role, and nothing else).
NO_PINGS = discord.AllowedMentions.none()
MAX_GAP_CHARS = 300
GONE = "That answer is no longer in the FAQ."
CogT = TypeVar("CogT", bound=commands.Cog)


class FaqClient(Protocol):
    """What features and shared services need of the bot (FaqBot has it)."""

    runtime: Runtime
    settings: Settings
    message_content: bool

    async def engine_answer(self, question: str, context: AskContext) -> Reply: ...


def faqbot(interaction: discord.Interaction) -> FaqClient:
    return cast(FaqClient, interaction.client)


def feature(interaction: discord.Interaction, cog: type[CogT]) -> CogT:
    """A loaded feature's cog, for its buttons (a `DynamicItem` is built from its custom_id
    alone, so it finds the state it needs here)."""
    found = cast(commands.Bot, interaction.client).get_cog(cog.__cog_name__)
    assert isinstance(found, cog), f"the {cog.__cog_name__} feature is not loaded"
    return found


# --- where a question was asked --------------------------------------------------------------

HELPER_HINT = (
    "You can also reach out to this server's moderators or helpers: they're people, and "
    "they want to help."
)
TALK_HINT = "A person from this server can help too: press **Talk to a helper**."
REGION_HINT = "use /resources and pick your country under region (shown only to you)"


def server_context(
    locale: str | None, guild_locale: str | None, config: GuildConfig | None, region: str | None
) -> AskContext:
    """Where a question was asked in Discord: languages, the server's region and its people.

    The server's /config region outranks a member language that only guesses a country
    (en-US, Discord's default); `bot.core.resources` decides the order.
    """
    if config is None:  # a direct message: no server, no helpers to point to
        return AskContext(
            locale=locale, guild_locale=guild_locale, default_region=region, region_hint=REGION_HINT
        )
    return AskContext(
        locale=locale,
        guild_locale=guild_locale,
        default_region=region,
        server_region=config.region,
        region_hint=REGION_HINT,
        helper_hint=TALK_HINT if config.helper_role else HELPER_HINT,
    )


def ask_context(
    interaction: discord.Interaction, settings: Settings, config: GuildConfig | None = None
) -> AskContext:
    """The context of an interaction; with the server's settings when it has them."""
    guild_locale = str(interaction.guild_locale) if interaction.guild_locale else None
    if config is None and interaction.guild_id is not None:
        config = GuildConfig()
    return server_context(str(interaction.locale), guild_locale, config, settings.default_region)


def gap_text(question: str) -> str:
    """What is kept of an unanswered question: its text, capped, with anything ping-like cut."""
    return MENTION_PATTERN.sub("[mention]", question.strip())[:MAX_GAP_CHARS]


def slow_down(wait: float, done: str) -> str:
    """The polite answer when a member's public posts are limited."""
    return (
        f"You've {done} in a short while. To keep the channel readable, please wait "
        f"{math.ceil(wait)} s and try again."
    )


# --- sending ---------------------------------------------------------------------------------


def stateless(view: discord.ui.View) -> discord.ui.View:
    """Mark a view finished before sending, so discord.py does not keep it in its view store.

    Clicks reach the features' `DynamicItem`s by custom_id instead; otherwise every view ever
    sent would stay in memory (found by the load benchmark: +44% RSS in 60 s).
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


def buttons(*items: tuple[str, str, discord.ButtonStyle]) -> discord.ui.View:
    """A finished view of plain buttons: (label, custom_id, style)."""
    view = discord.ui.View(timeout=None)
    for label, custom_id, style in items:
        view.add_item(discord.ui.Button(label=label, custom_id=custom_id, style=style))
    return stateless(view)


def message_kwargs(message: DiscordMessage) -> dict[str, Any]:
    """A rendered reply as discord.py send arguments: embed, buttons, never a ping."""
    kwargs: dict[str, Any] = {
        "embed": discord.Embed.from_dict(message.embed),
        "allowed_mentions": NO_PINGS,
    }
    if (view := to_view(message)) is not None:
        kwargs["view"] = view
    return kwargs


async def respond(
    interaction: discord.Interaction, content: str | None = None, **kwargs: Any
) -> None:
    """Answer an interaction once: the response, or a follow-up when it was answered or
    deferred already."""
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    if interaction.response.is_done():
        await interaction.followup.send(content, **kwargs)  # type: ignore[arg-type]
    else:
        await interaction.response.send_message(content, **kwargs)


async def send_reply(
    interaction: discord.Interaction,
    reply: Reply,
    *,
    ephemeral: bool,
    shareable: bool = True,
    helpers: bool = False,
    content: str | None = None,
) -> None:
    """A core `Reply` as the answer to an interaction."""
    message = render_reply(reply, ephemeral=ephemeral, shareable=shareable, helpers=helpers)
    await respond(interaction, content, ephemeral=message.ephemeral, **message_kwargs(message))


async def say(
    interaction: discord.Interaction, text: str, view: discord.ui.View | None = None
) -> None:
    """An ephemeral text reply (or follow-up), never pinging anyone."""
    kwargs: dict[str, Any] = {"view": view} if view is not None else {}
    await respond(interaction, clip(text, 2000), ephemeral=True, **kwargs)


async def thinking(interaction: discord.Interaction) -> None:
    """Defer before anything that can take more than a moment (checking a change against the
    whole FAQ, rebuilding the engine): Discord drops an interaction not answered in 3 s. What
    follows is sent with `say`, as a follow-up."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)


# --- failures --------------------------------------------------------------------------------

APOLOGY = (
    "Sorry, something went wrong on my side. Please try again in a moment. "
    "If you need help right now, use /resources or call your local emergency number."
)
DATABASE_TROUBLE = (
    "Sorry, I couldn't save that: my database is busy or unavailable right now. Nothing was "
    "changed, and members still see the FAQ as it was. Please try again in a moment."
)


def database_error(error: BaseException | None) -> bool:
    """Whether a failure came from SQLite (locked, read-only, disk full, ...), however wrapped."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, sqlite3.Error):
            return True
        error = getattr(error, "original", None) or error.__cause__ or error.__context__
        seen += 1
    return False


async def apologise(interaction: discord.Interaction, error: BaseException | None = None) -> None:
    """Never silence: tell the member something failed (and that nothing changed, for writes)."""
    if interaction.type is discord.InteractionType.autocomplete:
        return  # autocomplete has no message to apologise in
    text = DATABASE_TROUBLE if database_error(error) else APOLOGY
    try:
        await respond(interaction, text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not send an apology (the interaction may have expired)")


class Guarded:
    """For `DynamicItem` buttons and menus: a failure is logged and apologised for, never
    silent (discord.py would only log it). Subclasses write `run`, not `callback`."""

    async def run(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.run(interaction)
        except Exception:
            log.exception("button %s failed", type(self).__name__)
            await apologise(interaction, sys.exc_info()[1])


class TemplateButton(Guarded):
    """A button known by its custom_id alone, so it works after a restart and nothing of it is
    kept in memory. A feature's button is

        class Vote(TemplateButton, DynamicItem[Button[Any]], template=r"faq:up:(?P<entry>.+)")

    registered with `bot.add_dynamic_items`; `run` reads the template's named groups from
    `self.part`. Ids are never built here: the messages that carry them are (see render)."""

    part: dict[str, str]

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(custom_id=custom_id))  # type: ignore[call-arg]

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Self:
        button = cls(match.string)
        button.part = match.groupdict()
        return button


# --- moderators and the mod-log --------------------------------------------------------------

MODERATORS_ONLY = (
    "Sorry, only this server's FAQ moderators can do that (Manage Server, or the moderator "
    "role set with `/config moderators`). Nothing was changed."
)


def actor(user: discord.abc.User) -> str:
    return f"discord:{user.id}"


def who(author: str) -> str:
    """How an author is shown: a user mention (never a ping: allowed mentions are off)."""
    return f"<@{author.split(':', 1)[1]}>" if author.startswith("discord:") else author


async def moderator_config(interaction: discord.Interaction) -> GuildConfig | None:
    """The server's settings when the member may moderate here; else None, after a polite
    refusal. Checked at run time: a hidden command or an old button is not a permission."""
    bot = faqbot(interaction)
    refusal = MODERATORS_ONLY
    config: GuildConfig | None = None
    if interaction.guild_id is None:
        refusal = "FAQ moderation works inside a server, not in direct messages."
    elif bot.settings.editor_guilds and interaction.guild_id not in bot.settings.editor_guilds:
        refusal = (
            "FAQ editing is turned off in this server: this faqbot's FAQ is shared, and its "
            "operator allows edits only from its home server. Nothing was changed."
        )
    else:
        config = await bot.runtime.store.guild_config(str(interaction.guild_id))
        member = interaction.user
        has_role = (
            config.moderator_role is not None
            and isinstance(member, discord.Member)
            and any(role.id == config.moderator_role for role in member.roles)
        )
        if not (interaction.permissions.manage_guild or has_role):
            config = None
    if config is None:
        await say(interaction, refusal)
    else:
        interaction.extras["config"] = config  # the command reads it with `checked_config`
    return config


async def is_moderator(interaction: discord.Interaction) -> bool:
    """The one check for `/faq` commands and moderators' buttons (it answers a refusal)."""
    try:
        return await moderator_config(interaction) is not None
    except Exception as exc:  # a check that fails must still answer
        log.exception("the moderator check failed")
        await apologise(interaction, exc)
        return False


def checked_config(interaction: discord.Interaction) -> GuildConfig:
    """The server's settings read by the moderator check that let this interaction through."""
    config = interaction.extras.get("config")
    assert isinstance(config, GuildConfig), "moderator check did not run"
    return config


class ModeratorCommands(app_commands.Group):
    """Moderators' commands declared beside the moderation cog: their methods join its `/faq`
    group (this group itself is never registered) and pass the moderator check."""

    def __init__(self, bot: FaqClient) -> None:
        super().__init__(name=type(self).__name__.lower(), description="moderators' commands")
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return await is_moderator(interaction)


class ModeratorOnly(TemplateButton):
    """A moderators' button: the moderator check runs before it."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await is_moderator(interaction)


async def post_mod_log(client: discord.Client, config: GuildConfig, text: str) -> None:
    """Tell the mod-log channel (if set); a failure there never undoes the change."""
    if config.mod_log_channel is None:
        return
    try:
        channel = client.get_partial_messageable(config.mod_log_channel)
        await channel.send(clip(text, 2000), allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.warning("could not post to the mod-log channel %s", config.mod_log_channel)


# --- autocomplete ----------------------------------------------------------------------------


def entry_choices(
    engine: Engine, current: str, *, show_id: bool = False, by_question: bool = False
) -> list[app_commands.Choice[str]]:
    """Autocomplete over FAQ entries. Value: the entry id, or the question (`by_question`,
    for /ask); moderators also see the id."""
    choices = []
    for entry in engine.questions.autocomplete(current):
        name = clip(f"{entry.question} ({entry.id})" if show_id else entry.question, 100)
        choices.append(
            app_commands.Choice(
                name=name, value=clip(entry.question, 100) if by_question else entry.id
            )
        )
    return choices


def topic_choices(topics: dict[str, str], current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete over topics (value: the topic slug)."""
    wanted = current.lower()
    return [
        app_commands.Choice(name=title, value=slug)
        for slug, title in topics.items()
        if wanted in title.lower() or wanted in slug
    ][:25]
