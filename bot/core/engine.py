"""The answering pipeline: normalise -> safety screen -> match -> compose.

Pure and synchronous over an in-memory snapshot of the knowledge base: no I/O, no discord import.
The SQLite store builds a new `Engine` when the live knowledge changes and swaps it in whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.analysis import MatchingConfig
from bot.core.autocomplete import QuestionFinder
from bot.core.crisis_model import CrisisClassifier
from bot.core.entry import Entry
from bot.core.entry_model import EntryClassifier
from bot.core.matcher import Matcher, MatchResult
from bot.core.reply import CrisisType, Reply, ReplyKind, Resource, Suggestion
from bot.core.resources import Region, ResourceDirectory
from bot.core.safety import SafetyConfig, Screening, screen
from bot.core.semantic import Embedder, Reading, SemanticIndex, VectorCache, read
from bot.core.text import normalise

MAX_QUESTION_ECHO = 300  # how much of a question a Reply carries back (JSON contract, logs: none)
MIN_WORDS_TO_AUTO_ANSWER = 3  # "thanks!", "lol same" are chatter, not questions


@dataclass(frozen=True)
class AskContext:
    """Where a question comes from: enough to pick resources and reply style, nothing more."""

    locale: str | None = None  # the member's locale (Discord's interaction.locale)
    guild_locale: str | None = None
    default_region: str | None = None  # the deployment's setting (FAQBOT_REGION), e.g. "GB"
    chosen_region: str | None = None  # what the person chose for this reply (/resources region:)
    server_region: str | None = None  # the server's /config region
    # How to choose a region here (e.g. "/resources region:"), shown when none is known.
    region_hint: str | None = None
    # How to reach a human here, added to crisis and no-match replies by an adapter that has one
    # (e.g. "Press *Talk to a helper* below"). None in the terminal.
    helper_hint: str | None = None


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    resources: ResourceDirectory
    safety: SafetyConfig
    matching: MatchingConfig
    classifier: CrisisClassifier | None = None
    entry_classifier: EntryClassifier | None = None


class Engine:
    """Answers messages. With an `embedder` (a local model of meaning) the crisis classifier and
    semantic matching run beside the rules; without one, the rules and lexical matcher alone.

    Building an engine with a model embeds every phrasing not already in `vectors` (about 5 ms
    each), so build it off the event loop.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        embedder: Embedder | None = None,
        vectors: VectorCache | None = None,
    ) -> None:
        self.kb = kb
        self.embedder = embedder
        semantic = None
        if embedder is not None:
            cache = vectors if vectors is not None else VectorCache(embedder)
            semantic = SemanticIndex(
                [[cache.normalised(p) for p in e.phrasings] for e in kb.entries], cache
            )
        entry_classifier = kb.entry_classifier
        if embedder is None or entry_classifier is None or entry_classifier.model != embedder.name:
            entry_classifier = None  # a head trained on another model's vectors would be noise
        self.matcher = Matcher(kb.entries, kb.matching, semantic, entry_classifier)
        self.questions = QuestionFinder(kb.entries)  # autocomplete
        self.by_id = {e.id: e for e in kb.entries}
        self.classifier = kb.classifier
        # A head trained on another model's vectors would be noise: the n-grams alone then.
        self._vectors_fit_classifier = (
            embedder is not None
            and self.classifier is not None
            and self.classifier.model == embedder.name
        )

    @property
    def entries(self) -> Sequence[Entry]:
        return self.kb.entries

    def region(self, context: AskContext) -> Region:
        return self.kb.resources.choose(
            chosen=context.chosen_region,
            member_locale=context.locale,
            server_region=context.server_region,
            guild_locale=context.guild_locale,
            default_region=context.default_region,
        )

    def read(self, question: str) -> Reading:
        """The message normalised, segmented and (with a model) embedded: the costly step."""
        return read(normalise(question), self.embedder)

    def screen(self, reading: Reading) -> Screening:
        assessment = None
        if self.classifier is not None:
            vectors = reading.vectors if self._vectors_fit_classifier else None
            assessment = self.classifier.assess((reading.normalised, *reading.segments), vectors)
        return screen(reading.normalised, self.kb.safety, reading.segments, assessment)

    def answer(self, question: str, context: AskContext | None = None) -> Reply:
        context = context or AskContext()
        reading = self.read(question)
        screening = self.screen(reading)
        region = self.region(context)
        echo = question[:MAX_QUESTION_ECHO]
        if screening.crisis is not None:
            return self._crisis(echo, screening, region, context)
        match = self.matcher.match(question, reading.normalised, reading.asking_vectors())
        reply = self._compose(echo, screening, match, region, context)
        if screening.possible is not None:
            return self._check_in(reply, screening.possible, region, context.region_hint)
        return reply

    def resources_reply(self, context: AskContext | None = None) -> Reply:
        """The /resources view: every line for the member's region, emergency number first."""
        context = context or AskContext()
        region = self.region(context)
        return Reply(
            kind=ReplyKind.ANSWER,
            question="",
            title=f"Support and crisis lines: {region.name}",
            body=(
                "If you or someone else is in immediate danger, call the emergency number now. "
                "These services are free and confidential unless marked otherwise."
            ),
            resources=self.kb.resources.all_resources(region, context.region_hint),
            resources_heading="Where to get help",
            safety_note=self.kb.safety.safety_note,
            region=region.code,
        )

    def entry_reply(self, entry_id: str, context: AskContext | None = None) -> Reply | None:
        """One entry shown directly (e.g. /show), composed exactly as a matched answer."""
        entry = self.by_id.get(entry_id)
        if entry is None:
            return None
        context = context or AskContext()
        empty = Screening((), False, (), ())
        match = MatchResult((), None, ())
        return self._answer(
            entry.question,
            screening=empty,
            match=match,
            entry=entry,
            score=None,
            region=self.region(context),
        )

    def auto_answer(
        self,
        reply: Reply,
        context: AskContext | None = None,
        threshold: float | None = None,
        *,
        asked: bool = False,
    ) -> Reply | None:
        """What to post unasked under a message (a watched help channel), given this engine's
        `reply` to it; None: stay quiet.

        A crisis or a possible crisis always gets its reply. Otherwise an answer goes out only
        when the match is sure (at or above `threshold`, by default the matcher's own) and the
        message is a question rather than chatter. When the member `asked` for help (a forum
        post), anything less is an honest "not sure" instead of silence.
        """
        if reply.is_crisis or reply.possible_crisis is not None:
            return reply
        if threshold is None:
            threshold = self.matcher.answer_threshold
        if (
            reply.kind is ReplyKind.ANSWER
            and reply.score is not None
            and reply.score >= threshold
            and len(reply.question.split()) >= MIN_WORDS_TO_AUTO_ANSWER
        ):
            return reply
        return self.unsure(reply, context) if asked else None

    def unsure(self, reply: Reply, context: AskContext | None = None) -> Reply:
        """An answer not confident enough to post unasked, as an honest "I'm not sure".

        The entry it would have given leads the "did you mean" suggestions; nothing is dropped
        that keeps the member safe (clinical pointer, support lines, safety note).
        """
        if reply.kind is not ReplyKind.ANSWER or reply.entry_id is None:
            return reply
        context = context or AskContext()
        body = self.kb.safety.no_match_message
        if context.helper_hint:
            body = f"{body}\n\n{context.helper_hint}"
        best = Suggestion(reply.entry_id, reply.title, reply.score or 0.0)
        others = tuple(s for s in reply.suggestions if s.entry_id != reply.entry_id)
        return Reply(
            kind=ReplyKind.NO_MATCH,
            question=reply.question,
            lead=self.kb.safety.clinical_pointer if reply.clinical else "",
            body=body,
            resources=reply.resources,
            resources_heading=reply.resources_heading,
            safety_note=reply.safety_note,
            score=reply.score,
            clinical=reply.clinical,
            suggestions=(best, *others)[:3],
            region=reply.region,
            fired_rules=reply.fired_rules,
        )

    # --- composition ---------------------------------------------------------------------

    def _crisis(
        self, question: str, screening: Screening, region: Region, context: AskContext
    ) -> Reply:
        resources: list[Resource] = []
        for crisis in screening.crisis_types:
            for resource in self.kb.resources.crisis_resources(region, crisis, context.region_hint):
                if resource not in resources:
                    resources.append(resource)
        primary = screening.crisis
        assert primary is not None
        lead = self.kb.safety.crisis_messages[primary]
        if context.helper_hint:
            lead = f"{lead}\n\n{context.helper_hint}"
        return Reply(
            kind=ReplyKind.CRISIS,
            question=question,
            lead=lead,
            resources=tuple(resources),
            resources_heading=_crisis_heading(primary),
            crisis=primary,
            clinical=screening.clinical,
            region=region.code,
            fired_rules=screening.fired,
            crisis_score=screening.model_score,
        )

    def _check_in(
        self, reply: Reply, possible: CrisisType, region: Region, hint: str | None
    ) -> Reply:
        """Keep the answer, but lead with a short, warm check-in and the region's crisis lines."""
        check_in = self.kb.safety.check_in_messages[possible]
        lead = f"{check_in}\n\n{reply.lead}" if reply.lead else check_in
        resources = list(self.kb.resources.crisis_resources(region, possible, hint))
        resources += [r for r in reply.resources if r not in resources]
        return dataclasses.replace(
            reply,
            lead=lead,
            resources=tuple(resources),
            resources_heading="If you need someone right now",
            possible_crisis=possible,
        )

    def _compose(
        self,
        question: str,
        screening: Screening,
        match: MatchResult,
        region: Region,
        context: AskContext,
    ) -> Reply:
        if match.answer is not None:
            entry = self.by_id[match.answer.entry_id]
            return self._answer(question, screening, match, entry, match.answer.score, region)
        safety = self.kb.safety
        lead = safety.clinical_pointer if screening.clinical else ""
        body = safety.no_match_message
        if context.helper_hint:
            body = f"{body}\n\n{context.helper_hint}"
        return Reply(
            kind=ReplyKind.NO_MATCH,
            question=question,
            lead=lead,
            body=body,
            resources=self._sensitive_resources(screening, region),
            resources_heading="If you need support now",
            safety_note=safety.safety_note,
            score=match.candidates[0].score if match.candidates else None,
            clinical=screening.clinical,
            suggestions=self._suggestions(match),
            region=region.code,
            fired_rules=screening.fired,
            crisis_score=screening.model_score,
        )

    def _answer(
        self,
        question: str,
        screening: Screening,
        match: MatchResult,
        entry: Entry,
        score: float | None,
        region: Region,
    ) -> Reply:
        clinical = screening.clinical or entry.clinical
        return Reply(
            kind=ReplyKind.ANSWER,
            question=question,
            lead=self.kb.safety.clinical_pointer if clinical else "",
            title=entry.question,
            body=entry.answer,
            sources=entry.sources,  # already core Sources
            resources=self._sensitive_resources(screening, region),
            resources_heading="If you need support now",
            safety_note=self.kb.safety.safety_note,
            entry_id=entry.id,
            score=score,
            clinical=clinical,
            suggestions=self._suggestions(match),
            reviewed=entry.reviewed,
            reviewer=entry.reviewer,
            region=region.code,
            fired_rules=screening.fired,
            crisis_score=screening.model_score,
        )

    def _suggestions(self, match: MatchResult) -> tuple[Suggestion, ...]:
        return tuple(
            Suggestion(c.entry_id, self.by_id[c.entry_id].question, c.score)
            for c in match.suggestions
        )

    def _sensitive_resources(self, screening: Screening, region: Region) -> tuple[Resource, ...]:
        if not screening.sensitive_resources:
            return ()
        found = region.of_kinds(screening.sensitive_resources)
        if not found:
            fallback = self.kb.resources.regions[self.kb.resources.fallback]
            found = fallback.of_kinds(screening.sensitive_resources)
        return found[:3]


def _crisis_heading(crisis: CrisisType) -> str:
    if crisis is CrisisType.MEDICAL_EMERGENCY:
        return "Get help now"
    return "You can reach someone right now"
