"""Group the questions the bot could not answer, so moderators see what to write next.

Pure: texts in, groups out. Each question is reduced to its content words in the matcher's
canonical form (synonyms and slang mapped, e.g. "interact" and "mix" alike; stopwords dropped).
Greedy single pass: a question joins the first group whose representative has a similar word
set (rapidfuzz token-sort ratio) *and* shares a word with it (typos allowed). In a kratom server
almost every question says "kratom", so a looser measure (token-set) groups unrelated questions;
this errs towards separate lines, which hides nothing. Groups are listed most frequent first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.core.matcher import MatchingConfig, phrasing_key

SIMILAR_AT = 75.0  # token-sort ratio of the content words (0-100)
SAME_WORD_AT = 85.0  # two words are one word with a typo ("adderal", "adderall")


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


def group_gaps(
    texts: Iterable[str], matching: MatchingConfig | None = None, limit: int = 10
) -> list[GapGroup]:
    groups: list[GapGroup] = []
    for text in texts:
        key = content_key(text, matching)
        if not key:
            continue
        for group in groups:
            if fuzz.token_sort_ratio(key, group.key) >= SIMILAR_AT and _share_a_word(
                key, group.key
            ):
                group.count += 1
                if len(group.others) < 3 and text not in (group.example, *group.others):
                    group.others.append(text)
                break
        else:
            groups.append(GapGroup(example=text, key=key))
    groups.sort(key=lambda g: -g.count)  # stable: ties keep first-asked order
    return groups[:limit]


def _share_a_word(a: str, b: str) -> bool:
    return any(fuzz.ratio(x, y) >= SAME_WORD_AT for x in a.split() for y in b.split())
