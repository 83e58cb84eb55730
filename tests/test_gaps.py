"""Grouping unanswered questions for /faq gaps."""

from __future__ import annotations

from bot.core.gaps import MAX_GROUPED, group_gaps
from bot.knowledge.loader import LoadedKnowledge


def test_rephrasings_group_together_and_topics_stay_apart(loaded: LoadedKnowledge) -> None:
    asked = [
        "does kratom interact with adderall",
        "where is the nearest meeting",
        "can i mix kratom and adderall?",
        "Kratom + Adderall together ok??",
        "is there a meeting near me",
        "what about ashwagandha for anxiety",
        "lol",
    ]
    groups = group_gaps(asked, loaded.matching)
    assert [g.count for g in groups] == [3, 2, 1]
    assert groups[0].example == "does kratom interact with adderall"
    assert "can i mix kratom and adderall?" in groups[0].others
    assert groups[1].example == "where is the nearest meeting"
    assert groups[2].example == "what about ashwagandha for anxiety"


def test_distinct_questions_stay_apart(loaded: LoadedKnowledge) -> None:
    assert group_gaps([]) == []
    distinct = [
        "is melatonin safe",
        "how do i stop kratom",
        "how do i stop zoloft",
        "can my employer see my therapy notes",
        "are support groups free",
        "can i get a refund on my therapy",
        "what is bipolar disorder",
        "kratom and alcohol",
        "does kratom interact with xanax",
        "is ashwagandha safe",
        "how to find a psychiatrist in berlin",
        "what is dbt",
    ]
    groups = group_gaps(distinct, loaded.matching, limit=10)
    assert len(groups) == 10 and all(g.count == 1 for g in groups)


def test_only_the_most_recent_questions_are_grouped(loaded: LoadedKnowledge) -> None:
    """Anyone can store thousands of questions a day: grouping looks at the latest few hundred."""
    old = ["where can i buy a weighted blanket"] * 5000
    recent = ["what's the best pizza in naples"] * MAX_GROUPED
    groups = group_gaps(old + recent, loaded.matching)
    assert [(g.example, g.count) for g in groups] == [
        ("what's the best pizza in naples", MAX_GROUPED)
    ]


def test_typos_still_group_when_questions_share_only_misspelt_words(
    loaded: LoadedKnowledge,
) -> None:
    asked = ["adderall withdrawal insomnia", "aderall withdrawl insomnia", "zoloft insomnia"]
    groups = group_gaps(asked, loaded.matching)
    assert [g.count for g in groups] == [2, 1]
