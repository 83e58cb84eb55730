"""Support servers: auto-answers in watched help channels, crisis alerts, "Answer from FAQ".

The bot is the first responder and hands over to people:
- In a watched channel (text or forum) it screens every member message, crisis first. A crisis
  gets crisis lines at once, and helpers get an alert with a *jump link* (never a quote).
- Otherwise it answers only when confident, once per thread (or message), asking "Did this
  answer your question?" (the helpers feature takes it from there); a forum post it cannot
  answer gets an honest "not sure" that offers a person.
- Questions it could not answer are kept as text only (no user id) for the server's retention
  period, so moderators see what to write next (the insights feature's `/faq gaps`).
Members' words are never quoted anywhere: replies carry FAQ text, alerts carry a link.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.engine import AskContext
from bot.core.reply import Reply, ReplyKind
from bot.discord_app.client import FaqBot
from bot.discord_app.limits import Limit
from bot.discord_app.render import render_reply
from bot.discord_app.services import (
    NO_PINGS,
    ask_context,
    gap_text,
    message_kwargs,
    say,
    send_reply,
    server_context,
    slow_down,
)
from bot.knowledge.guild_config import GuildConfig
from bot.knowledge.store import KnowledgeStore

log = logging.getLogger("faqbot.discord")
# Crisis alerts must reach helpers without wearing them out (documented in the README):
# one member's crisis messages within this window raise one alert; later ones follow up under it,
# without pinging the helper role again (each message still gets the crisis lines).
ALERT_MEMBER_WINDOW_SECONDS = 600.0
# At most this many helper-role pings per server per window, however many members post; later
# alerts are still posted, without the ping.
ALERT_PINGS_PER_WINDOW = 3
ALERT_PING_WINDOW_SECONDS = 600.0
# "Answer from FAQ" (staff) posts publicly on request: per server and member.
MENU_POSTS_RATE, MENU_POSTS_PER_SECONDS = 5, 60.0
CRISIS_LABELS = {
    "self_harm": "suicide or self-harm risk",
    "medical_emergency": "a medical emergency",
    "abuse": "abuse",
    "violence": "violence",
}
STAFF_PERMISSIONS = ("manage_guild", "manage_messages", "administrator")


def crisis_label(reply: Reply) -> str:
    return CRISIS_LABELS.get(reply.crisis.value if reply.crisis else "", "a crisis")


def alerts_on(config: GuildConfig) -> bool:
    return config.crisis_alerts and config.alert_channel is not None


class Support(commands.Cog):
    def __init__(self, bot: FaqBot) -> None:
        self.bot = bot
        # (guild, member) -> when their alert was raised, and its message id once posted
        self.member_alerts: dict[tuple[int, int], tuple[float, int | None]] = {}
        self.alert_pings = Limit(ALERT_PINGS_PER_WINDOW, ALERT_PING_WINDOW_SECONDS)  # per server
        self.menu_posts = Limit(MENU_POSTS_RATE, MENU_POSTS_PER_SECONDS)  # per server and member
        # For helpers: shown to Manage Messages by default (a server can allow its helper role
        # under Integrations); who may post is checked again when it runs (`is_staff`).
        self.menu = app_commands.ContextMenu(name="Answer from FAQ", callback=self.answer_from_faq)
        app_commands.default_permissions(manage_messages=True)(self.menu)
        app_commands.guild_only()(self.menu)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @property
    def store(self) -> KnowledgeStore:
        return self.bot.runtime.store

    def context(self, guild: discord.Guild | None, config: GuildConfig) -> AskContext:
        guild_locale = str(guild.preferred_locale) if guild else None
        return server_context(None, guild_locale, config, self.bot.settings.default_region)

    # --- watched channels ---------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        try:
            await self.screen(message)
        except Exception:
            log.exception("auto-answer failed in channel %s", message.channel.id)

    async def screen(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot or message.webhook_id is not None:
            return
        config: GuildConfig = await self.store.guild_config(str(message.guild.id))
        if not config.watched_channels:
            return
        channel = message.channel
        text = message.content
        if channel.id in config.watched_channels:
            claim, is_post = str(message.id), False  # a message in a watched text channel
        elif isinstance(channel, discord.Thread) and channel.parent_id in config.watched_channels:
            claim = str(channel.id)  # one answer per thread
            # A forum post's first message (same id as the post) is a request for help, and its
            # title is usually the question: screen and match both.
            is_post = message.id == channel.id and channel.type is discord.ChannelType.public_thread
            if is_post and isinstance(channel.parent, discord.ForumChannel):
                text = f"{channel.name}\n{text}"
            else:
                is_post = False
        else:
            return
        if not text.strip():
            return
        context = self.context(message.guild, config)
        answered = await self.bot.engine_answer(text, context)
        engine = self.bot.runtime.engine
        reply = engine.auto_answer(answered, context, config.auto_answer_threshold, asked=is_post)
        if reply is None:
            return  # chatter, or a question it is not sure about: stay quiet in a channel
        if reply.is_crisis:
            # Crisis first, whoever wrote it (moderators and helpers are people too), wherever
            # (a helper thread too: a helper may not have joined yet) and whatever happened in
            # this thread before: never deduplicated.
            await self.post_reply(message, reply, config)
            await self.alert_helpers(message, reply, config, message.guild.id)
            return
        if self.is_staff(message.author, config) or self.is_helper_thread(channel):
            return  # staff, and members with helpers, talk to people; the FAQ stays out
        if reply.possible_crisis is not None:
            # Possibly a crisis: the check-in and the crisis lines reach the member however
            # sure the match is (with the answer when there is one); no helper alert.
            await self.post_reply(message, reply, config)
            return
        guild_id = str(message.guild.id)
        try:
            if not await self.store.claim_answer(guild_id, claim):
                return  # this thread was answered already
        except sqlite3.Error as exc:  # answering twice beats not answering at all
            log.warning("could not record an auto-answer (%s); answering anyway", exc)
        if reply.kind is not ReplyKind.ANSWER:  # a forum post it is unsure of: keep the gap
            await self.bookkeep(self.store.record_gap(guild_id, gap_text(text)))
        await self.post_reply(message, reply, config)
        if reply.entry_id is not None:
            await self.bookkeep(self.store.count_answer(guild_id, reply.entry_id))

    async def bookkeep(self, write: Coroutine[Any, Any, None]) -> None:
        """Counting and gap-keeping: a database failure here never costs the member a reply."""
        try:
            await write
        except sqlite3.Error as exc:
            log.warning("could not record auto-answer use (%s)", exc)

    def is_helper_thread(self, channel: Any) -> bool:
        """A private thread this bot opened for "Talk to a helper" (it owns no other)."""
        return (
            isinstance(channel, discord.Thread)
            and channel.type is discord.ChannelType.private_thread
            and self.bot.user is not None
            and channel.owner_id == self.bot.user.id
        )

    def is_staff(
        self,
        author: discord.abc.User,
        config: GuildConfig,
        permissions: discord.Permissions | None = None,
    ) -> bool:
        """Moderators and helpers (Manage Server, Manage Messages, or the moderator or helper
        role): the bot doesn't answer them in help channels, and only they may post answers
        under other members' messages. `permissions`: an interaction's, in its channel."""
        if not isinstance(author, discord.Member):
            return False
        permissions = permissions or author.guild_permissions
        if any(getattr(permissions, name) for name in STAFF_PERMISSIONS):
            return True
        staff_roles = {config.moderator_role, config.helper_role} - {None}
        return any(role.id in staff_roles for role in author.roles)

    async def post_reply(self, message: discord.Message, reply: Reply, config: GuildConfig) -> None:
        """An auto-answer under a member's message (in the channel if that fails)."""
        rendered = render_reply(
            reply,
            ephemeral=False,
            shareable=False,
            auto_answer=True,
            helpers=config.helper_role is not None,
        )
        kwargs = message_kwargs(rendered)
        kwargs["mention_author"] = False
        try:
            await message.reply(**kwargs)
        except discord.HTTPException:
            # The message may be gone, or replies not allowed: post in the channel instead.
            kwargs.pop("mention_author")
            await message.channel.send(**kwargs)

    async def alert_helpers(
        self,
        message: discord.Message,
        reply: Reply,
        config: GuildConfig,
        guild_id: int,
        flagged_by: int | None = None,
    ) -> None:
        """A jump link for people who can reach out. Never a quote of what the member wrote.

        About `message`'s author; `flagged_by`: who used "Answer from FAQ" on it (the bot did
        not reply under it then). One alert per member per window (later messages follow up
        under it, unpinged), and at most `ALERT_PINGS_PER_WINDOW` role pings per server per
        window.
        """
        if not alerts_on(config):
            return
        assert config.alert_channel is not None
        label = crisis_label(reply)
        where = f"<#{message.channel.id}>"
        done = "I replied with crisis lines. Please check in with them"
        if flagged_by is not None:
            done = (
                f"<@{flagged_by}> flagged it with Answer from FAQ, and I did not reply under it. "
                "Please check in with them"
            )
        jump = f"https://discord.com/channels/{guild_id}/{message.channel.id}/{message.id}"
        channel = self.bot.get_partial_messageable(config.alert_channel)
        key = (guild_id, message.author.id)
        now = time.monotonic()
        earlier = self.member_alerts.get(key)
        if earlier is not None and now - earlier[0] < ALERT_MEMBER_WINDOW_SECONDS:
            kwargs: dict[str, Any] = {}
            if earlier[1] is not None:
                kwargs["reference"] = discord.MessageReference(
                    message_id=earlier[1], channel_id=config.alert_channel, fail_if_not_exists=False
                )
            await self.send_alert(
                channel,
                f"Another message from the same member, in {where}, may mean they are facing "
                f"{label}. {done}: {jump}",
                NO_PINGS,
                **kwargs,
            )
            return
        for stale in [
            k for k, (t, _) in self.member_alerts.items() if now - t >= ALERT_MEMBER_WINDOW_SECONDS
        ]:
            del self.member_alerts[stale]  # keep memory flat
        # Claimed before the network call: messages arriving together raise one alert.
        self.member_alerts[key] = (now, None)
        role, allowed = "", NO_PINGS
        if config.helper_role is not None:
            if self.alert_pings.claim(guild_id) == 0:
                role = f"<@&{config.helper_role}> "
                allowed = discord.AllowedMentions(
                    everyone=False, users=False, roles=[discord.Object(config.helper_role)]
                )
            else:
                done = (
                    "(Helpers were pinged for several alerts in the last few minutes, so no new "
                    f"ping.) {done}"
                )
        sent = await self.send_alert(
            channel,
            f"{role}A message in {where} may mean someone is facing {label}. {done}: {jump}",
            allowed,
        )
        if sent is None:
            self.member_alerts.pop(key, None)  # not posted: the next message tries again
        else:
            self.member_alerts[key] = (now, sent.id)

    async def send_alert(
        self,
        channel: discord.PartialMessageable,
        text: str,
        allowed: discord.AllowedMentions,
        **kwargs: Any,
    ) -> discord.Message | None:
        try:
            return await channel.send(text, allowed_mentions=allowed, **kwargs)
        except discord.HTTPException:
            log.error("could not post a crisis alert to channel %s", channel.id)
            return None

    # --- "Answer from FAQ" (message context menu) ------------------------------------------

    async def answer_from_faq(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """A helper posts the FAQ's answer under a member's message, crisis screen first.

        A crisis is never answered in public: the one who used the menu gets the lines
        privately, told it is a crisis, and helpers get the same alert as from a watched
        channel. Only staff may post (members get a polite no), a few times a minute.
        """
        guild_id = interaction.guild_id
        config = await self.store.guild_config(str(guild_id)) if guild_id else GuildConfig()
        context = ask_context(interaction, self.bot.settings, config if guild_id else None)
        reply = await self.bot.engine_answer(message.content, context)
        if reply.is_crisis:
            alerting = guild_id is not None and alerts_on(config)
            told = (
                f"I've alerted the helpers in <#{config.alert_channel}> with a link to it."
                if alerting
                else "This server has no crisis alerts set up (`/config alerts`), so please "
                "make sure a helper or moderator reaches out to them."
            )
            note = (
                f"⚠️ This message may mean its author is facing {crisis_label(reply)}. I did "
                f"not reply under it: crisis replies are never public. {told} Here are the "
                "crisis lines to share with them privately:"
            )
            await send_reply(interaction, reply, ephemeral=True, shareable=False, content=note)
            if guild_id is not None:
                await self.alert_helpers(
                    message, reply, config, guild_id, flagged_by=interaction.user.id
                )
            return

        if not self.is_staff(interaction.user, config, interaction.permissions):
            await say(
                interaction,
                "Only this server's helpers and moderators can post FAQ answers under members' "
                "messages. You can ask the FAQ yourself with /ask; if you're worried about "
                "someone, please tell a moderator.",
            )
            return
        if reply.must_stay_private:  # a check-in: only the one who used the menu sees it
            await send_reply(interaction, reply, ephemeral=True, shareable=False)
            return
        wait = self.menu_posts.claim((guild_id, interaction.user.id))
        if wait:
            await say(interaction, slow_down(wait, "posted several FAQ answers"))
            return
        await send_reply(interaction, reply, ephemeral=False, shareable=False)


async def setup(bot: FaqBot) -> None:
    await bot.add_cog(Support(bot))
