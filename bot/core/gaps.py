"""Group the questions the bot could not answer, so moderators see what to write next.

Pure: texts in, groups out. Each question is reduced to its content words in the matcher's
canonical form (synonyms and slang mapped, e.g. "interact" and "mix" alike; stopwords dropped).
Greedy single pass: a question joins the first group whose representative has a similar word
set (rapidfuzz token-sort ratio), or whose words it nearly all contains (two words or more, so a
lone topic word is not enough), *and* shares a word with it (typos allowed). In a kratom server
almost every question says "kratom", so a looser measure (token-set) groups unrelated questions;
this errs towards separate lines, which hides nothing. Groups are listed most frequent first.

Bounded: only the most recent `MAX_GROUPED` questions are grouped (anyone can store thousands a
day through /ask), and a question is compared only with the groups that share a word with it
(typos allowed), found through an index of words, instead of with every group.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.core.analysis import MatchingConfig, phrasing_key

SIMILAR_AT = 75.0  # token-sort ratio of the content words (0-100)
SAME_WORD_AT = 85.0  # two words are one word with a typo ("adderal", "adderall")
CONTAINED_AT = 0.8  # share of the shorter question's words found in the longer one
MAX_GROUPED = 500  # most recent questions grouped per call: bounds the work (see bench_gaps)


@dataclass
class GapGroup:
    example: str  # the first question of the group, as asked
    count: int = 1
    others: list[str] = field(default_factory=list)  # up to three other phrasings, as asked
    key: str = ""


def content_key(text: str, matching: MatchingConfig | None) -> str:
    stopwords = matching.stopwords if matching else frozenset()
    return " ".join(
        w for w in phrasing_key(text, matching).split() if w not in stopwords and len(w) > 1
    )


class _Words:
    """Every distinct word seen, each with the words within a typo of it (itself included).

    Candidates come from a deletion index (two words one edit apart share a form with at most
    one letter deleted), then the ratio decides: linear in the words seen, not quadratic.
    """

    def __init__(self) -> None:
        self.near: dict[str, set[str]] = {}
        self.by_form: dict[str, list[str]] = {}

    def add(self, word: str) -> set[str]:
        found = self.near.get(word)
        if found is None:
            found = {word}
            forms = {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}
            for form in forms:
                for other in self.by_form.get(form, ()):
                    if other not in found and fuzz.ratio(word, other) >= SAME_WORD_AT:
                        found.add(other)
                        self.near[other].add(word)  # the ratio is symmetric
                self.by_form.setdefault(form, []).append(word)
            self.near[word] = found
        return found


def group_gaps(
    texts: Iterable[str],
    matching: MatchingConfig | None = None,
    limit: int = 10,
    cap: int = MAX_GROUPED,
) -> list[GapGroup]:
    """Groups of the most recent `cap` of `texts` (oldest first), the `limit` largest first."""
    words = _Words()
    groups: list[GapGroup] = []
    members: list[set[str]] = []  # each group's representative, as a set of content words
    by_word: dict[str, list[int]] = {}  # word -> the groups whose representative has it
    for text in deque(texts, maxlen=cap):
        key = content_key(text, matching)
        if not key:
            continue
        mine = set(key.split())
        # For every group sharing a word (typos allowed): which of my words it has, and which
        # of its words I have. A group sharing none cannot be similar, so is never looked at.
        mine_found: dict[int, set[str]] = {}
        theirs_found: dict[int, set[str]] = {}
        for word in mine:
            for near in words.add(word):
                for number in by_word.get(near, ()):
                    mine_found.setdefault(number, set()).add(word)
                    theirs_found.setdefault(number, set()).add(near)
        for number in sorted(mine_found):  # the first (oldest) similar group
            theirs = members[number]
            short, found = (
                (mine, mine_found[number])
                if len(mine) <= len(theirs)
                else (theirs, theirs_found[number])
            )
            contained = len(short) >= 2 and len(found) / len(short) >= CONTAINED_AT
            group = groups[number]
            if contained or fuzz.token_sort_ratio(key, group.key) >= SIMILAR_AT:
                group.count += 1
                if len(group.others) < 3 and text not in (group.example, *group.others):
                    group.others.append(text)
                break
        else:
            for word in mine:
                by_word.setdefault(word, []).append(len(groups))
            groups.append(GapGroup(example=text, key=key))
            members.append(mine)
    groups.sort(key=lambda g: -g.count)  # stable: ties keep first-asked order
    return groups[:limit]
