"""A change to what members see reaches the answers from one place: the runtime's moderation.

Whoever publishes, removes or restores through the runtime (a Discord handler, the shell), the
engine is rebuilt before the call returns, so the very next question gets the new FAQ.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import SHIPPED_KNOWLEDGE, Settings
from bot.runtime import Runtime, start_runtime
from tests.test_moderation import BOB, edit


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    settings = Settings.from_env(
        {
            "FAQBOT_DB": str(tmp_path / "kb.db"),
            "FAQBOT_KNOWLEDGE": str(SHIPPED_KNOWLEDGE),
            "FAQBOT_MODEL": "off",
        }
    )
    started = await start_runtime(settings)
    try:
        yield started
    finally:
        await started.close()


async def answered(runtime: Runtime, question: str) -> tuple[str | None, str]:
    reply = await runtime.answer(question)
    return reply.entry_id, reply.body


async def test_published_removed_and_restored_entries_reach_the_next_answer(
    runtime: Runtime,
) -> None:
    question = "is kratom legal?"
    assert (await answered(runtime, question))[0] == "kratom-legal"
    moderation = runtime.moderation
    rev = await edit(moderation, "kratom-legal", "Moderator wording: it depends on where you live.")
    assert "Moderator wording" not in (await answered(runtime, question))[1]  # a draft: not yet

    await moderation.approve(rev, BOB)
    assert await answered(runtime, question) == (
        "kratom-legal",
        "Moderator wording: it depends on where you live.",
    )

    await moderation.remove("kratom-legal", BOB)
    assert (await answered(runtime, question))[0] != "kratom-legal"

    await moderation.restore("kratom-legal", BOB)
    assert (await answered(runtime, question))[0] == "kratom-legal"
