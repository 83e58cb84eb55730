"""The crisis classifier beside the rules: held-out floors, graded replies, every sentence.

Floors are measured on the HELD-OUT split of the labelled corpora (tests/crisis_corpus.py,
tests/matcher_metrics.py), which training and calibration never see.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.engine import AskContext, Engine
from bot.core.reply import CrisisType, ReplyKind
from bot.core.semantic import segments
from bot.knowledge.loader import LoadedKnowledge
from bot.runtime import knowledge_base
from tests.crisis_corpus import (
    CRISIS_TYPES,
    FAQ_GROUPS,
    HELD_OUT,
    LOOKALIKE_GROUPS,
    TRAINING,
    load_corpus,
    training_hash,
)

US = AskContext(locale="en-US")

# --- the crisis classifier ----------------------------------------------------------------


def test_the_shipped_classifier_was_trained_on_todays_training_split(
    loaded: LoadedKnowledge,
) -> None:
    assert loaded.classifier is not None
    assert loaded.classifier.trained_on == training_hash(load_corpus(TRAINING)), (
        "the crisis corpus changed: retrain with python -m tests.bench.train_crisis"
    )


def test_corpus_is_big_and_member_style() -> None:
    corpus = load_corpus()
    crisis = [m for m in corpus if m.crisis]
    negatives = [m for m in corpus if not m.crisis]
    assert len(corpus) >= 3000 and len(crisis) >= 1200 and len(negatives) >= 1500
    assert {m.crisis for m in crisis} == set(CRISIS_TYPES)
    assert {"short", "slang", "long", "other_person", "non_native"} <= {m.style for m in crisis}
    assert sum(1 for m in corpus if m.split == HELD_OUT) >= 700


@pytest.fixture(scope="module")
def held_out_screening(semantic_engine: Engine) -> list[tuple[str, str, bool, bool, bool]]:
    """(group, crisis type or "", crisis?, right type?, possible?) for every held-out message."""
    out = []
    for m in load_corpus(HELD_OUT):
        found = semantic_engine.screen(semantic_engine.read(m.text))
        right = found.crisis is not None and found.crisis.value == m.crisis
        out.append((m.group, m.crisis or "", found.crisis is not None, right, bool(found.possible)))
    return out


# Regression floors at today's held-out figures (docs/how-it-works.md, "Understanding:
# measured"). The issue's targets (recall >= 97%, each type >= 95%, look-alikes <= 8%) are NOT
# met yet.
def test_held_out_crisis_recall_floor(
    held_out_screening: list[tuple[str, str, bool, bool, bool]],
) -> None:
    crises = [r for r in held_out_screening if r[1]]
    recall = sum(r[2] for r in crises) / len(crises)
    with_lines = sum(r[2] or r[4] for r in crises) / len(crises)
    assert recall >= 0.92, f"crisis recall {recall:.1%}"
    assert with_lines >= 0.93, f"crisis lines shown {with_lines:.1%}"
    for kind in CRISIS_TYPES:
        of_kind = [r for r in crises if r[1] == kind]
        assert sum(r[2] for r in of_kind) / len(of_kind) >= 0.86, kind


def test_held_out_false_alarm_ceilings(
    held_out_screening: list[tuple[str, str, bool, bool, bool]],
) -> None:
    look = [r for r in held_out_screening if r[0] in LOOKALIKE_GROUPS]
    faq = [r for r in held_out_screening if r[0] in FAQ_GROUPS]
    assert sum(r[2] for r in look) / len(look) <= 0.16
    assert sum(r[2] for r in faq) / len(faq) <= 0.045


def test_the_classifier_adds_to_the_rules_with_and_without_the_model(
    loaded: LoadedKnowledge, engine: Engine, semantic_engine: Engine
) -> None:
    # `engine` (conftest) is the rules alone; without a model the classifier scores the
    # message's n-grams alone (its text_only head), as a bot without the model runs.
    text_only = Engine(knowledge_base(loaded, loaded.entries))
    crises = [m for m in load_corpus(HELD_OUT) if m.crisis]

    def caught(e: Engine) -> int:
        return sum(e.screen(e.read(m.text)).crisis is not None for m in crises)

    by_rules = caught(engine)
    assert caught(text_only) >= by_rules + len(crises) // 5
    assert caught(semantic_engine) >= caught(text_only)


# --- graded replies and every sentence screened -------------------------------------------


def test_a_possible_crisis_keeps_the_answer_and_leads_with_a_check_in(
    semantic_engine: Engine,
) -> None:
    reply = semantic_engine.answer(
        "i was suicidal years ago, now im doing well. is therapy worth it", US
    )
    assert reply.kind is ReplyKind.ANSWER and reply.entry_id
    assert reply.possible_crisis is CrisisType.SELF_HARM
    assert reply.lead.startswith("Before the answer")
    assert any("988" in r.reach for r in reply.resources)
    assert reply.safety_note


def test_a_crisis_buried_in_a_long_question_is_still_a_crisis(
    loaded: LoadedKnowledge, semantic_engine: Engine
) -> None:
    post = (
        "ok so my new job does a 10 panel next week and i have been taking kratom daily for "
        "like two years, mostly red, sometimes green in the morning. does kratom show up on "
        "a standard test or do they need a special one. honestly it probably doesnt matter, "
        "im not planning to be alive by then. also does it stay in hair"
    )
    assert len(segments(post)) >= 3
    rules_only = Engine(replace(knowledge_base(loaded, loaded.entries), classifier=None))
    for engine in (rules_only, semantic_engine):
        assert engine.answer(post).crisis is CrisisType.SELF_HARM


@pytest.mark.parametrize(
    ("text", "crisis"),
    [
        ("💀 no joke this time, im ending it tonight", CrisisType.SELF_HARM),
        ("si is so loud tonight", CrisisType.SELF_HARM),
        ("sh again, the cuts are deeper", CrisisType.SELF_HARM),
        ("got r*ped last weekend and cant tell anyone", CrisisType.ABUSE),
        (
            "my dad's face is drooping on one side and he's slurring his words",
            CrisisType.MEDICAL_EMERGENCY,
        ),
        ("my toddler swallowed some of my kratom caps", CrisisType.MEDICAL_EMERGENCY),
        ("me quiero morir, ya no aguanto", CrisisType.SELF_HARM),
        ("quero morrer, nao aguento mais", CrisisType.SELF_HARM),
        ("j'ai envie de mourir ce soir", CrisisType.SELF_HARM),
        ("ich will nicht mehr leben", CrisisType.SELF_HARM),
    ],
)
def test_rules_catch_shorthand_emoji_emergencies_and_other_languages(
    engine: Engine, text: str, crisis: CrisisType
) -> None:
    assert engine.answer(text).crisis is crisis  # rules alone, no model


@pytest.mark.parametrize(
    "text",
    [
        "i was suicidal in 2019, therapy saved me",
        "im not suicidal, just exhausted from work",
        # A denial holds even in the present tense; a question about a word is information.
        "i dont want to die today, i want this shift to end lol",
        "no thoughts of hurting myself this week, just tired of the taper",
        "what does kms stand for, my nephew types it constantly",
        "the suicide scene in that novel was handled so carefully",
        "the leaflet for my new ssri says it can cause suicidal thoughts, is that common",
    ],
)
def test_the_distant_past_and_negation_get_a_check_in_not_an_alarm(
    engine: Engine, text: str
) -> None:
    reply = engine.answer(text, US)
    assert reply.kind is not ReplyKind.CRISIS and reply.possible_crisis is CrisisType.SELF_HARM
    assert any("988" in r.reach for r in reply.resources)


@pytest.mark.parametrize(
    "text",
    [
        # A denial that turns back ("but", the means, tonight) is still a crisis.
        "im not suicidal but the pills are lined up on my desk",
        "i dont want to die but i cant stop thinking about the bridge tonight",
        "not going to hurt myself, just wanted to say goodbye to you all",
        "i dont want to die i want to kill myself",
    ],
)
def test_a_denial_that_turns_back_is_still_a_crisis(engine: Engine, text: str) -> None:
    assert engine.answer(text, US).kind is ReplyKind.CRISIS  # rules alone


def test_moderators_can_see_the_model_score(semantic_engine: Engine) -> None:
    reply = semantic_engine.answer("hes breathing really slow, like once every 10 seconds")
    assert reply.is_crisis and reply.crisis_score is not None
    assert any(rule.startswith(("crisis:", "model:")) for rule in reply.fired_rules)


@pytest.mark.parametrize(
    "text", ["bye", "bye guys", "thanks bye", "im out, night all", "gn everyone", "cya tmrw"]
)
def test_an_ordinary_sign_off_is_not_a_crisis(semantic_engine: Engine, text: str) -> None:
    # In a watched channel a crisis reply pings the helpers: "bye guys" must not.
    assert semantic_engine.answer(text).crisis is None


@pytest.mark.parametrize("text", ["bye everyone. im sorry", "i cant do this anymore, bye"])
def test_a_goodbye_in_the_other_sense_is_a_crisis(semantic_engine: Engine, text: str) -> None:
    assert semantic_engine.answer(text).crisis is CrisisType.SELF_HARM
