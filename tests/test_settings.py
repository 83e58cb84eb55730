"""One table of settings (bot.config.SETTINGS): the code reads only what it lists, and
`faqbot --help`, deploy/.env.example and the docs' table say the same."""

from __future__ import annotations

import re

from bot.config import SETTINGS, Settings, settings_table
from tests.conftest import REPO, RunCli

NAMES = {setting.name for setting in SETTINGS}


def test_every_setting_named_in_the_code_is_in_the_table() -> None:
    named = set()
    for path in (REPO / "bot").rglob("*.py"):
        named |= set(re.findall(r"\b(?:FAQBOT|DISCORD)_[A-Z_]+\b", path.read_text()))
    assert {"DISCORD_TOKEN", "FAQBOT_DB", "FAQBOT_HEALTH_PORT"} <= named
    assert named <= NAMES, f"not in bot.config.SETTINGS: {named - NAMES}"


def test_help_lists_every_setting(run_cli: RunCli) -> None:
    out = run_cli("--help").stdout
    for setting in SETTINGS:
        assert re.search(rf"(?m)^  {setting.name} ", out), f"{setting.name} is not in --help"


def test_env_example_lists_every_setting_with_its_default() -> None:
    example = (REPO / "deploy" / ".env.example").read_text()
    listed = dict(re.findall(r"(?m)^([A-Z_]+)=(.*)$", example))
    assert set(listed) == NAMES, f"only in .env.example: {set(listed) - NAMES}; missing: " + str(
        NAMES - set(listed)
    )
    for setting in SETTINGS:
        assert listed[setting.name] == setting.value, setting.name
    # Copying the example as it is gives the same settings as no settings at all.
    assert Settings.from_env(listed) == Settings.from_env({})


def test_the_docs_table_is_the_generated_one() -> None:
    docs = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    table = settings_table()
    holding = [doc.name for doc in docs if table in doc.read_text()]
    assert holding, "the docs' settings table is out of date: paste `python -m bot.config`"
