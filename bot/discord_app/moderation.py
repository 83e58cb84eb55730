"""The moderators' `/faq` group: edit the FAQ from Discord through drafts and review.

The rules (who may approve what, stale edits, atomic publishing) live in
`bot.knowledge.moderation`; this module is forms, buttons and messages. Every action is checked
again here at run time (the command is hidden from members without Manage Server, but a hidden
command is not a permission), and posted to the server's mod-log channel when one is set.
A moderator's text survives a failed save: the form is kept (in memory, for an hour) and a
button reopens it with exactly what they typed.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.discord_app import views
from bot.discord_app.render import clip
from bot.discord_app.views import NO_PINGS
from bot.knowledge.guild_config import GuildConfig
from bot.knowledge.moderation import (
    FORM_LABELS,
    FORM_LIMITS,
    EditForm,
    FormInvalid,
    Moderation,
    ModerationError,
    Revision,
    StaleEdit,
)
from bot.knowledge.review import draft_kind, entry_diff, new_domains_note, stale_note
from bot.knowledge.schema import FORM_BOX_CHARS
from bot.knowledge.yamlsource import MAX_YAML_BYTES, KnowledgeError

if TYPE_CHECKING:
    from bot.discord_app.client import FaqBot

log = logging.getLogger("faqbot.discord")
PREFIX = "mod:"
FORM, REOPEN, APPROVE, REJECT, REJECT_NOTE, REVIEW = (
    "mod:form:",
    "mod:reopen:",
    "mod:approve:",
    "mod:reject:",
    "mod:rejectnote:",
    "mod:review:",
)
FORM_TTL_SECONDS = 3600
MAX_FORMS = 500
HISTORY_LINES = 20
COLOUR = 0x8B5CF6
EMBED_DESCRIPTION = 4096  # Discord's limit


def actor(user: discord.abc.User) -> str:
    return f"discord:{user.id}"


async def post_mod_log(bot: FaqBot, config: GuildConfig, text: str) -> None:
    """Tell the mod-log channel (if set); a failure there never undoes the change."""
    if config.mod_log_channel is None:
        return
    try:
        channel = bot.get_partial_messageable(config.mod_log_channel)
        await channel.send(clip(text, 2000), allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.warning("could not post to the mod-log channel %s", config.mod_log_channel)


def who(author: str) -> str:
    """How an author is shown: a user mention (never a ping: allowed mentions are off)."""
    return f"<@{author.split(':', 1)[1]}>" if author.startswith("discord:") else author


# --- forms kept between a failed save and a retry ---------------------------------------------


@dataclass
class FormSession:
    user_id: int
    entry_id: str | None  # None: a new entry, id taken from the question
    topic: str | None
    based_on: int | None
    clinical: bool
    reason: str
    form: EditForm
    created: float


class FormSessions:
    """Forms in progress, by token; bounded and short-lived (moderators' text, not members')."""

    def __init__(self) -> None:
        self._sessions: dict[str, FormSession] = {}

    def open(self, session: FormSession) -> str:
        now = time.monotonic()
        for token in [t for t, s in self._sessions.items() if now - s.created > FORM_TTL_SECONDS]:
            del self._sessions[token]
        while len(self._sessions) >= MAX_FORMS:
            del self._sessions[next(iter(self._sessions))]
        token = secrets.token_urlsafe(12)
        self._sessions[token] = session
        return token

    def get(self, token: str, user_id: int) -> FormSession | None:
        session = self._sessions.get(token)
        if session is None or session.user_id != user_id:
            return None
        if time.monotonic() - session.created > FORM_TTL_SECONDS:
            del self._sessions[token]
            return None
        return session

    def close(self, token: str) -> None:
        self._sessions.pop(token, None)


def entry_modal(token: str, session: FormSession) -> discord.ui.Modal:
    title = f"Edit {session.entry_id}" if session.entry_id else "New FAQ entry"
    modal = discord.ui.Modal(title=clip(title, 45), custom_id=FORM + token, timeout=None)
    hints = {
        "question": "The question as members would ask it",
        "alternates": "Other ways people ask it, one per line",
        "answer": "Plain facts from authoritative sources; no doses, no diagnoses",
        "sources": "One per line: Title | https://...",
        "tags": "comma, separated, tags",
    }
    long_boxes = {"alternates", "answer", "sources"}
    for name, label in FORM_LABELS.items():
        modal.add_item(
            discord.ui.TextInput(
                label=label,
                custom_id=name,
                style=discord.TextStyle.paragraph
                if name in long_boxes
                else discord.TextStyle.short,
                default=getattr(session.form, name) or None,
                placeholder=hints[name],
                required=name in ("question", "answer", "sources"),
                # Room to type past the limit and be told so; never below what a valid entry
                # fills it with (Discord refuses a value longer than the box).
                max_length=min(FORM_BOX_CHARS, FORM_LIMITS[name] + 200),
            )
        )
    modal.stop()  # routed by custom_id; discord.py must not keep it (see client.stateless)
    return modal


def submitted_values(data: dict[str, Any]) -> dict[str, str]:
    """custom_id -> value of every text input in a modal submission (rows or labels)."""
    values: dict[str, str] = {}

    def walk(components: list[dict[str, Any]]) -> None:
        for component in components:
            if "components" in component:
                walk(component["components"])
            elif "component" in component:
                walk([component["component"]])
            elif "custom_id" in component:
                values[str(component["custom_id"])] = str(component.get("value") or "")

    walk(list(data.get("components") or []))
    return values


def slug_for(question: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", question.lower()).strip("-")
    return words[:48].rsplit("-", 1)[0] if len(words) > 48 else words


def diff_text(diff: str, room: int, filename: str) -> tuple[str, bool]:
    """The diff as a code block (which cannot be broken out of) in at most `room` characters,
    whole lines in order; when lines had to be left out it says so, naming the attached file
    with all of it, and returns True (the caller attaches it). Never cut silently."""
    lines = diff.replace("```", "ʼʼʼ").splitlines()
    block = "```diff\n{}\n```"
    if len(block.format("\n".join(lines))) <= room:
        return block.format("\n".join(lines)), False
    room -= len(block.format("")) + 200  # the note below
    kept: list[str] = []
    for line in lines:
        if sum(len(k) + 1 for k in kept) + len(line) > room:
            break
        kept.append(line)
    missing = len(lines) - len(kept)
    note = (
        f"✂️ **{missing} more diff line(s) are not shown here: the whole diff is attached as "
        f"`{filename}`.** Read it before approving."
    )
    return block.format("\n".join(kept)) + "\n" + note, True


# --- permission --------------------------------------------------------------------------------


async def moderator_config(bot: FaqBot, interaction: discord.Interaction) -> GuildConfig | None:
    """The server's settings when the member may moderate here; else a polite refusal."""
    refusal = (
        "Sorry, only this server's FAQ moderators can do that (Manage Server, or the moderator "
        "role set with `/config moderators`). Nothing was changed."
    )
    if interaction.guild_id is None:
        refusal = "FAQ moderation works inside a server, not in direct messages."
        config = None
    elif bot.settings.editor_guilds and interaction.guild_id not in bot.settings.editor_guilds:
        refusal = (
            "FAQ editing is turned off in this server: this faqbot's FAQ is shared, and its "
            "operator allows edits only from its home server. Nothing was changed."
        )
        config = None
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
    return config


async def say(
    interaction: discord.Interaction, text: str, view: discord.ui.View | None = None
) -> None:
    """An ephemeral text reply (or follow-up), never pinging anyone."""
    kwargs: dict[str, Any] = {"ephemeral": True, "allowed_mentions": NO_PINGS}
    if view is not None:
        kwargs["view"] = view
    text = clip(text, 2000)
    if interaction.response.is_done():
        await interaction.followup.send(text, **kwargs)
    else:
        await interaction.response.send_message(text, **kwargs)


async def thinking(interaction: discord.Interaction) -> None:
    """Defer before anything that can take more than a moment (checking a change against the
    whole FAQ, rebuilding the engine): Discord drops an interaction not answered in 3 s. What
    follows is sent with `say`, as a follow-up."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)


def buttons(*items: tuple[str, str, discord.ButtonStyle]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for label, custom_id, style in items:
        view.add_item(discord.ui.Button(label=label, custom_id=custom_id, style=style))
    view.stop()
    return view


# --- the moderation controller -----------------------------------------------------------------


class ModerationCommands:
    def __init__(self, bot: FaqBot) -> None:
        self.bot = bot
        self.forms = FormSessions()

    @property
    def moderation(self) -> Moderation:
        return self.bot.runtime.moderation

    async def open_form(self, interaction: discord.Interaction, session: FormSession) -> None:
        token = self.forms.open(session)
        await interaction.response.send_modal(entry_modal(token, session))

    # --- commands -------------------------------------------------------------------------

    async def add(
        self,
        interaction: discord.Interaction,
        topic: str,
        entry_id: str | None,
        clinical: bool,
        reason: str,
    ) -> None:
        if await moderator_config(self.bot, interaction) is None:
            return
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

    async def edit(
        self, interaction: discord.Interaction, entry_id: str, clinical: bool | None, reason: str
    ) -> None:
        if await moderator_config(self.bot, interaction) is None:
            return
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

    async def review(
        self, interaction: discord.Interaction, index: int = 0, note: str = ""
    ) -> None:
        if await moderator_config(self.bot, interaction) is None:
            return
        embed, view, full_diff = await self.review_page(index, note)
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

    async def review_page(
        self, index: int, note: str = ""
    ) -> tuple[discord.Embed, discord.ui.View | None, discord.File | None]:
        """One draft for review, and its whole diff as a file when the embed cannot hold it."""
        pending: list[Revision] = await self.moderation.pending()
        if not pending:
            text = (
                f"{note}\n\nNo drafts are waiting for review."
                if note
                else "No drafts are waiting for review."
            )
            embed = discord.Embed(title="FAQ review", description=text.strip(), color=COLOUR)
            return embed, None, None
        index = index % len(pending)
        draft = pending[index]
        live = await self.moderation.live(draft.entry_id)
        stale, kind = stale_note(live, draft), draft_kind(draft)
        domains = new_domains_note(draft, self.bot.runtime.loaded.source_domains)
        lines = [
            note,
            f"**Draft {draft.rev}** of `{draft.entry_id}` ({draft.entry.topic}): {kind}",
            f"By {who(draft.author)} ({draft.origin}) on {draft.created_at[:10]}",
            f"Why: {clip(draft.reason, 300)}" if draft.reason else "",
            f"⚠️ {stale}" if stale else "",
            f"🚩 **{domains}**" if domains else "",
        ]
        head = "\n".join(line for line in lines if line)
        diff = entry_diff(live, draft)
        filename = f"draft-{draft.rev}.diff"
        shown, cut = diff_text(diff, EMBED_DESCRIPTION - len(head) - 1, filename)
        embed = discord.Embed(
            title=f"FAQ review: {index + 1} of {len(pending)}",
            description=f"{head}\n{shown}",
            color=COLOUR,
        )
        full = discord.File(io.BytesIO(diff.encode("utf-8")), filename=filename) if cut else None
        view = buttons(
            ("Approve and publish", f"{APPROVE}{draft.rev}", discord.ButtonStyle.success),
            ("Reject", f"{REJECT}{draft.rev}", discord.ButtonStyle.danger),
            ("Next draft", f"{REVIEW}{index + 1}", discord.ButtonStyle.secondary),
        )
        return embed, view, full

    async def history(self, interaction: discord.Interaction, entry_id: str) -> None:
        if await moderator_config(self.bot, interaction) is None:
            return
        revisions: list[Revision] = await self.moderation.history(entry_id)
        state = await self.moderation.state(entry_id)
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
            color=COLOUR,
        )
        embed.set_footer(
            text="Bring one back with /faq revert entry revision (it is reviewed like any change)."
        )
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )

    async def revert(
        self, interaction: discord.Interaction, entry_id: str, revision: int, reason: str
    ) -> None:
        config = await moderator_config(self.bot, interaction)
        if config is None:
            return
        await thinking(interaction)
        try:
            draft = await self.moderation.revert(
                entry_id, revision, actor(interaction.user), reason
            )
        except ModerationError as exc:
            await say(interaction, str(exc))
            return
        await self.after_draft(interaction, config, draft, "revert")

    async def remove(self, interaction: discord.Interaction, entry_id: str, reason: str) -> None:
        config = await moderator_config(self.bot, interaction)
        if config is None:
            return
        await thinking(interaction)
        try:
            await self.moderation.remove(entry_id, actor(interaction.user), reason)
        except ModerationError as exc:
            await say(interaction, str(exc))
            return
        await self.bot.runtime.reload()
        await say(
            interaction,
            f"Removed `{entry_id}`: members no longer get it. Its history is kept; "
            f"`/faq restore entry:{entry_id}` brings it back.",
        )
        why = f": {reason}" if reason else ""
        await post_mod_log(
            self.bot, config, f"🗑️ {who(actor(interaction.user))} removed `{entry_id}`{why}"
        )

    async def restore(self, interaction: discord.Interaction, entry_id: str) -> None:
        config = await moderator_config(self.bot, interaction)
        if config is None:
            return
        await thinking(interaction)
        try:
            await self.moderation.restore(entry_id, actor(interaction.user))
        except (ModerationError, FormInvalid) as exc:
            await say(interaction, str(exc))
            return
        await self.bot.runtime.reload()
        await say(interaction, f"Restored `{entry_id}`: members get it again.")
        await post_mod_log(
            self.bot, config, f"♻️ {who(actor(interaction.user))} restored `{entry_id}`"
        )

    async def export(self, interaction: discord.Interaction) -> None:
        if await moderator_config(self.bot, interaction) is None:
            return
        exported: dict[str, str] = await self.moderation.export()
        files = [
            discord.File(io.BytesIO(text.encode("utf-8")), filename=f"{topic}.yaml")
            for topic, text in exported.items()
        ]
        text = (
            f"The live FAQ: {len(files)} topic files in the same format as `knowledge/faq/` "
            f"(review them in git, or edit one and bring it back with `/faq import`)."
        )
        await interaction.response.send_message(
            text, files=files[:10], ephemeral=True, allowed_mentions=NO_PINGS
        )
        for start in range(10, len(files), 10):  # Discord takes 10 files a message
            await interaction.followup.send(
                files=files[start : start + 10], ephemeral=True, allowed_mentions=NO_PINGS
            )

    async def import_file(
        self, interaction: discord.Interaction, attachment: discord.Attachment, reason: str
    ) -> None:
        config = await moderator_config(self.bot, interaction)
        if config is None:
            return
        if not attachment.filename.endswith((".yaml", ".yml")):
            await say(interaction, "Attach one topic file from `/faq export` (a .yaml file).")
            return
        if attachment.size > MAX_YAML_BYTES:
            await say(
                interaction, f"That file is over {MAX_YAML_BYTES:,} bytes; nothing was imported."
            )
            return
        await thinking(interaction)
        try:
            text = (await attachment.read()).decode("utf-8")
        except UnicodeDecodeError:
            await say(interaction, "That file is not UTF-8 text; nothing was imported.")
            return
        try:
            report = await self.moderation.import_topic(
                text, attachment.filename, actor(interaction.user), reason
            )
        except KnowledgeError as exc:
            problems = "\n".join(str(p) for p in exc.problems[:20])
            more = f"\n… and {len(exc.problems) - 20} more" if len(exc.problems) > 20 else ""
            await say(
                interaction,
                "Nothing was imported: the file has errors.\n```\n"
                + clip(problems, 1700).replace("```", "ʼʼʼ")
                + f"\n```{more}",
            )
            return
        except ModerationError as exc:
            await say(interaction, f"Nothing was imported: {exc}")
            return
        drafted = ", ".join(f"`{d.entry_id}`" for d in report.drafted) or "none"
        left = (
            f"\nNot in the file (left as they are, not removed): {', '.join(report.not_in_file)}"
            if report.not_in_file
            else ""
        )
        skipped = (
            "\nNot drafted, changed by someone else while importing (import again to retry): "
            + "; ".join(report.skipped)
            if report.skipped
            else ""
        )
        await say(
            interaction,
            f"Imported `{attachment.filename}`: {len(report.drafted)} change(s) became drafts "
            f"({drafted}); {report.unchanged} unchanged.{left}{skipped}\n"
            "Review them with `/faq review`.",
        )
        if report.drafted:
            await post_mod_log(
                self.bot,
                config,
                f"📥 {who(actor(interaction.user))} imported `{attachment.filename}`: "
                f"{len(report.drafted)} draft(s) for review ({drafted})",
            )

    # --- components and modals ------------------------------------------------------------

    async def handle(
        self, interaction: discord.Interaction, custom_id: str, data: dict[str, Any]
    ) -> None:
        """Every `mod:` button and form; each re-checks the member's permission.

        A forged or outdated id (an unknown kind, a button sent as a form or the reverse, a
        draft number that is not a number or names no draft) gets a polite reply, never silence.
        """
        kind, _, rest = custom_id.partition(":")[2].partition(":")
        prefix = f"{PREFIX}{kind}:"
        is_form = interaction.type is discord.InteractionType.modal_submit
        rev = _number(rest)
        if prefix == FORM and is_form:
            await self.submit_form(interaction, rest, submitted_values(data))
        elif prefix == REOPEN and not is_form:
            await self.reopen(interaction, rest)
        elif prefix == APPROVE and not is_form and rev is not None:
            await self.approve(interaction, rev)
        elif prefix == REJECT and not is_form and rev is not None:
            await self.ask_reject_note(interaction, rev)
        elif prefix == REJECT_NOTE and is_form and rev is not None:
            await self.reject(interaction, rev, submitted_values(data).get("note", ""))
        elif prefix == REVIEW and not is_form and rev is not None:
            await self.review(interaction, rev)
        else:
            await say(
                interaction,
                "Sorry, that button or form isn't one faqbot can use (it may be from an older "
                "version of the bot). Nothing was changed; `/faq review` shows the drafts.",
            )

    async def reopen(self, interaction: discord.Interaction, token: str) -> None:
        session = self.forms.get(token, interaction.user.id)
        if session is None:
            await say(
                interaction,
                "That form has expired (forms are kept for an hour, and not across a "
                "restart). Please start again.",
            )
            return
        if await moderator_config(self.bot, interaction) is None:
            return
        await interaction.response.send_modal(entry_modal(token, session))

    async def ask_reject_note(self, interaction: discord.Interaction, rev: int) -> None:
        if await moderator_config(self.bot, interaction) is None:
            return
        try:
            await self.moderation.pending_draft(rev)
        except ModerationError as exc:
            await say(interaction, f"Not rejected: {exc}")
            return
        modal = discord.ui.Modal(
            title=f"Reject draft {rev}", custom_id=f"{REJECT_NOTE}{rev}", timeout=None
        )
        modal.add_item(
            discord.ui.TextInput(
                label="Why? (the author sees this in /faq history)",
                custom_id="note",
                style=discord.TextStyle.paragraph,
                required=False,
                max_length=500,
            )
        )
        modal.stop()
        await interaction.response.send_modal(modal)

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
        config = await moderator_config(self.bot, interaction)
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
        config = await moderator_config(self.bot, interaction)
        if config is None:
            return
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
        try:
            published = await self.moderation.approve(
                rev, actor(interaction.user), allow_self=config.single_moderator_publish
            )
        except (ModerationError, FormInvalid) as exc:
            await say(interaction, f"Not published: {exc}")
            return
        await self.bot.runtime.reload()  # members get it from the very next question
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
            await self.review(interaction, 0, note)  # on to the next draft, in place
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
        config = await moderator_config(self.bot, interaction)
        if config is None:
            return
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


def _number(text: str) -> int | None:
    """A draft number or page from a custom id; None unless it is one (SQLite's int64)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


# --- registration -------------------------------------------------------------------------------


def register_moderation(bot: FaqBot) -> ModerationCommands:
    commands = ModerationCommands(bot)
    faq = app_commands.Group(
        name="faq",
        description="Edit the FAQ: drafts, review, history (moderators)",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    async def entry_choices(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return views.entry_choices(bot.runtime.engine, current, show_id=True)

    async def removed_choices(
        _: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        removed = await bot.runtime.moderation.removed()
        return [
            app_commands.Choice(name=s.entry_id, value=s.entry_id)
            for s in removed
            if current.lower() in s.entry_id
        ][:25]

    async def topic_choices(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return views.topic_choices(bot.runtime.loaded.topics, current)

    reason_text = "Why (kept in the history and the mod-log)"

    @faq.command(name="add", description="Write a new FAQ entry (a draft until approved)")
    @app_commands.describe(
        topic="Which topic it belongs to",
        entry_id="Short id, e.g. kratom-tolerance (default: from the question)",
        clinical="Does it touch medicines, doses or treatment? (adds the professional pointer)",
        reason=reason_text,
    )
    @app_commands.rename(entry_id="id")
    @app_commands.autocomplete(topic=topic_choices)
    async def add(
        interaction: discord.Interaction,
        topic: str,
        entry_id: app_commands.Range[str, 1, 64] | None = None,
        clinical: bool = False,
        reason: app_commands.Range[str, 0, 300] = "",
    ) -> None:
        await commands.add(interaction, topic, entry_id, clinical, reason)

    @faq.command(name="edit", description="Change an FAQ entry (a draft until approved)")
    @app_commands.describe(
        entry="Start typing a question", clinical="Change the clinical flag", reason=reason_text
    )
    @app_commands.autocomplete(entry=entry_choices)
    async def edit(
        interaction: discord.Interaction,
        entry: str,
        clinical: bool | None = None,
        reason: app_commands.Range[str, 0, 300] = "",
    ) -> None:
        await commands.edit(interaction, entry, clinical, reason)

    @faq.command(name="review", description="Drafts waiting for review, with Approve / Reject")
    async def review(interaction: discord.Interaction) -> None:
        await commands.review(interaction)

    @faq.command(name="history", description="Every revision of an entry: who, when, why")
    @app_commands.autocomplete(entry=entry_choices)
    async def history(interaction: discord.Interaction, entry: str) -> None:
        await commands.history(interaction, entry)

    @faq.command(
        name="revert", description="Bring back an earlier revision (reviewed like any change)"
    )
    @app_commands.describe(
        entry="The entry", revision="The revision number from /faq history", reason=reason_text
    )
    @app_commands.autocomplete(entry=entry_choices)
    async def revert(
        interaction: discord.Interaction,
        entry: str,
        revision: app_commands.Range[int, 1],
        reason: app_commands.Range[str, 0, 300] = "",
    ) -> None:
        await commands.revert(interaction, entry, revision, reason)

    @faq.command(name="remove", description="Take an entry out of the FAQ (restorable)")
    @app_commands.describe(entry="The entry", reason=reason_text)
    @app_commands.autocomplete(entry=entry_choices)
    async def remove(
        interaction: discord.Interaction, entry: str, reason: app_commands.Range[str, 0, 300] = ""
    ) -> None:
        await commands.remove(interaction, entry, reason)

    @faq.command(name="restore", description="Bring back a removed entry")
    @app_commands.autocomplete(entry=removed_choices)
    async def restore(interaction: discord.Interaction, entry: str) -> None:
        await commands.restore(interaction, entry)

    @faq.command(name="export", description="The live FAQ as YAML files (the knowledge/ format)")
    async def export(interaction: discord.Interaction) -> None:
        await commands.export(interaction)

    @faq.command(name="import", description="Bring in an edited topic file: changes become drafts")
    @app_commands.describe(file="One topic file, as /faq export gives it", reason=reason_text)
    async def import_(
        interaction: discord.Interaction,
        file: discord.Attachment,
        reason: app_commands.Range[str, 0, 300] = "",
    ) -> None:
        await commands.import_file(interaction, file, reason)

    bot.tree.add_command(faq)
    return commands
