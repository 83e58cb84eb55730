"""The transport-free result of answering one message.

A `Reply` holds everything a renderer (terminal, JSON, Discord) needs; renderers never
decide safety behaviour themselves, they only lay out what is here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ReplyKind(StrEnum):
    ANSWER = "answer"
    NO_MATCH = "no_match"
    CRISIS = "crisis"


class CrisisType(StrEnum):
    SELF_HARM = "self_harm"
    MEDICAL_EMERGENCY = "medical_emergency"
    ABUSE = "abuse"
    VIOLENCE = "violence"


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Resource:
    """One way to reach help: a crisis line, a support line, an emergency number."""

    name: str
    reach: str  # how to reach it, e.g. "Call or text 988"
    kind: str  # crisis | emergency | support | substance_use | poison | directory
    url: str | None = None


@dataclass(frozen=True)
class Suggestion:
    entry_id: str
    question: str
    score: float


@dataclass(frozen=True)
class Reply:
    kind: ReplyKind
    question: str
    # What the member reads, in order: lead (crisis message or clinical pointer), title, body,
    # sources, resources, safety note. Empty parts are simply left out by renderers.
    lead: str = ""
    title: str = ""
    body: str = ""
    sources: tuple[Source, ...] = ()
    resources: tuple[Resource, ...] = ()
    resources_heading: str = ""
    safety_note: str = ""
    entry_id: str | None = None
    score: float | None = None
    clinical: bool = False
    crisis: CrisisType | None = None
    # A possible crisis (the classifier's middle band): the answer is kept, led by a check-in
    # and the region's crisis lines. Never set together with `crisis`.
    possible_crisis: CrisisType | None = None
    crisis_score: float | None = None  # the classifier's P(crisis), 0-1, when a model ran
    suggestions: tuple[Suggestion, ...] = ()
    reviewed: str | None = None
    reviewer: str | None = None
    region: str = ""
    # Which safety rules decided this reply, for tests and for moderators ("why did it say that?").
    fired_rules: tuple[str, ...] = field(default=())

    @property
    def is_crisis(self) -> bool:
        return self.kind is ReplyKind.CRISIS

    @property
    def must_stay_private(self) -> bool:
        """A crisis reply or a check-in: never shown to a channel, only to the person asking."""
        return self.is_crisis or self.possible_crisis is not None
