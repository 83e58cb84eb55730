"""How a draft is described for review: the same words in Discord's /faq review and the
shell's `faqbot kb review`. (Who may decide is bot.knowledge.moderation's, not this.)"""

from __future__ import annotations

import difflib

from bot.knowledge.moderation import Revision, entry_yaml


def draft_kind(draft: Revision) -> str:
    return "new entry" if draft.based_on is None else f"change to revision {draft.based_on}"


def stale_note(live: Revision | None, draft: Revision) -> str:
    """Why approving would be refused: the entry went live again since the draft was written."""
    if live is None or draft.based_on == live.rev:
        return ""
    return f"Revision {live.rev} was published since: approving will be refused."


def entry_diff(live: Revision | None, draft: Revision) -> str:
    """A unified diff of the entry as YAML, from what is live to the draft."""
    old = entry_yaml(live.entry).splitlines() if live else []
    new = entry_yaml(draft.entry).splitlines()
    return "\n".join(list(difflib.unified_diff(old, new, lineterm="", n=1))[2:])
