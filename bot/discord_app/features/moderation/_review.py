"""What a reviewer sees of a draft: who, why, what is stale or new, and the whole diff."""

from __future__ import annotations

import io

import discord

from bot.discord_app.features.moderation._forms import APPROVE, REJECT, REVIEW
from bot.discord_app.render import MODERATION_COLOUR, clip
from bot.discord_app.services import buttons, who
from bot.knowledge.review import draft_kind, entry_diff, new_domains_note, stale_note
from bot.knowledge.store import Revision
from bot.runtime import Runtime

EMBED_DESCRIPTION = 4096  # Discord's limit


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


async def review_page(
    runtime: Runtime, index: int, note: str = ""
) -> tuple[discord.Embed, discord.ui.View | None, discord.File | None]:
    """One draft for review, and its whole diff as a file when the embed cannot hold it."""
    moderation = runtime.moderation
    pending: list[Revision] = await moderation.pending()
    if not pending:
        text = (
            f"{note}\n\nNo drafts are waiting for review."
            if note
            else "No drafts are waiting for review."
        )
        embed = discord.Embed(title="FAQ review", description=text.strip(), color=MODERATION_COLOUR)
        return embed, None, None
    index = index % len(pending)
    draft = pending[index]
    live = await moderation.live(draft.entry_id)
    stale, kind = stale_note(live, draft), draft_kind(draft)
    domains = new_domains_note(draft, runtime.loaded.source_domains)
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
        color=MODERATION_COLOUR,
    )
    full = discord.File(io.BytesIO(diff.encode("utf-8")), filename=filename) if cut else None
    view = buttons(
        ("Approve and publish", f"{APPROVE}{draft.rev}", discord.ButtonStyle.success),
        ("Reject", f"{REJECT}{draft.rev}", discord.ButtonStyle.danger),
        ("Next draft", f"{REVIEW}{index + 1}", discord.ButtonStyle.secondary),
    )
    return embed, view, full
