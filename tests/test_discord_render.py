"""Every reply the bot can give fits Discord's embed and component limits."""

from __future__ import annotations

from bot.core.engine import AskContext, Engine
from bot.discord_app.render import render_reply
from tests.discord_harness import embed_size

LOCALES = ["en-US", "en-GB", "de", "hi", "ko"]


def check_limits(message_embed: dict, rows: list) -> None:  # type: ignore[type-arg]
    assert embed_size(message_embed) <= 6000
    assert len(message_embed.get("title", "")) <= 256
    assert len(message_embed.get("description", "")) <= 4096
    assert len(message_embed.get("footer", {}).get("text", "")) <= 2048
    assert len(message_embed.get("fields", [])) <= 25
    for field in message_embed.get("fields", []):
        assert len(field["name"]) <= 256 and 0 < len(field["value"]) <= 1024
    assert len(rows) <= 5
    for row in rows:
        assert len(row) <= 5
        for button in row:
            assert 0 < len(button.label) <= 80 and len(button.custom_id) <= 100


def test_every_entry_renders_within_limits(engine: Engine) -> None:
    for entry in engine.entries:
        for locale in LOCALES:
            reply = engine.entry_reply(entry.id, AskContext(locale=locale))
            assert reply is not None
            message = render_reply(reply)
            check_limits(message.embed, message.rows)
            assert message.embed["footer"]["text"].startswith(engine.kb.safety.safety_note)


def test_crisis_and_resources_render_within_limits(engine: Engine) -> None:
    for locale in LOCALES:
        for text in ("i want to kill myself", "my friend overdosed", "my dad hits me"):
            message = render_reply(engine.answer(text, AskContext(locale=locale)))
            check_limits(message.embed, message.rows)
            assert not message.rows  # nothing to click in a crisis reply but the lines
        resources = render_reply(engine.resources_reply(AskContext(locale=locale)))
        check_limits(resources.embed, resources.rows)
