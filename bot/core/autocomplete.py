"""Finding FAQ questions as a member types them (a slash-command option): no scoring, no
abstention, just the questions that fit what was typed so far."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

from bot.core.entry import Entry

MAX_CHOICES = 25  # Discord shows at most 25 choices


class QuestionFinder:
    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = list(entries)
        self._questions = [utils.default_process(e.question) for e in self.entries]

    def autocomplete(self, typed: str, limit: int = MAX_CHOICES) -> list[Entry]:
        """Questions that start with what was typed, then those with it at a word start, then
        fuzzy matches; with nothing typed, the first by topic."""
        limit = max(0, min(limit, MAX_CHOICES))
        needle = utils.default_process(typed[:100])
        if not needle:
            return sorted(self.entries, key=lambda e: (e.topic, e.question))[:limit]
        starts = [i for i, q in enumerate(self._questions) if q.startswith(needle)]
        inside = [
            i
            for i, q in enumerate(self._questions)
            if f" {needle}" in f" {q}" and not q.startswith(needle)
        ]
        chosen = starts + inside
        if len(chosen) < limit:
            taken = set(chosen)
            fuzzy = process.extract(
                needle,
                self._questions,
                scorer=fuzz.partial_ratio,
                limit=limit * 2,
                score_cutoff=60,
            )
            chosen.extend(i for _, _, i in fuzzy if i not in taken)
        return [self.entries[i] for i in chosen[:limit]]
