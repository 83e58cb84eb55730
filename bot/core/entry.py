"""A vetted FAQ entry as the engine sees it: plain data, already validated.

Validation (what makes raw YAML or a moderator's edit an `Entry`) lives in
`bot.knowledge.schema`; the core only reads entries.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot.core.reply import Source


@dataclass(frozen=True)
class Entry:
    id: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    sources: tuple[Source, ...]
    tags: tuple[str, ...]
    clinical: bool
    reviewed: str  # ISO date
    reviewer: str
    topic: str = ""  # the knowledge file it came from (e.g. "kratom"); used for browsing

    @property
    def phrasings(self) -> tuple[str, ...]:
        return (self.question, *self.alternates)

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the YAML schema (topic is carried by the file, not the entry)."""
        data = asdict(self)
        data.pop("topic")
        data["alternates"] = list(self.alternates)
        data["tags"] = list(self.tags)
        data["sources"] = [asdict(s) for s in self.sources]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], topic: str = "") -> Entry:
        """Rebuild an entry from already-validated plain data (e.g. a stored revision)."""
        return cls(
            id=data["id"],
            question=data["question"],
            alternates=tuple(data.get("alternates", ())),
            answer=data["answer"],
            sources=tuple(Source(s["title"], s["url"]) for s in data["sources"]),
            tags=tuple(data.get("tags", ())),
            clinical=bool(data.get("clinical", False)),
            reviewed=str(data["reviewed"]),
            reviewer=data["reviewer"],
            topic=topic or data.get("topic", ""),
        )
