"""How a draft is described for review: the same words in Discord's /faq review and the
shell's `faqbot kb review`. (Who may decide is bot.knowledge.moderation's, not this.)"""

from __future__ import annotations

import difflib

from bot.knowledge.moderation import field_yaml
from bot.knowledge.schema import SourceDomains
from bot.knowledge.store import Revision

# What a reviewer must see first: what members read, and where it comes from.
DIFF_ORDER = ("answer", "sources", "question", "clinical", "alternates", "tags")


def draft_kind(draft: Revision) -> str:
    return "new entry" if draft.based_on is None else f"change to revision {draft.based_on}"


def stale_note(live: Revision | None, draft: Revision) -> str:
    """Why approving would be refused: the entry went live again since the draft was written."""
    if live is None or draft.based_on == live.rev:
        return ""
    return f"Revision {live.rev} was published since: approving will be refused."


def entry_diff(live: Revision | None, draft: Revision) -> str:
    """A unified diff of the entry as YAML, from what is live to the draft, field by field:
    answer and sources first, so a long list of phrasings can never push them out of sight."""
    old = live.entry.to_dict() if live else {}
    new = draft.entry.to_dict()
    lines: list[str] = []
    for name in (*DIFF_ORDER, *(k for k in new if k not in DIFF_ORDER)):
        before = field_yaml(name, old[name]) if name in old else []
        hunks = list(difflib.unified_diff(before, field_yaml(name, new[name]), lineterm="", n=1))
        lines += [f"@@ {name} @@" if line.startswith("@@") else line for line in hunks[2:]]
    return "\n".join(lines)


def new_domains_note(draft: Revision, domains: SourceDomains) -> str:
    """Sources from outside the allow-list of authoritative bodies, for the approver to check."""
    hosts = domains.unlisted(draft.entry)
    if not hosts:
        return ""
    return (
        f"New source domain not on the allow-list: {', '.join(hosts)}. Check that it is an "
        "authoritative body (knowledge/source_domains.yaml lists them) before approving."
    )
