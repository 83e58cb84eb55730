"""Support servers: auto-answers in help channels, crisis alerts, helper hand-off, gaps, privacy.

The bot is the first responder and hands over to people:
- In a watched channel (text or forum) it screens every member message, crisis first. A crisis
  gets crisis lines at once, and helpers get an alert with a *jump link* (never a quote).
- Otherwise it answers only when confident, once per thread (or message), asking "Did this
  answer your question?"; "No", or a forum post it cannot answer, offers **Talk to a helper**.
- "Talk to a helper" opens a private thread with the member and pings the helper role there,
  and only there.
- Questions it could not answer are kept as text only (no user id) for the server's retention
  period, so moderators see what to write next (`/faq gaps`).
Members' words are never quoted anywhere: replies carry FAQ text, alerts carry a link.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import sqlite3
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.core.engine import AskContext
from bot.core.gaps import MAX_GROUPED, group_gaps
from bot.core.reply import Reply, ReplyKind
from bot.discord_app.limits import Limit
from bot.discord_app.render import (
    ANSWERED_NO,
    ANSWERED_YES,
    TALK,
    clip,
    render_reply,
)
from bot.discord_app.views import NO_PINGS, to_view
from bot.knowledge.guild_config import GuildConfig
from bot.knowledge.schema import MENTION_PATTERN
from bot.knowledge.store import KnowledgeStore

if TYPE_CHECKING:
    from bot.discord_app.client import FaqBot

log = logging.getLogger("faqbot.discord")
HANDOFF_COOLDOWN_SECONDS = 600.0  # one helper thread per member per server per 10 minutes
# Crisis alerts must reach helpers without wearing them out (documented in the README):
# one member's crisis messages within this window raise one alert; later ones follow up under it,
# without pinging the helper role again (each message still gets the crisis lines).
ALERT_MEMBER_WINDOW_SECONDS = 600.0
# At most this many helper-role pings per server per window, however many members post; later
# alerts are still posted, without the ping.
ALERT_PINGS_PER_WINDOW = 3
ALERT_PING_WINDOW_SECONDS = 600.0
# Public posts on request: "Answer from FAQ" (staff) and "Share here" (anyone) per member.
MENU_POSTS_RATE, MENU_POSTS_PER_SECONDS = 5, 60.0
SHARES_RATE, SHARES_PER_SECONDS = 3, 300.0
PURGE_EVERY_SECONDS = 3600.0
MIN_WORDS_TO_ANSWER = 3  # "thanks!", "lol same" are chatter, not questions
MAX_GAP_CHARS = 300
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


def slow_down(wait: float, done: str) -> str:
    """The polite answer when a member's public posts are limited."""
    return (
        f"You've {done} in a short while. To keep the channel readable, please wait "
        f"{math.ceil(wait)} s and try again."
    )


def gap_text(question: str) -> str:
    """What is kept of an unanswered question: its text, capped, with anything ping-like cut."""
    return MENTION_PATTERN.sub("[mention]", question.strip())[:MAX_GAP_CHARS]


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


class Support:
    def __init__(self, bot: FaqBot) -> None:
        self.bot = bot
        self.handoffs: dict[tuple[int, int], tuple[float, int]] = {}  # (guild, member) -> t, thread
        # (guild, member) -> when their alert was raised, and its message id once posted
        self.member_alerts: dict[tuple[int, int], tuple[float, int | None]] = {}
        self.alert_pings = Limit(ALERT_PINGS_PER_WINDOW, ALERT_PING_WINDOW_SECONDS)  # per server
        self.menu_posts = Limit(MENU_POSTS_RATE, MENU_POSTS_PER_SECONDS)  # per server and member
        self.shares = Limit(SHARES_RATE, SHARES_PER_SECONDS)  # per server and member
        self.purge_task: asyncio.Task[None] | None = None

    @property
    def store(self) -> KnowledgeStore:
        return self.bot.runtime.store

    def context(self, guild: discord.Guild | None, config: GuildConfig) -> AskContext:
        guild_locale = str(guild.preferred_locale) if guild else None
        return server_context(None, guild_locale, config, self.bot.settings.default_region)

    # --- watched channels ---------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
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
        reply = await self.bot.engine_answer(text, self.context(message.guild, config))
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
        threshold = config.auto_answer_threshold
        if threshold is None:
            threshold = self.bot.runtime.engine.matcher.answer_threshold
        confident = (
            reply.kind is ReplyKind.ANSWER
            and reply.score is not None
            and reply.score >= threshold
            and len(text.split()) >= MIN_WORDS_TO_ANSWER
        )
        if not confident and not is_post:
            return  # chatter, or a question it is not sure about: stay quiet in a channel
        guild_id = str(message.guild.id)
        try:
            if not await self.store.claim_answer(guild_id, claim):
                return  # this thread was answered already
        except sqlite3.Error as exc:  # answering twice beats not answering at all
            log.warning("could not record an auto-answer (%s); answering anyway", exc)
        if confident:
            await self.post_reply(message, reply, config)
            assert reply.entry_id is not None
            await self.bookkeep(self.store.count_answer(guild_id, reply.entry_id))
        else:  # a forum post is a request for help: say so honestly and offer a person
            await self.bookkeep(self.store.record_gap(guild_id, gap_text(text)))
            unsure = self.bot.runtime.engine.unsure(reply, self.context(message.guild, config))
            await self.post_reply(message, unsure, config)

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
        rendered = render_reply(
            reply,
            ephemeral=False,
            shareable=False,
            auto_answer=True,
            helpers=config.helper_role is not None,
        )
        kwargs: dict[str, Any] = {
            "embed": discord.Embed.from_dict(rendered.embed),
            "allowed_mentions": NO_PINGS,
            "mention_author": False,
        }
        if (view := to_view(rendered)) is not None:
            kwargs["view"] = view
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
        from bot.discord_app.client import ask_context, send_reply  # it imports this module

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

        async def say(text: str) -> None:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)

        if not self.is_staff(interaction.user, config, interaction.permissions):
            await say(
                "Only this server's helpers and moderators can post FAQ answers under members' "
                "messages. You can ask the FAQ yourself with /ask; if you're worried about "
                "someone, please tell a moderator."
            )
            return
        if reply.must_stay_private:  # a check-in: only the one who used the menu sees it
            await send_reply(interaction, reply, ephemeral=True, shareable=False)
            return
        wait = self.menu_posts.claim((guild_id, interaction.user.id))
        if wait:
            await say(slow_down(wait, "posted several FAQ answers"))
            return
        await send_reply(interaction, reply, ephemeral=False, shareable=False)

    # --- buttons ------------------------------------------------------------------------

    async def handle(self, interaction: discord.Interaction, custom_id: str) -> None:
        if custom_id.startswith(TALK):
            await self.talk_to_helper(interaction, custom_id[len(TALK) :])
            return
        helpful = custom_id.startswith(ANSWERED_YES)
        entry_id = custom_id[len(ANSWERED_YES if helpful else ANSWERED_NO) :]
        if entry_id in self.bot.runtime.engine.by_id:
            await self.store.record_vote(entry_id, str(interaction.user.id), helpful)
        if helpful:
            await interaction.response.send_message(
                "Glad it helped. Thanks for telling me!", ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        config = await self.store.guild_config(str(interaction.guild_id or 0))
        view = None
        text = (
            "Sorry it didn't answer your question. Thanks for telling me: it helps the moderators."
        )
        if config.helper_role is not None:
            view = discord.ui.View(timeout=None)
            view.add_item(
                discord.ui.Button(
                    label="Talk to a helper",
                    custom_id=TALK + entry_id,
                    style=discord.ButtonStyle.primary,
                )
            )
            view.stop()
            text += " A person from this server can help: press **Talk to a helper**."
        kwargs: dict[str, Any] = {"view": view} if view else {}
        await interaction.response.send_message(
            text, ephemeral=True, allowed_mentions=NO_PINGS, **kwargs
        )

    async def talk_to_helper(self, interaction: discord.Interaction, entry_id: str) -> None:
        async def say(text: str) -> None:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)

        guild = interaction.guild
        if guild is None:
            await say(
                "Helpers are people in a server; please ask there. /resources has lines you "
                "can call."
            )
            return
        config: GuildConfig = await self.store.guild_config(str(guild.id))
        if config.helper_role is None:
            await say(
                "This server hasn't set up helpers yet; please reach out to a moderator. "
                "If you need help right now, use /resources."
            )
            return
        key = (guild.id, interaction.user.id)
        now = time.monotonic()
        last = self.handoffs.get(key)
        if last is not None and now - last[0] < HANDOFF_COOLDOWN_SECONDS:
            await say(
                f"You already have a private thread with the helpers: <#{last[1]}>. They'll "
                "be with you there."
                if last[1]
                else "I'm opening a private thread with the helpers for you; it will appear "
                "in a moment."
            )
            return
        host = self.thread_host(interaction.channel, config, guild)
        if host is None:
            await say(
                "I can't open a private thread here. Please message a moderator or helper "
                "directly; if you need help right now, use /resources."
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

    # --- retention ----------------------------------------------------------------------

    def start_purging(self) -> None:
        async def loop() -> None:
            while True:
                try:
                    deleted = await self.store.purge_expired()
                    if deleted:
                        log.info("retention: deleted %d expired unanswered question(s)", deleted)
                except Exception:
                    log.exception("retention purge failed; trying again later")
                await asyncio.sleep(PURGE_EVERY_SECONDS)

        self.purge_task = asyncio.create_task(loop(), name="faqbot retention purge")

    async def stop_purging(self) -> None:
        if self.purge_task is not None:
            self.purge_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.purge_task
            self.purge_task = None


# --- commands --------------------------------------------------------------------------------

PRIVACY_TEXT = (
    "**What faqbot stores about you:** only your Helpful / Not helpful (and Yes / No) votes, with "
    "your user ID, so you can vote once per answer. Your questions are never stored with your "
    "name. Questions the bot could not answer are kept as text only, without who asked, for "
    "{days} days, so moderators can write new answers. Private helper threads are Discord "
    "threads: the server keeps them, not faqbot."
)


def register_support(bot: FaqBot, support: Support) -> None:
    privacy = app_commands.Group(name="privacy", description="What faqbot stores about you")

    @privacy.command(name="show", description="See everything faqbot stores about you")
    async def show(interaction: discord.Interaction) -> None:
        votes = await support.store.member_data(str(interaction.user.id))
        config = await support.store.guild_config(str(interaction.guild_id or 0))
        lines = [
            f"• {'👍' if helpful else '👎'} `{entry_id}` ({at[:10]})"
            for entry_id, helpful, at in votes
        ]
        listed = "\n".join(lines[:30]) or "• nothing: you have not voted on any answer."
        more = f"\n… and {len(lines) - 30} more" if len(lines) > 30 else ""
        embed = discord.Embed(
            title="Your data in faqbot",
            description=PRIVACY_TEXT.format(days=config.retention_days)
            + f"\n\n**Stored now:**\n{listed}{more}\n\nDelete it all with `/privacy forget`.",
            color=0x3B82F6,
        )
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )

    @privacy.command(name="forget", description="Delete everything faqbot stores about you")
    async def forget(interaction: discord.Interaction) -> None:
        deleted = await support.store.forget_member(str(interaction.user.id))
        await interaction.response.send_message(
            f"Done: deleted {deleted} stored vote(s). faqbot keeps nothing else that names you.",
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    bot.tree.add_command(privacy)


async def recent_gaps(store: KnowledgeStore, guild_id: str, cap: int) -> tuple[int, list[str]]:
    """How many unanswered questions a server has, and the most recent `cap` (oldest first).

    Read here rather than with `store.gaps()`, which returns every row: a server can hold
    hundreds of thousands, and only the most recent are grouped.
    """
    async with store.db.execute(
        "SELECT COUNT(*) FROM gaps WHERE guild_id = ?", (guild_id,)
    ) as cursor:
        row = await cursor.fetchone()
    async with store.db.execute(
        "SELECT text FROM gaps WHERE guild_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        (guild_id, cap),
    ) as cursor:
        recent = [r[0] for r in await cursor.fetchall()]
    return (int(row[0]) if row else 0), recent[::-1]


def register_support_moderation(bot: FaqBot, support: Support, faq: app_commands.Group) -> None:
    """`/faq gaps` and `/faq stats`, in the moderators' group."""
    from bot.discord_app.moderation import moderator_config

    @faq.command(name="gaps", description="Questions the bot could not answer, most asked first")
    async def gaps(interaction: discord.Interaction) -> None:
        config = await moderator_config(bot, interaction)
        if config is None:
            return
        # Reading and grouping take a moment with many stored questions: answer "thinking"
        # first, and group on a worker thread (not the model's: /ask must not queue behind it).
        await interaction.response.defer(ephemeral=True, thinking=True)
        total, texts = await recent_gaps(support.store, str(interaction.guild_id), MAX_GROUPED)
        groups = await asyncio.to_thread(group_gaps, texts, bot.runtime.loaded.matching)
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
            color=0x8B5CF6,
        )
        grouped = f"Grouped: the most recent {len(texts)}. " if total > len(texts) else ""
        embed.set_footer(
            text=f"{grouped}Kept as text only, without who asked. Write an answer with /faq add."
        )
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)

    @faq.command(name="stats", description="How often each answer is used, and how helpful it is")
    async def stats(interaction: discord.Interaction) -> None:
        if await moderator_config(bot, interaction) is None:
            return
        rows = await support.store.entry_stats(str(interaction.guild_id))
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
            color=0x8B5CF6,
        )
        embed.set_footer(text="Answers: /ask and auto-answers in this server. Votes: all servers.")
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )


__all__ = ["Support", "register_support", "register_support_moderation"]
