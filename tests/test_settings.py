"""Every setting the code reads is documented in deploy/.env.example and docs/operating.md."""

from __future__ import annotations

import re

from bot.config import Settings
from tests.conftest import REPO


def test_every_setting_is_documented() -> None:
    code = (REPO / "bot" / "config.py").read_text()
    read = set(re.findall(r'get\("((?:FAQBOT|DISCORD)_[A-Z_]+)"\)', code))
    assert {"DISCORD_TOKEN", "FAQBOT_DB", "FAQBOT_KNOWLEDGE"} <= read
    example = (REPO / "deploy" / ".env.example").read_text()
    listed = set(re.findall(r"(?m)^([A-Z_]+)=", example))
    operating = (REPO / "docs" / "operating.md").read_text()
    assert read == listed, f"only in code: {read - listed}; only in .env.example: {listed - read}"
    for name in read:
        assert name in operating, f"{name} is not in docs/operating.md's settings table"


def test_example_defaults_parse_to_the_documented_defaults() -> None:
    example = (REPO / "deploy" / ".env.example").read_text()
    env = dict(re.findall(r"(?m)^([A-Z_]+)=(.*)$", example))
    settings = Settings.from_env({k: v for k, v in env.items() if v})
    assert settings.discord_token is None and not settings.public_replies
    assert not settings.sync_on_start and settings.log_format == "text"
