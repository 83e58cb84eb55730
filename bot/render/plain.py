"""Render a `Reply` as plain text: the JSON contract's `text` and the terminal chat both use it."""

from __future__ import annotations

from bot.core.reply import Reply, Resource


def resource_line(resource: Resource) -> str:
    line = f"{resource.name}: {resource.reach}"
    return f"{line} - {resource.url}" if resource.url else line


def render_text(reply: Reply) -> str:
    """Everything the member reads, in reading order, with the safety note last."""
    parts: list[str] = []
    if reply.lead:
        parts.append(reply.lead)
    if reply.is_crisis and reply.resources:
        # Crisis: the ways to reach help come straight after the short message, nothing else.
        parts.append(_resources_block(reply))
        return "\n\n".join(parts)
    if reply.title:
        parts.append(reply.title)
    if reply.body:
        parts.append(reply.body)
    if reply.suggestions:
        heading = "Did you mean:" if reply.entry_id is None else "Related questions:"
        parts.append(heading + "\n" + "\n".join(f"- {s.question}" for s in reply.suggestions))
    if reply.sources:
        parts.append("Sources:\n" + "\n".join(f"- {s.title}: {s.url}" for s in reply.sources))
    if reply.reviewed:
        reviewer = f" by {reply.reviewer}" if reply.reviewer else ""
        parts.append(f"Last reviewed {reply.reviewed}{reviewer}.")
    if reply.resources:
        parts.append(_resources_block(reply))
    if reply.safety_note:
        parts.append(reply.safety_note)
    return "\n\n".join(parts)


def _resources_block(reply: Reply) -> str:
    heading = reply.resources_heading or "Where to get help"
    return heading + ":\n" + "\n".join(f"- {resource_line(r)}" for r in reply.resources)
