"""Render a `Reply` as a Discord message: embed, buttons, flags. Pure: plain dicts, no discord.

Limits enforced here (Discord's): embed title 256, description 4096, field value 1024, footer
2048, total 6000 characters; button label 80, custom_id 100; 5 buttons a row.
The member's own words never appear in anything rendered here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.reply import Reply, ReplyKind, Resource

# Every embed colour the bot uses: replies by kind, member-facing pages (browse, about,
# privacy, settings) and moderators' views (review, history, gaps, stats).
INFO_COLOUR, MODERATION_COLOUR = 0x3B82F6, 0x8B5CF6
COLOUR = {ReplyKind.ANSWER: INFO_COLOUR, ReplyKind.NO_MATCH: 0x9CA3AF, ReplyKind.CRISIS: 0xDC2626}
TITLE_LIMIT, DESCRIPTION_LIMIT, FIELD_LIMIT, FOOTER_LIMIT = 256, 4096, 1024, 2048
LABEL_LIMIT = 80

# custom_id prefixes: button clicks are routed by these, so they survive restarts.
VOTE_UP, VOTE_DOWN, SHARE, SHOW = "faq:up:", "faq:down:", "faq:share:", "faq:show:"
# An auto-answer's "Did this answer your question?" and the hand-over to people.
ANSWERED_YES, ANSWERED_NO, TALK = "faq:yes:", "faq:no:", "help:talk:"
DID_THIS_ANSWER = "Did this answer your question?"


@dataclass(frozen=True)
class Button:
    label: str
    custom_id: str
    style: int = 2  # 1 primary, 2 secondary, 3 success, 4 danger


@dataclass
class DiscordMessage:
    embed: dict[str, Any]
    rows: list[list[Button]] = field(default_factory=list)
    ephemeral: bool = True


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _resources_text(resources: tuple[Resource, ...]) -> str:
    lines = []
    for resource in resources:
        name = f"[{resource.name}]({resource.url})" if resource.url else resource.name
        lines.append(f"• **{name}**: {resource.reach}")
    return "\n".join(lines)


def render_reply(
    reply: Reply,
    *,
    ephemeral: bool = True,
    shareable: bool = True,
    auto_answer: bool = False,
    helpers: bool = False,
) -> DiscordMessage:
    """The message a member sees for `reply`; crisis replies carry resources and nothing else.

    `auto_answer`: posted unasked in a help channel, so it asks "Did this answer your question?"
    (Yes / No) instead of Helpful / Share. `helpers`: the server has helpers, so an honest
    "I don't know" offers to talk to one.
    """
    if reply.kind is ReplyKind.CRISIS:
        description = (
            f"{reply.lead}\n\n**{reply.resources_heading}**\n{_resources_text(reply.resources)}"
        )
        return DiscordMessage(
            embed={
                "color": COLOUR[reply.kind],
                "description": clip(description, DESCRIPTION_LIMIT),
            },
            ephemeral=ephemeral,
        )
    parts = []
    if reply.lead:
        parts.append(f"**{reply.lead}**")
    if reply.body:
        parts.append(reply.body)
    embed: dict[str, Any] = {
        "color": COLOUR[reply.kind],
        "description": clip("\n\n".join(parts), DESCRIPTION_LIMIT),
        "fields": [],
    }
    if reply.title:
        embed["title"] = clip(reply.title, TITLE_LIMIT)
    if reply.sources:
        sources = "\n".join(f"[{s.title}]({s.url})" for s in reply.sources)
        embed["fields"].append({"name": "Sources", "value": clip(sources, FIELD_LIMIT)})
    if reply.resources:
        embed["fields"].append(
            {
                "name": reply.resources_heading or "Where to get help",
                "value": clip(_resources_text(reply.resources), FIELD_LIMIT),
            }
        )
    if reply.suggestions and reply.entry_id is None:
        listed = "\n".join(f"• {s.question}" for s in reply.suggestions)
        embed["fields"].append({"name": "Did you mean", "value": clip(listed, FIELD_LIMIT)})
    footer = reply.safety_note
    if reply.reviewed:
        footer = f"{footer}\nLast reviewed {reply.reviewed}"
    if footer:
        embed["footer"] = {"text": clip(footer, FOOTER_LIMIT)}

    rows: list[list[Button]] = []
    if reply.entry_id and auto_answer:
        embed["fields"].append({"name": DID_THIS_ANSWER, "value": "Tell me with a button below."})
        rows.append(
            [
                Button("Yes", ANSWERED_YES + reply.entry_id, 3),
                Button("No", ANSWERED_NO + reply.entry_id, 2),
            ]
        )
    elif reply.entry_id:
        row = [
            Button("Helpful", VOTE_UP + reply.entry_id, 3),
            Button("Not helpful", VOTE_DOWN + reply.entry_id, 2),
        ]
        if shareable:
            row.append(Button("Share here", SHARE + reply.entry_id, 1))
        rows.append(row)
    if reply.suggestions:
        rows.append(
            [
                Button(clip(s.question, LABEL_LIMIT), SHOW + s.entry_id, 2)
                for s in reply.suggestions[:3]
            ]
        )
    if helpers and reply.kind is ReplyKind.NO_MATCH:
        rows.append([Button("Talk to a helper", TALK, 1)])
    return DiscordMessage(embed=embed, rows=rows, ephemeral=ephemeral)
