"""Group the questions the bot could not answer, so moderators see what to write next.

Pure: texts in, groups out. Each question is reduced to its content words in the matcher's
canonical form (synonyms and slang mapped, e.g. "interact" and "mix" alike; stopwords dropped).
Greedy single pass: a question joins the first group whose representative has a similar word
set (rapidfuzz token-sort ratio), or whose words it nearly all contains (two words or more, so a
lone topic word is not enough), *and* shares a word with it (typos allowed). In a kratom server
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
CONTAINED_AT = 0.8  # share of the shorter question's words found in the longer one


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
            if _similar(key, group.key):
                group.count += 1
                if len(group.others) < 3 and text not in (group.example, *group.others):
                    group.others.append(text)
                break
        else:
            groups.append(GapGroup(example=text, key=key))
    groups.sort(key=lambda g: -g.count)  # stable: ties keep first-asked order
    return groups[:limit]


def _similar(a: str, b: str) -> bool:
    short, long = sorted((a.split(), b.split()), key=len)
    found = sum(any(fuzz.ratio(x, y) >= SAME_WORD_AT for y in long) for x in short)
    if not found:
        return False
    contained = len(short) >= 2 and found / len(short) >= CONTAINED_AT
    return contained or fuzz.token_sort_ratio(a, b) >= SIMILAR_AT
