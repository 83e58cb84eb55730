"""Starting the runtime: what the operator is told about the shipped FAQ meeting the store."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot.config import SHIPPED_KNOWLEDGE, Settings
from bot.runtime import start_runtime
from tests.test_moderation import BOB, edit


async def test_a_shipped_update_that_became_a_draft_is_logged_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(SHIPPED_KNOWLEDGE, knowledge)
    settings = Settings.from_env(
        {
            "FAQBOT_DB": str(tmp_path / "kb.db"),
            "FAQBOT_KNOWLEDGE": str(knowledge),
            "FAQBOT_MODEL": "off",
        }
    )
    runtime = await start_runtime(settings)
    try:  # moderators reword an entry in Discord
        moderation = runtime.moderation
        await moderation.approve(await edit(moderation, "kratom-legal", "Moderator wording."), BOB)
    finally:
        await runtime.close()
    faq = knowledge / "faq" / "kratom.yaml"  # ...then a release ships a change to it
    shipped = faq.read_text(encoding="utf-8")
    assert shipped.count("      - kratom ban\n") == 1
    faq.write_text(
        shipped.replace(
            "      - kratom ban\n", "      - kratom ban\n      - is kratom banned here\n"
        ),
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="bot.runtime"):
        runtime = await start_runtime(settings)
    try:
        [waiting] = await runtime.moderation.pending()
        assert waiting.entry_id == "kratom-legal" and waiting.origin == "shipped"
    finally:
        await runtime.close()
    said = [r.getMessage() for r in caplog.records if "wait for review" in r.getMessage()]
    assert said == [
        "1 shipped update(s) to moderator-edited entries wait for review "
        "(/faq review or faqbot kb drafts): kratom-legal"
    ]
