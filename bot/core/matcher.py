"""Hybrid FAQ matcher: IDF-weighted token overlap + fuzzy re-ranking, with honest abstention.

FAQ phrasings and member questions become stemmed tokens alike (`bot.core.analysis`); member
questions also get their typos corrected against the FAQ's own vocabulary.

Each entry is scored by its best phrasing (question or alternate) with an IDF-weighted F-measure:
how much of the member's question the phrasing explains, and how much of the phrasing appears in
the question. That score is bounded in [0, 1], so a fixed threshold can abstain on off-topic
chatter (rank fusion alone abstains badly). A rapidfuzz similarity re-ranks the top candidates so
near-verbatim questions win ties. Scores are reported on a 0-100 scale.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.core.analysis import MatchingConfig, analyzer_for
from bot.core.entry import Entry
from bot.core.entry_model import EntryClassifier
from bot.core.semantic import SemanticIndex
from bot.core.text import normalise

# How much each signal counts (they sum to 1, so the score stays in 0-100). The phrasing
# F-measure carries the decision; whole-entry coverage helps questions that mix words from
# several alternates; the answer text catches content words no phrasing has ("sweating");
# fuzzy similarity breaks near-ties. Tuned on the dev set's tuning split only.
W_PHRASE = 0.4
W_ENTRY = 0.1
W_ANSWER = 0.15
W_FUZZY = 0.35
RERANK_DEPTH = 30
# A question with no content words must be this similar (0-100) to a phrasing just as empty.
FALLBACK_CUTOFF = 75
# A word in more than this many phrasings (or answers) only re-scores candidates that rarer
# words already found; it does not add candidates of its own. Keeps a query's work bounded at
# any FAQ size. Irrelevant for small FAQs, where no word is that common.
CANDIDATE_CAP = 2_000
# At most this many phrasings are scored per question (the ones rarer words found first).
MAX_CANDIDATES = 600
# How many ranked entries `score_all` returns.
MAX_RESULTS = 50
# Member questions longer than this many content tokens are "rambling": weigh phrasing recall
# (is the FAQ question inside the message?) over precision (is the message about only that?).
RAMBLING_TOKENS = 10
# Entries with this tag are about substances in general, whichever a question names.
ANY_SUBJECT_TAG = "substance-use"


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    score: float  # 0-100


@dataclass(frozen=True)
class MatchResult:
    candidates: tuple[Candidate, ...]  # best first
    answer: Candidate | None  # the best candidate when confident, else None
    suggestions: tuple[Candidate, ...]  # "did you mean", best first, at most three


@dataclass
class _Phrasing:
    entry_index: int
    tokens: frozenset[str]
    weight: float  # sum of idf over tokens
    text: str  # processed text, for fuzzy comparison


class Matcher:
    def __init__(
        self,
        entries: Sequence[Entry],
        config: MatchingConfig,
        semantic: SemanticIndex | None = None,
        entry_classifier: EntryClassifier | None = None,
    ) -> None:
        self.config = config
        self.entries = list(entries)
        self.semantic = semantic
        # Only beside the semantic index: it reads the same vectors.
        self.entry_classifier = entry_classifier if semantic is not None else None
        self.analyzer = analyzer_for(config)  # shared: it remembers stems and FAQ texts
        self._subject_re = {
            name: re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")
            for name, names in config.subjects.items()
            if names
        }
        self._entry_subjects = [
            frozenset()
            if ANY_SUBJECT_TAG in e.tags
            else frozenset(t for t in e.tags if t in config.subjects)
            for e in self.entries
        ]
        # An entry's first subject tag is what it is about; others are what it touches on. A
        # question naming subjects must name that one: "benzos and alcohol" never gets
        # kratom-alcohol (tagged kratom, alcohol), "kratom and beer" does.
        self._entry_primary = [
            next((t for t in e.tags if t in subjects), None)
            for e, subjects in zip(self.entries, self._entry_subjects, strict=True)
        ]
        self._index_of = {e.id: i for i, e in enumerate(self.entries)}
        self._phrasings: list[_Phrasing] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        entry_tokens: list[set[str]] = []
        answer_tokens: list[frozenset[str]] = []
        vocabulary: set[str] = set()
        per_phrasing_tokens: list[tuple[int, tuple[str, ...], str]] = []
        for index, entry in enumerate(self.entries):
            union: set[str] = set()
            for phrasing in entry.phrasings:
                canonical, raw, stems = self.analyzer.indexed(phrasing)
                vocabulary.update(raw)
                union.update(stems)
                per_phrasing_tokens.append((index, stems, canonical))
            entry_tokens.append(union)
            _, answer_raw, answer_stems = self.analyzer.indexed(entry.answer)
            vocabulary.update(answer_raw)
            answer_tokens.append(frozenset(answer_stems))
        self._answer_tokens = answer_tokens
        self._answer_postings: dict[str, list[int]] = defaultdict(list)
        for index, tokens in enumerate(answer_tokens):
            for token in tokens:
                self._answer_postings[token].append(index)
        self._vocabulary_set = frozenset(vocabulary)
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(vocabulary):
            self._by_initial[word[0]].append(word)
        # IDF over entries (not phrasings): a word every kratom alternate repeats is still
        # only as informative as the number of entries that use it.
        df: dict[str, int] = defaultdict(int)
        for union in entry_tokens:
            for token in union:
                df[token] += 1
        n = max(len(self.entries), 1)
        generic = {self.analyzer.stem(w) for w in config.generic_words}
        self._generic = frozenset(generic)
        self._idf = {
            t: math.log(1 + (n - c + 0.5) / (c + 0.5))
            * (config.generic_weight if t in generic else 1.0)
            for t, c in df.items()
        }
        self._unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self._entry_tokens = [frozenset(u) for u in entry_tokens]
        self._first_phrasing: dict[int, int] = {}
        self._contentless: list[str] = []  # phrasings with no content words ("what are you")
        self._contentless_entry: list[int] = []
        for index, stems, canonical in per_phrasing_tokens:
            tokens = frozenset(stems)
            if not tokens:
                self._contentless.append(canonical)
                self._contentless_entry.append(index)
                continue
            pid = len(self._phrasings)
            self._first_phrasing.setdefault(index, pid)
            self._phrasings.append(
                _Phrasing(index, tokens, sum(self._idf[t] for t in tokens), canonical)
            )
            for token in tokens:
                self._postings[token].append(pid)
        self._posting_sets: dict[str, frozenset[int]] = {}
        self._correct = lru_cache(maxsize=4096)(self._correct_uncached)

    # --- query side ----------------------------------------------------------------------

    def _correct_uncached(self, token: str) -> str:
        """Fix a likely typo by the nearest FAQ word with the same first letter.

        Conservative on purpose: short words are left alone ("care" is not a typo of "cure"),
        and everyday words are never "corrected" into FAQ vocabulary.
        """
        if (
            token in self._vocabulary_set
            or len(token) < 5
            or not token[0].isalpha()
            or token in self.config.generic_words
        ):
            return token
        max_edits = 1 if len(token) < 9 else 2
        candidates = self._by_initial.get(token[0], ())
        best = process.extractOne(
            token, candidates, scorer=Levenshtein.distance, score_cutoff=max_edits
        )
        return str(best[0]) if best else token

    def query_tokens(self, text: str, normalised: str | None = None) -> tuple[str, list[str]]:
        """Stemmed, typo-corrected tokens; pass `normalised` when the caller already has it."""
        canonical = self.analyzer.rewrite(normalise(text) if normalised is None else normalised)
        raw = self.analyzer.raw_tokens(canonical)
        return canonical, [self.analyzer.stem(self._correct(t)) for t in raw]

    def _posting_set(self, token: str) -> frozenset[int]:
        found = self._posting_sets.get(token)
        if found is None:
            found = self._posting_sets[token] = frozenset(self._postings[token])
        return found

    def _idf_of(self, token: str) -> float:
        if token in self._idf:
            return self._idf[token]
        # An unknown word weighs like the rarest FAQ word: off-topic questions are mostly unknown
        # words, so they explain little of the query and score low.
        return self._unknown_idf * (self.config.generic_weight if token in self._generic else 1.0)

    def score_all(self, text: str, normalised: str | None = None) -> list[Candidate]:
        """The best entries sharing a word with the question, best first (scores 0-100)."""
        canonical, stems = self.query_tokens(text, normalised)
        query = frozenset(stems)
        # Only everyday words ("lol same", "how long"): nothing to match on; as empty questions.
        if not query or query <= self._generic:
            return self._short_question_fallback(canonical)
        query_weight = sum(self._idf_of(t) for t in query)
        # Recall matters more than precision when the message is long and rambling.
        beta2 = 4.0 if len(query) > RAMBLING_TOKENS else 1.0

        # Rarest words first: they pick the candidates; very common words only re-score them.
        ordered = sorted(query, key=lambda t: len(self._postings.get(t, ())))
        overlap: dict[int, float] = {}
        for token in ordered:
            idf = self._idf.get(token)
            postings = self._postings.get(token)
            if idf is None or not postings:
                continue
            room = MAX_CANDIDATES - len(overlap)
            if not overlap:
                # The rarest word picks the first candidates (bounded even if it is common).
                for pid in postings[:MAX_CANDIDATES]:
                    overlap[pid] = idf
            elif len(postings) <= CANDIDATE_CAP:
                for pid in postings:
                    if pid in overlap:
                        overlap[pid] += idf
                    elif room > 0:
                        overlap[pid] = idf
                        room -= 1
            else:
                # A very common word only re-scores what rarer words found.
                members = self._posting_set(token)
                for pid in overlap:
                    if pid in members:
                        overlap[pid] += idf
        # Entries whose answer text shares a rare-enough word count as candidates too.
        candidate_entries = {self._phrasings[pid].entry_index for pid in overlap}
        room = MAX_CANDIDATES - len(candidate_entries)
        for token in ordered:
            answers = self._answer_postings.get(token, ())
            if len(answers) > CANDIDATE_CAP:
                continue
            for index in answers:
                if room <= 0:
                    break
                if index not in candidate_entries and index in self._first_phrasing:
                    candidate_entries.add(index)
                    overlap.setdefault(self._first_phrasing[index], 0.0)
                    room -= 1
        best_phrase: dict[int, tuple[float, int]] = {}
        for pid, shared in overlap.items():
            phrasing = self._phrasings[pid]
            precision = shared / query_weight
            recall = shared / phrasing.weight
            f = (1 + beta2) * precision * recall / (beta2 * precision + recall) if shared else 0.0
            current = best_phrase.get(phrasing.entry_index)
            if current is None or f > current[0]:
                best_phrase[phrasing.entry_index] = (f, pid)

        idf_of = self._idf_of
        lexical: list[tuple[float, int, int]] = []
        for index, (f, pid) in best_phrase.items():
            shared = sum(idf_of(t) for t in query & self._entry_tokens[index])
            in_answer = sum(idf_of(t) for t in query & self._answer_tokens[index])
            score = W_PHRASE * f + (W_ENTRY * shared + W_ANSWER * in_answer) / query_weight
            lexical.append((score, index, pid))
        lexical.sort(reverse=True)

        results: list[Candidate] = []
        long_query = len(query) > RAMBLING_TOKENS
        for position, (score, index, pid) in enumerate(lexical[:MAX_RESULTS]):
            if position < RERANK_DEPTH:
                text = self._phrasings[pid].text
                if long_query:
                    similarity = fuzz.partial_token_sort_ratio(canonical, text) / 100
                else:
                    similarity = fuzz.token_sort_ratio(canonical, text) / 100
                score += W_FUZZY * similarity
            else:
                score += W_FUZZY * score  # unranked tail: keep its lexical order
            results.append(Candidate(self.entries[index].id, round(100 * score, 1)))
        results.sort(key=lambda c: c.score, reverse=True)
        return results

    @property
    def answer_threshold(self) -> float:
        """The score an answer needs, on the scale of the active mode (fused or lexical)."""
        if self.entry_classifier is not None:
            return self.entry_classifier.answer_threshold
        if self.semantic is not None:
            return self.config.semantic_answer_threshold
        return self.config.answer_threshold

    @property
    def suggest_threshold(self) -> float:
        if self.entry_classifier is not None:
            return self.entry_classifier.suggest_threshold
        if self.semantic is not None:
            return self.config.semantic_suggest_threshold
        return self.config.suggest_threshold

    def subjects_named(self, normalised: str) -> frozenset[str]:
        return frozenset(name for name, rx in self._subject_re.items() if rx.search(normalised))

    def rank(
        self, text: str, normalised: str | None = None, vectors: np.ndarray | None = None
    ) -> list[Candidate]:
        """Entries best first: fused with meaning when there are vectors, else lexical alone;
        entries about other subjects than the question names are left out."""
        normalised = normalise(text) if normalised is None else normalised
        lexical = self.score_all(text, normalised)
        if self.semantic is not None and vectors is not None and len(vectors):
            weight = self.config.semantic_weight
            fused = (1 - weight) * 100 * np.clip(self.semantic.similarities(vectors), 0, None)
            for candidate in lexical:
                fused[self._index_of[candidate.entry_id]] += weight * candidate.score
            if self.entry_classifier is not None:
                fused = self._with_entry_probabilities(fused, normalised, vectors[0])
            order = np.argsort(-fused, kind="stable")[:MAX_RESULTS]
            ranked = [Candidate(self.entries[i].id, round(float(fused[i]), 1)) for i in order]
        else:
            ranked = lexical
        named = self.subjects_named(normalised)
        if not named:
            return ranked
        kept: list[Candidate] = []
        for c in ranked:
            index = self._index_of[c.entry_id]
            if not self._entry_subjects[index]:
                kept.append(c)
            elif self._entry_primary[index] in named:
                bonus = self.config.subject_bonus
                kept.append(Candidate(c.entry_id, round(min(100.0, c.score + bonus), 1)))
        kept.sort(key=lambda c: c.score, reverse=True)
        return kept

    def _with_entry_probabilities(
        self, fused: np.ndarray, normalised: str, vector: np.ndarray
    ) -> np.ndarray:
        """(fused + w x 100 x P(entry)) / (1 + w): still a 0-100 score. An entry the classifier
        never saw (a moderator added it after training) keeps its fused score as it is."""
        assert self.entry_classifier is not None
        w = self.entry_classifier.weight
        learnt = fused.copy()
        for entry_id, p in self.entry_classifier.probabilities(normalised, vector).items():
            index = self._index_of.get(entry_id)
            if index is not None:
                learnt[index] = 100 * p
        out: np.ndarray = (fused + w * learnt) / (1 + w)
        return out

    def _short_question_fallback(self, canonical: str) -> list[Candidate]:
        """Questions made only of stop words ("who are you") against phrasings just as empty."""
        if not canonical.strip() or not self._contentless:
            return []
        found = process.extractOne(
            canonical, self._contentless, scorer=fuzz.ratio, score_cutoff=FALLBACK_CUTOFF
        )
        if found is None:
            return []
        _, similarity, position = found
        entry_id = self.entries[self._contentless_entry[position]].id
        return [Candidate(entry_id, round(float(similarity), 1))]

    def match(
        self, text: str, normalised: str | None = None, vectors: np.ndarray | None = None
    ) -> MatchResult:
        candidates = self.rank(text, normalised, vectors)
        cfg = self.config
        if not candidates:
            return MatchResult((), None, ())
        fused = self.semantic is not None and vectors is not None
        answer_at = self.answer_threshold if fused else cfg.answer_threshold
        suggest_at = self.suggest_threshold if fused else cfg.suggest_threshold
        best = candidates[0]
        answer = best if best.score >= answer_at else None
        runners = candidates[1:] if answer else candidates
        suggestions = tuple(
            c
            for c in runners
            if c.score >= suggest_at
            and (answer is None or best.score - c.score <= cfg.suggest_margin)
        )[:3]
        return MatchResult(tuple(candidates[:10]), answer, suggestions)
