"""The moderators' edit form: what they typed, exactly as typed, and the entry it describes.

Shared by Discord's modal and any other front end: the boxes (`FORM_LABELS`), how much each
holds (`FORM_LIMITS`, the schema's limits, so every valid entry fits its form), and errors
named by box and line ("Other phrasings, line 4: ..."). Validation is the schema's, the same as
for the YAML files.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from bot.knowledge.moderation import MODERATOR_REVIEWER, FormInvalid
from bot.knowledge.schema import (
    FORM_BOX_CHARS,
    MAX_ALTERNATE_CHARS,
    MAX_ALTERNATES_TEXT,
    MAX_ANSWER_CHARS,
    MAX_QUESTION_CHARS,
    MAX_SOURCES_TEXT,
    MAX_TAG_CHARS,
    MAX_TAGS,
    Entry,
    alternates_text,
    sources_text,
    validate_entry,
)
from bot.knowledge.yamlsource import Problem

FORM_LABELS = {
    "question": "Question",
    "alternates": "Other phrasings",
    "answer": "Answer",
    "sources": "Sources",
    "tags": "Tags",
}
# Characters each box holds: the schema's limits (so every valid entry fits its form), within
# Discord's 4,000 a text box.
FORM_LIMITS = {
    "question": MAX_QUESTION_CHARS,
    "alternates": MAX_ALTERNATES_TEXT,
    "answer": MAX_ANSWER_CHARS,
    "sources": MAX_SOURCES_TEXT,
    "tags": MAX_TAGS * (MAX_TAG_CHARS + 2),  # "a, b, c"
}
assert all(limit <= FORM_BOX_CHARS for limit in FORM_LIMITS.values())


@dataclass(frozen=True)
class EditForm:
    """What a moderator typed, exactly as typed: kept whole so a failed save loses nothing."""

    question: str = ""
    alternates: str = ""  # one phrasing a line
    answer: str = ""
    sources: str = ""  # one source a line: "Title | https://..."
    tags: str = ""  # comma-separated

    @classmethod
    def from_entry(cls, entry: Entry) -> EditForm:
        return cls(
            question=entry.question,
            alternates=alternates_text(entry.alternates),
            answer=entry.answer,
            sources=sources_text(entry.sources),
            tags=", ".join(entry.tags),
        )

    def to_entry(self, entry_id: str, *, clinical: bool, today: dt.date | None = None) -> Entry:
        """The entry this form describes, validated like the YAML; FormInvalid otherwise."""
        alternates = _lines(self.alternates)
        sources = _lines(self.sources)
        raw: dict[str, Any] = {
            "id": entry_id,
            "question": self.question.strip(),
            "alternates": [text for _, text in alternates],
            "answer": self.answer.strip(),
            "sources": [_source(text) for _, text in sources],
            "tags": [t.strip().lower() for t in re.split(r"[,\n]", self.tags) if t.strip()],
            "clinical": clinical,
            "reviewed": (today or dt.date.today()).isoformat(),
            "reviewer": MODERATOR_REVIEWER,
        }
        entry, problems = validate_entry(raw, file="form", today=today)
        errors = [_form_problem(p, alternates, sources) for p in problems if p.severity == "error"]
        if entry is None or errors:
            raise FormInvalid(errors or ["the form could not be read"])
        return entry


def _lines(text: str) -> list[tuple[int, str]]:
    """Non-empty lines with their line numbers in the box (1-based)."""
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def _source(line: str) -> dict[str, str]:
    """'Title | https://...' -> title and URL, strictly: the URL is everything after the last |
    (or, without one, the last word), checked whole by the schema, never picked out of the line.
    """
    title, bar, url = line.rpartition("|")
    if not bar:
        title, _, url = line.rpartition(" ")
        if not url.lower().startswith(("https://", "http://")):
            title, url = line, ""
    return {"title": title.strip(" \t-–—:"), "url": url.strip()}


def _form_problem(
    problem: Problem, alternates: list[tuple[int, str]], sources: list[tuple[int, str]]
) -> str:
    """'alternates[2]: ...' -> 'Other phrasings, line 4: ...' (the box and line they typed in)."""
    name, _, rest = problem.field.partition("[")
    label = FORM_LABELS.get(name, name)
    if rest:
        index = int(rest.split("]")[0])
        rows = alternates if name == "alternates" else sources
        if index < len(rows):
            label = f"{label}, line {rows[index][0]}"
    message = problem.message
    if name == "alternates" and "longer than" in message:
        message = f"is longer than {MAX_ALTERNATE_CHARS} characters"
    written = "(write each source as: Title | https://...)"
    if name == "sources" and problem.field.endswith(".url"):
        missing = "starting with https://" in message or "is required" in message
        message = (
            f"needs a link starting with https:// {written}"
            if missing
            else (f"the link {message} {written}")
        )
    if name == "sources" and problem.field.endswith(".title"):
        missing = "1-" in message
        message = (
            "needs a title before the link (Title | https://...)"
            if missing
            else (f"the title {message}")
        )
    return f"{label}: {message}"
