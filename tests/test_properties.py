"""For any text at all, `answer` returns crisis resources or the safety note, and never raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.engine import AskContext, Engine
from bot.core.reply import ReplyKind
from bot.knowledge.schema import MENTION_PATTERN
from bot.render.plain import render_text

LOCALES = st.sampled_from([None, "en-US", "en-GB", "de", "hi", "pt-BR", "xx", ""])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=4000), locale=LOCALES)
def test_answer_is_total_and_always_safe(engine: Engine, text: str, locale: str | None) -> None:
    reply = engine.answer(text, AskContext(locale=locale))
    rendered = render_text(reply)
    if reply.kind is ReplyKind.CRISIS:
        assert reply.resources and reply.resources[0].kind == "emergency"
    else:
        assert reply.safety_note and rendered.endswith(reply.safety_note)
    # Whatever the member typed, nothing the bot itself writes can ping anyone.
    assert not MENTION_PATTERN.search(rendered.replace(reply.question, ""))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=st.text(max_size=200))
def test_autocomplete_is_bounded(engine: Engine, prefix: str) -> None:
    assert len(engine.questions.autocomplete(prefix)) <= 25
