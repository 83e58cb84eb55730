"""`/faq export` and `/faq import`: the live FAQ as the YAML files of `knowledge/faq/`, and an
edited topic file back in, every change a draft for review. Added to the moderation cog's `/faq`
group."""

from __future__ import annotations

import io

import discord
from discord import app_commands

from bot.discord_app.client import FaqBot
from bot.discord_app.features.moderation._forms import REASON
from bot.discord_app.render import clip
from bot.discord_app.services import (
    NO_PINGS,
    ModeratorCommands,
    actor,
    checked_config,
    post_mod_log,
    say,
    thinking,
    who,
)
from bot.knowledge.moderation import ModerationError
from bot.knowledge.yamlsource import MAX_YAML_BYTES, KnowledgeError


class TransferCommands(ModeratorCommands):
    bot: FaqBot

    @app_commands.command(
        name="export", description="The live FAQ as YAML files (the knowledge/ format)"
    )
    async def export(self, interaction: discord.Interaction) -> None:
        exported: dict[str, str] = await self.bot.runtime.moderation.export()
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

    @app_commands.command(
        name="import", description="Bring in an edited topic file: changes become drafts"
    )
    @app_commands.describe(attachment="One topic file, as /faq export gives it", reason=REASON)
    @app_commands.rename(attachment="file")
    async def import_file(
        self,
        interaction: discord.Interaction,
        attachment: discord.Attachment,
        reason: app_commands.Range[str, 0, 300] = "",
    ) -> None:
        config = checked_config(interaction)
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
            report = await self.bot.runtime.moderation.import_topic(
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
