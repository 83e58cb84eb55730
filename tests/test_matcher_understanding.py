"""Fused matching (lexical + meaning + entry classifier): held-out floors and behaviour.

Floors are measured on the HELD-OUT split of the labelled corpora (tests/crisis_corpus.py,
tests/matcher_metrics.py), which training and calibration never see.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from bot.core.engine import Engine
from bot.core.reply import ReplyKind
from bot.core.text import normalise
from bot.knowledge.loader import LoadedKnowledge
from bot.runtime import knowledge_base
from tests.crisis_corpus import (
    HELD_OUT,
    TRAINING,
    load_corpus,
)
from tests.matcher_metrics import STYLES, entry_training_hash, evaluate, load_devset

# --- fused matching -----------------------------------------------------------------------


def _rank(engine: Engine):  # type: ignore[no-untyped-def]
    def rank(text: str) -> list[tuple[str, float]]:
        reading = engine.read(text)
        ranked = engine.matcher.rank(text, reading.normalised, reading.asking_vectors())
        return [(c.entry_id, c.score) for c in ranked]

    return rank


def test_member_style_dev_set_is_big_and_tagged(loaded: LoadedKnowledge) -> None:
    items = load_devset()
    per_entry = Counter(a for i in items if i.style in STYLES for a in list(i.answers)[:1])
    assert sum(1 for i in items if i.style in STYLES) >= 1000
    assert all(per_entry[e.id] >= 8 for e in loaded.entries)
    assert sum(1 for i in items if not i.answers) >= 200


def test_fused_matcher_held_out_floors(semantic_engine: Engine) -> None:
    # Regression floors at today's held-out figures (rounds 2 and 3 included, 90 entries since
    # the FAQ grew by 34 overlapping ones); the targets (top-1 >= 90%, every style >= 85%,
    # abstention >= 92%, wrong <= 3%) are not all met: slang, abstention and wrong answers are
    # short (docs/how-it-works.md).
    held = load_devset(HELD_OUT)
    threshold = semantic_engine.matcher.answer_threshold
    result = evaluate(_rank(semantic_engine), held, threshold)
    assert result.top1_rate >= 0.915, f"top-1 {result.top1_rate:.1%}"
    assert result.abstention_rate >= 0.88, f"abstention {result.abstention_rate:.1%}"
    assert result.wrong_rate <= 0.05, f"wrong {result.wrong_rate:.1%}"
    for style in STYLES:
        styled = [i for i in held if i.style == style]
        assert evaluate(_rank(semantic_engine), styled, threshold).top1_rate >= 0.82, style


def test_the_shipped_entry_classifier_was_trained_on_todays_faq_and_tuning_split(
    loaded: LoadedKnowledge,
) -> None:
    assert loaded.entry_classifier is not None
    phrasings = {e.id: [normalise(p) for p in e.phrasings] for e in loaded.entries}
    negatives = [
        normalise(m.text) for m in load_corpus(TRAINING) if m.group in ("chatter", "other_language")
    ]
    assert loaded.entry_classifier.trained_on == entry_training_hash(phrasings, negatives), (
        "the FAQ's phrasings or the tuning questions changed: retrain with "
        "python -m tests.bench.train_matcher"
    )


def test_an_entry_the_classifier_never_saw_still_competes_on_the_fused_score(
    loaded: LoadedKnowledge, semantic_engine: Engine
) -> None:
    # A moderator adds an entry after training: the classifier adds nothing for it, and the
    # fused score alone can still answer with it.
    base = loaded.entries[0]
    new = replace(
        base,
        id="kratom-new-moderator-entry",
        question="Can I bring kratom on a plane to Japan?",
        alternates=("flying to japan with kratom capsules, allowed?",),
    )
    engine = Engine(
        knowledge_base(loaded, [*loaded.entries, new]),
        semantic_engine.embedder,
    )
    reply = engine.answer("can i fly to japan with my kratom caps")
    assert reply.entry_id == "kratom-new-moderator-entry"


def test_fusion_beats_lexical_alone(engine: Engine, semantic_engine: Engine) -> None:
    held = load_devset(HELD_OUT)
    lexical = evaluate(
        lambda t: [(c.entry_id, c.score) for c in engine.matcher.rank(t)],
        held,
        engine.matcher.answer_threshold,
    )
    fused = evaluate(_rank(semantic_engine), held, semantic_engine.matcher.answer_threshold)
    assert fused.top1_rate >= lexical.top1_rate + 0.1


@pytest.mark.parametrize(
    "text",
    [
        "phenibut withdrawal how long",
        "is kava bad for your liver",
        "how to taper off xanax",
        "alcohol withdrawal shakes",
        "zoloft for ptsd?",
    ],
)
def test_other_substances_never_get_a_kratom_entry(
    engine: Engine, semantic_engine: Engine, text: str
) -> None:
    for e in (engine, semantic_engine):
        reply = e.answer(text)
        offered = [reply.entry_id, *(s.entry_id for s in reply.suggestions)]
        assert not any(o and o.startswith("kratom-") for o in offered), (text, offered)


@pytest.mark.parametrize(
    ("first", "other"),
    [
        ("i think im dependent on kratom", "i think my husband is dependent on kratom"),
        ("does kratom show up on a drug test", "will my sons kratom show up on his drug test"),
    ],
)
def test_questions_about_someone_else_match_like_first_person(
    semantic_engine: Engine, first: str, other: str
) -> None:
    assert semantic_engine.answer(first).entry_id == semantic_engine.answer(other).entry_id


def test_a_partner_in_withdrawal_at_night_is_not_an_alarm(semantic_engine: Engine) -> None:
    # Was a false alarm (partner + night + body read as abuse) before the n-grams.
    reply = semantic_engine.answer("my bf is in kratom wd, legs wont stop moving at night")
    assert reply.kind is ReplyKind.ANSWER
    assert reply.entry_id in ("kratom-withdrawal", "kratom-withdrawal-sleep")
