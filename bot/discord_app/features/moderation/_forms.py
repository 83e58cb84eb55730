"""Forms for FAQ entries: kept between a failed save and a retry, built as Discord modals,
read back from a submission; and the custom_id formats of moderators' buttons and forms."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import discord

from bot.discord_app.render import clip
from bot.knowledge.form import FORM_LABELS, FORM_LIMITS, EditForm
from bot.knowledge.schema import FORM_BOX_CHARS

PREFIX = "mod:"
FORM, REOPEN, APPROVE, REJECT, REJECT_NOTE, REVIEW = (
    "mod:form:",
    "mod:reopen:",
    "mod:approve:",
    "mod:reject:",
    "mod:rejectnote:",
    "mod:review:",
)
NUMBER = "[0-9]{1,18}"  # a draft number or page in a custom id (SQLite's int64)
REASON = "Why (kept in the history and the mod-log)"  # every change asks it
FORM_TTL_SECONDS = 3600
MAX_FORMS = 500


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
    modal.stop()  # routed by custom_id; discord.py must not keep it (see services.stateless)
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


def reject_modal(rev: int) -> discord.ui.Modal:
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
    return modal


def number(text: str) -> int | None:
    """A draft number or page from a custom id; None unless it is one."""
    return int(text) if re.fullmatch(NUMBER, text) else None
