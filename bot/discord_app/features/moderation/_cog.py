"""The moderators' `/faq` group: edit the FAQ from Discord through drafts and review.

The rules (who may approve what, stale edits, atomic publishing) live in
`bot.knowledge.moderation`; this cog is commands, forms and messages. Every command and button
passes one check, "moderator of this server" (`services.is_moderator`), at run time (the group
is hidden from members without Manage Server, but a hidden command is not a permission); every
change is posted to the server's mod-log channel when one is set. A moderator's text survives a
failed save: the form is kept (in memory, for an hour) and a button reopens it with exactly
what they typed.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.client import FaqBot
from bot.discord_app.features.moderation._entries import EntryCommands
from bot.discord_app.features.moderation._forms import (
    APPROVE,
    FORM,
    PREFIX,
    REASON,
    REJECT_NOTE,
    REOPEN,
    FormSession,
    FormSessions,
    entry_modal,
    number,
    reject_modal,
    slug_for,
    submitted_values,
)
from bot.discord_app.features.moderation._review import review_page
from bot.discord_app.features.moderation._transfer import TransferCommands
from bot.discord_app.render import clip
from bot.discord_app.services import (
    NO_PINGS,
    actor,
    apologise,
    buttons,
    checked_config,
    entry_choices,
    is_moderator,
    moderator_config,
    post_mod_log,
    say,
    thinking,
    topic_choices,
    who,
)
from bot.knowledge.form import FORM_LABELS, EditForm
from bot.knowledge.guild_config import GuildConfig
from bot.knowledge.moderation import (
    FormInvalid,
    Moderation,
    ModerationError,
    StaleEdit,
)
from bot.knowledge.review import new_domains_note
from bot.knowledge.store import Revision

log = logging.getLogger("faqbot.discord")
UNKNOWN = (
    "Sorry, that button or form isn't one faqbot can use (it may be from an older version of "
    "the bot). Nothing was changed; `/faq review` shows the drafts."
)


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class FaqModeration(
    commands.GroupCog,
    group_name="faq",
    group_description="Edit the FAQ: drafts, review, history (moderators)",
):
    def __init__(self, bot: FaqBot) -> None:
        self.bot = bot
        self.forms = FormSessions()

    @property
    def moderation(self) -> Moderation:
        return self.bot.runtime.moderation

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return await is_moderator(interaction)

    async def cog_load(self) -> None:
        # Beside the cog, in their own modules: an entry's history and removal, and YAML
        # export/import. They join this /faq group and pass the same moderator check.
        assert self.app_command is not None
        for group in (EntryCommands(self.bot), TransferCommands(self.bot)):
            for command in group.commands:
                self.app_command.add_command(command)

    async def entry_choices(
        self, _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return entry_choices(self.bot.runtime.engine, current, show_id=True)

    async def topic_choices(
        self, _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return topic_choices(self.bot.runtime.loaded.topics, current)

    async def open_form(self, interaction: discord.Interaction, session: FormSession) -> None:
        token = self.forms.open(session)
        await interaction.response.send_modal(entry_modal(token, session))

    # --- commands -------------------------------------------------------------------------

    @app_commands.command(name="add", description="Write a new FAQ entry (a draft until approved)")
    @app_commands.describe(
        topic="Which topic it belongs to",
        entry_id="Short id, e.g. kratom-tolerance (default: from the question)",
        clinical="Does it touch medicines, doses or treatment? (adds the professional pointer)",
        reason=REASON,
    )
    @app_commands.rename(entry_id="id")
    @app_commands.autocomplete(topic=topic_choices)
    async def add(
        self,
        interaction: discord.Interaction,
        topic: str,
        entry_id: app_commands.Range[str, 1, 64] | None = None,
        clinical: bool = False,
        reason: app_commands.Range[str, 0, 300] = "",
    ) -> None:
        if topic not in self.bot.runtime.loaded.topics:
            topics = ", ".join(sorted(self.bot.runtime.loaded.topics))
            await say(interaction, f"Pick one of the topics: {topics}.")
            return
        session = FormSession(
            interaction.user.id,
            entry_id,
            topic,
            None,
            clinical,
            reason,
            EditForm(),
            time.monotonic(),
        )
        await self.open_form(interaction, session)

    @app_commands.command(name="edit", description="Change an FAQ entry (a draft until approved)")
    @app_commands.describe(
        entry_id="Start typing a question", clinical="Change the clinical flag", reason=REASON
    )
    @app_commands.rename(entry_id="entry")
    @app_commands.autocomplete(entry_id=entry_choices)
    async def edit(
        self,
        interaction: discord.Interaction,
        entry_id: str,
        clinical: bool | None = None,
        reason: app_commands.Range[str, 0, 300] = "",
    ) -> None:
        live = await self.moderation.live(entry_id)
        if live is None:
            await say(
                interaction, f"There is no published entry `{entry_id}`. Pick one from the list."
            )
            return
        session = FormSession(
            interaction.user.id,
            entry_id,
            live.entry.topic,
            live.rev,
            live.entry.clinical if clinical is None else clinical,
            reason,
            EditForm.from_entry(live.entry),
            time.monotonic(),
        )
        await self.open_form(interaction, session)

    @app_commands.command(
        name="review", description="Drafts waiting for review, with Approve / Reject"
    )
    async def review(self, interaction: discord.Interaction) -> None:
        await self.show_review(interaction)

    async def show_review(
        self, interaction: discord.Interaction, index: int = 0, note: str = ""
    ) -> None:
        """The review message: new for the command, in place for its buttons."""
        embed, view, full_diff = await review_page(self.bot.runtime, index, note)
        # In place, the previous draft's diff file goes (attachments=[]) unless this one has one.
        attachments = [full_diff] if full_diff else []
        if interaction.response.is_done():  # deferred (Approve): the review message, in place
            await interaction.edit_original_response(
                content=None, embed=embed, view=view, attachments=attachments
            )
        elif interaction.type is discord.InteractionType.component:
            await interaction.response.edit_message(
                content=None, embed=embed, view=view, attachments=attachments
            )
        else:
            kwargs: dict[str, Any] = {"view": view} if view is not None else {}
            if full_diff:
                kwargs["file"] = full_diff
            await interaction.response.send_message(
                embed=embed, ephemeral=True, allowed_mentions=NO_PINGS, **kwargs
            )

    @app_commands.command(
        name="revert", description="Bring back an earlier revision (reviewed like any change)"
    )
    @app_commands.describe(
        entry_id="The entry", revision="The revision number from /faq history", reason=REASON
    )
    @app_commands.rename(entry_id="entry")
    @app_commands.autocomplete(entry_id=entry_choices)
    async def revert(
        self,
        interaction: discord.Interaction,
        entry_id: str,
        revision: app_commands.Range[int, 1],
        reason: app_commands.Range[str, 0, 300] = "",
    ) -> None:
        config = checked_config(interaction)
        await thinking(interaction)
        try:
            draft = await self.moderation.revert(
                entry_id, revision, actor(interaction.user), reason
            )
        except ModerationError as exc:
            await say(interaction, str(exc))
            return
        await self.after_draft(interaction, config, draft, "revert")

    async def reopen(self, interaction: discord.Interaction, token: str) -> None:
        session = self.forms.get(token, interaction.user.id)
        if session is None:
            await say(
                interaction,
                "That form has expired (forms are kept for an hour, and not across a "
                "restart). Please start again.",
            )
            return
        await interaction.response.send_modal(entry_modal(token, session))

    async def submit_form(
        self, interaction: discord.Interaction, token: str, values: dict[str, str]
    ) -> None:
        session = self.forms.get(token, interaction.user.id)
        form = EditForm(**{name: values.get(name, "") for name in FORM_LABELS})
        if session is None:
            # The text would be lost: show it back so nothing the moderator typed disappears.
            kept = "\n\n".join(
                f"**{FORM_LABELS[k]}**\n{v}" for k, v in values.items() if v and k in FORM_LABELS
            )
            await say(
                interaction,
                clip(
                    "That form expired (bot restarted or over an hour old), so nothing was saved. "
                    "Here is what you typed, to copy into a new `/faq add` or `/faq edit`:\n\n"
                    + kept,
                    2000,
                ),
            )
            return
        session.form = form  # kept whole: a retry reopens with exactly this
        config = await moderator_config(interaction)  # a form is not a command: checked here
        if config is None:
            return
        reopen = buttons(("Reopen my form", f"{REOPEN}{token}", discord.ButtonStyle.primary))
        try:
            entry_id = session.entry_id or slug_for(form.question)
            entry = form.to_entry(entry_id or "x", clinical=session.clinical)
            if not entry_id:
                raise FormInvalid(["Question: write a question (it also names the entry)"])
            await thinking(interaction)  # the form is valid: checking it against the FAQ
            draft = await self.moderation.save_draft(
                entry,
                based_on=session.based_on,
                author=actor(interaction.user),
                reason=session.reason,
                topic=session.topic,
            )
        except FormInvalid as exc:
            await say(
                interaction, f"Not saved yet: please fix these, your text is kept.\n{exc}", reopen
            )
            return
        except StaleEdit as exc:
            session.based_on = exc.live  # a retry starts from what is live now
            await say(
                interaction,
                f"{exc}\nYour text is kept: **Reopen my form** to apply it to the new "
                "live version.",
                reopen,
            )
            return
        except ModerationError as exc:
            await say(interaction, f"Not saved: {exc}", reopen)
            return
        self.forms.close(token)
        await self.after_draft(interaction, config, draft, "draft")

    async def after_draft(
        self, interaction: discord.Interaction, config: GuildConfig, draft: Revision, action: str
    ) -> None:
        what = "A revert" if action == "revert" else "Your change"
        if config.single_moderator_publish:
            view = buttons(("Publish now", f"{APPROVE}{draft.rev}", discord.ButtonStyle.success))
            follow = (
                "This server allows one moderator to publish: press **Publish now** when ready."
            )
        else:
            view = None
            follow = (
                "Another moderator can approve it with `/faq review`; until then members see "
                "the current version."
            )
        domains = new_domains_note(draft, self.bot.runtime.loaded.source_domains)
        await say(
            interaction,
            f"{what} to `{draft.entry_id}` is saved as draft {draft.rev}. {follow}"
            + (f"\n🚩 {domains}" if domains else ""),
            view,
        )
        verb = "proposed a revert of" if action == "revert" else "drafted a change to"
        why = f": {draft.reason}" if draft.reason else ""
        await post_mod_log(
            self.bot,
            config,
            f"📝 {who(draft.author)} {verb} `{draft.entry_id}` (draft {draft.rev}){why}. "
            "Review: `/faq review`",
        )

    async def approve(self, interaction: discord.Interaction, rev: int) -> None:
        config = checked_config(interaction)
        try:  # before deferring: a draft that is gone (or never was) is a quick, plain answer
            await self.moderation.pending_draft(rev)
        except ModerationError as exc:
            await say(interaction, f"Not published: {exc}")
            return
        in_place = interaction.message is not None and bool(interaction.message.embeds)
        if in_place:
            await interaction.response.defer()  # the review message is updated when done
        else:
            await thinking(interaction)
        try:  # returns once the engine is rebuilt: members get it from the very next question
            published = await self.moderation.approve(
                rev, actor(interaction.user), allow_self=config.single_moderator_publish
            )
        except (ModerationError, FormInvalid) as exc:
            await say(interaction, f"Not published: {exc}")
            return
        state = await self.moderation.state(published.entry_id)
        removed = state is not None and state.removed_at is not None
        # A removed entry stays removed (restoring is its own, explicit step): say so, rather
        # than "live", so a moderator is not misled about what members see.
        shown = (
            "is still removed, so members don't see it; `/faq restore` brings it back"
            if removed
            else "is live now"
        )
        note = f"✅ Published draft {rev}: `{published.entry_id}` {shown}."
        if in_place:
            await self.show_review(interaction, 0, note)  # on to the next draft, in place
        else:
            await say(interaction, note)
        # After answering: a slow or failing mod-log must not delay the moderator's reply.
        await post_mod_log(
            self.bot,
            config,
            f"✅ {who(actor(interaction.user))} approved draft {rev} by {who(published.author)}: "
            f"`{published.entry_id}` {'(removed: not shown to members)' if removed else 'is live'}",
        )

    async def reject(self, interaction: discord.Interaction, rev: int, note: str) -> None:
        config = checked_config(interaction)
        try:
            rejected = await self.moderation.reject(rev, actor(interaction.user), note)
        except ModerationError as exc:
            await say(interaction, f"Not rejected: {exc}")
            return
        await say(
            interaction, f"Rejected draft {rev} of `{rejected.entry_id}`; it stays in the history."
        )
        why = f": {note.strip()}" if note.strip() else ""
        await post_mod_log(
            self.bot,
            config,
            f"❌ {who(actor(interaction.user))} rejected draft {rev} of `{rejected.entry_id}`{why}",
        )

    async def ask_reject_note(self, interaction: discord.Interaction, rev: int) -> None:
        try:
            await self.moderation.pending_draft(rev)
        except ModerationError as exc:
            await say(interaction, f"Not rejected: {exc}")
            return
        await interaction.response.send_modal(reject_modal(rev))

    # --- forms (modals are not buttons: routed here by custom_id) --------------------------

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A submitted `mod:` form. A forged or outdated id (an unknown kind, a button's id
        sent as a form, a draft number that is not one) gets a polite reply, never silence."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if not custom_id.startswith(PREFIX):
            return
        try:
            if custom_id.startswith(FORM):
                await self.submit_form(interaction, custom_id[len(FORM) :], submitted_values(data))
            elif (rev := number(custom_id.removeprefix(REJECT_NOTE))) is not None and (
                custom_id.startswith(REJECT_NOTE)
            ):
                if await moderator_config(interaction) is not None:
                    await self.reject(interaction, rev, submitted_values(data).get("note", ""))
            else:
                await say(interaction, UNKNOWN)
        except Exception as exc:
            log.exception("a moderator's form failed")
            await apologise(interaction, exc)
