"""The transport-free pipeline: what a member would read for each kind of message."""

from __future__ import annotations

import subprocess
import sys

from bot.core.engine import AskContext, Engine
from bot.core.reply import CrisisType, ReplyKind
from bot.render.plain import render_text


def test_core_never_imports_discord() -> None:
    # A fresh interpreter: other tests in this process import discord for the adapter.
    code = (
        "import sys, bot.cli, bot.core.engine, bot.runtime\n"
        "sys.exit(1 if 'discord' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_answer_has_title_sources_and_safety_note_last(engine: Engine) -> None:
    reply = engine.answer("what is kratom")
    assert reply.kind is ReplyKind.ANSWER and reply.entry_id == "kratom-what-is"
    text = render_text(reply)
    assert "https://nida.nih.gov/research-topics/kratom" in text
    assert text.endswith(engine.kb.safety.safety_note)
    assert 0 <= (reply.score or 0) <= 100


def test_crisis_comes_first_with_local_resources_and_no_faq(engine: Engine) -> None:
    reply = engine.answer(
        "is kratom safe? honestly i want to kill myself", AskContext(locale="en-GB")
    )
    assert reply.kind is ReplyKind.CRISIS and reply.crisis is CrisisType.SELF_HARM
    text = render_text(reply)
    assert "116 123" in text and "999" in text  # Samaritans and the UK emergency number
    assert reply.entry_id is None and "kratom" not in text.lower()
    assert any(rule.startswith("crisis:") for rule in reply.fired_rules)


def test_medical_emergency_leads_with_the_emergency_number(engine: Engine) -> None:
    reply = engine.answer(
        "my friend took a bunch of pills and wont wake up", AskContext(locale="en-US")
    )
    assert reply.crisis is CrisisType.MEDICAL_EMERGENCY
    assert reply.resources[0].kind == "emergency" and "911" in reply.resources[0].reach
    assert any("1-800-222-1222" in r.reach for r in reply.resources)  # poison control


def test_unknown_locale_falls_back_to_international_never_nothing(engine: Engine) -> None:
    reply = engine.answer("i want to die", AskContext(locale="xx-YY"))
    assert reply.region == "INTL"
    assert any(r.url == "https://findahelpline.com" for r in reply.resources)


def test_guild_locale_then_configured_region_are_used(engine: Engine) -> None:
    assert engine.answer("kms", AskContext(locale=None, guild_locale="de")).region == "DE"
    assert engine.answer("kms", AskContext(default_region="AU")).region == "AU"


def test_clinical_question_gets_pointer_on_top(engine: Engine) -> None:
    reply = engine.answer("can i stop taking my sertraline")
    assert reply.clinical
    assert render_text(reply).startswith(engine.kb.safety.clinical_pointer)


def test_clinical_question_without_an_entry_still_gets_pointer(engine: Engine) -> None:
    reply = engine.answer("is it ok to take 50mg of trazodone with melatonin gummies")
    assert reply.clinical
    assert render_text(reply).startswith(engine.kb.safety.clinical_pointer)


def test_off_topic_gets_an_honest_no_match_with_the_note(engine: Engine) -> None:
    reply = engine.answer("what's the best pizza topping")
    assert reply.kind is ReplyKind.NO_MATCH and reply.entry_id is None
    assert render_text(reply).endswith(engine.kb.safety.safety_note)


def test_informational_suicide_question_is_answered_with_a_line_beside_it(engine: Engine) -> None:
    reply = engine.answer(
        "do antidepressants cause suicidal thoughts in teens", AskContext(locale="en-US")
    )
    assert reply.kind is ReplyKind.ANSWER
    assert any("988" in r.reach for r in reply.resources)


def test_helper_hint_is_added_where_a_human_can_help(engine: Engine) -> None:
    hint = "Press Talk to a helper below."
    assert hint in engine.answer("kms", AskContext(helper_hint=hint)).lead
    assert hint in engine.answer("best pizza topping", AskContext(helper_hint=hint)).body


def test_resources_reply_lists_emergency_first(engine: Engine) -> None:
    reply = engine.resources_reply(AskContext(locale="en-US"))
    assert reply.resources[0].kind == "emergency"
    assert {"crisis", "poison", "substance_use"} <= {r.kind for r in reply.resources}


def test_entry_reply_renders_like_an_answer(engine: Engine) -> None:
    reply = engine.entry_reply("ptsd-what-is")
    assert reply is not None and reply.title.startswith("What is PTSD")
    assert engine.entry_reply("no-such-entry") is None


def test_medical_emergency_in_the_uk_offers_urgent_advice_after_999(engine: Engine) -> None:
    reply = engine.answer(
        "my friend took a load of pills and wont wake up", AskContext(locale="en-GB")
    )
    assert "999" in reply.resources[0].reach
    assert reply.resources[1].name.startswith("NHS 111")
    assert "Poison control" not in reply.lead  # no poison line is listed for the UK


def test_auto_answer_posts_only_sure_answers_to_real_questions(engine: Engine) -> None:
    sure = engine.answer("what is ptsd")
    assert sure.kind is ReplyKind.ANSWER and (sure.score or 0) >= engine.matcher.answer_threshold
    assert engine.auto_answer(sure) is sure  # the matcher's own threshold by default
    # A server that asks for more certainty than this match has gets silence.
    assert engine.auto_answer(sure, threshold=(sure.score or 0) + 1) is None
    # Two words are chatter ("my kratom"), however well they match.
    chatter = engine.answer("my kratom")
    assert chatter.kind is ReplyKind.ANSWER and engine.auto_answer(chatter) is None
    assert engine.auto_answer(engine.answer("thanks")) is None


def test_auto_answer_to_a_request_for_help_is_an_honest_not_sure(engine: Engine) -> None:
    # A forum post asks for help: unsure means saying so, with the likely entry first to try.
    sure = engine.answer("what is ptsd")
    unsure = engine.auto_answer(sure, threshold=(sure.score or 0) + 1, asked=True)
    assert unsure is not None and unsure.kind is ReplyKind.NO_MATCH
    assert unsure.suggestions[0].entry_id == "ptsd-what-is"
    assert unsure.safety_note == engine.kb.safety.safety_note
    off_topic = engine.auto_answer(engine.answer("thanks"), asked=True)
    assert off_topic is not None and off_topic.kind is ReplyKind.NO_MATCH


def test_auto_answer_never_stays_quiet_on_a_crisis(engine: Engine) -> None:
    crisis = engine.answer("kms")  # one word, no match: still a crisis reply
    assert engine.auto_answer(crisis, threshold=100) is crisis
    possible = engine.answer("i was suicidal years ago, is kratom safe")
    assert possible.possible_crisis is CrisisType.SELF_HARM
    assert engine.auto_answer(possible, threshold=100) is possible
