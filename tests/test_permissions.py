"""Every moderator and config action is refused for a member without the right, whatever the
payload claims; crafted and malformed interactions get a polite reply and change nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from tests.discord_harness import Harness, running_bot
from tests.fake_discord import (
    CHANNEL_ID,
    FORUM_CHANNEL_ID,
    GUILD_ID,
    HELPER_ROLE_ID,
    MODERATOR_ROLE_ID,
    interaction,
    message,
    slash_command,
)
from tests.test_discord_moderation import ALICE, draft_edit, submit

MEMBER = "1800000000000000001"
EVERYTHING = str((1 << 50) - 1)  # every permission bit, as a crafted payload might claim

TEXT = 3
FAQ_COMMANDS: list[tuple[str, list[dict[str, Any]]]] = [
    ("add", [{"type": TEXT, "name": "topic", "value": "kratom"}]),
    ("edit", [{"type": TEXT, "name": "entry", "value": "kratom-legal"}]),
    ("review", []),
    ("history", [{"type": TEXT, "name": "entry", "value": "kratom-legal"}]),
    (
        "revert",
        [
            {"type": TEXT, "name": "entry", "value": "kratom-legal"},
            {"type": 4, "name": "revision", "value": 1},
        ],
    ),
    ("remove", [{"type": TEXT, "name": "entry", "value": "kratom-legal"}]),
    ("restore", [{"type": TEXT, "name": "entry", "value": "kratom-legal"}]),
    ("export", []),
    ("gaps", []),
    ("stats", []),
]
CONFIG_COMMANDS: list[tuple[str, list[dict[str, Any]]]] = [
    ("show", []),
    ("replies", [{"type": TEXT, "name": "visibility", "value": "public"}]),
    ("review", [{"type": TEXT, "name": "rule", "value": "one"}]),
    ("moderators", []),
    ("modlog", []),
    ("region", [{"type": TEXT, "name": "code", "value": "GB"}]),
    ("retention", [{"type": 4, "name": "days", "value": 1}]),
    ("helpers", []),
    ("alerts", [{"type": 5, "name": "enabled", "value": False}]),
    ("threshold", [{"type": 10, "name": "score", "value": 1}]),
    ("watch", [{"type": 7, "name": "channel", "value": CHANNEL_ID}]),
    ("unwatch", [{"type": 7, "name": "channel", "value": FORUM_CHANNEL_ID}]),
]
CHANNELS = {
    channel_id: {"id": channel_id, "type": kind, "name": "c", "permissions": "0"}
    for channel_id, kind in ((CHANNEL_ID, 0), (FORUM_CHANNEL_ID, 15))
}


def snapshot(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


def crafted(payload: dict[str, Any], how: str) -> dict[str, Any]:
    """The same interaction, claiming rights Discord did not give this member."""
    if how == "app_permissions":  # the bot's permissions, not the member's
        payload["app_permissions"] = EVERYTHING
    elif how == "unknown_role":  # a role id this server does not have
        payload["member"]["roles"] = ["999999999999999999"]
    elif how == "helper_role":  # helpers are not moderators
        payload["member"]["roles"] = [HELPER_ROLE_ID]
    elif how == "top_level":  # a permissions field where Discord never puts one
        payload["permissions"] = EVERYTHING
        payload["data"]["permissions"] = EVERYTHING
    return payload


@pytest.mark.parametrize(
    "how", ["plain", "app_permissions", "unknown_role", "helper_role", "top_level"]
)
async def test_every_moderator_and_config_action_is_refused(
    discord_bot: Harness, tmp_path: Path, how: str
) -> None:
    await discord_bot.bot.runtime.store.set_guild_config(
        GUILD_ID, "test", moderator_role=int(MODERATOR_ROLE_ID)
    )
    rev = await draft_edit(discord_bot, "kratom-legal", "A draft waiting for review.")
    before = snapshot(tmp_path / "bot.db")
    for group, commands in (("faq", FAQ_COMMANDS), ("config", CONFIG_COMMANDS)):
        for name, options in commands:
            payload = slash_command(
                group,
                options,
                subcommand=name,
                user_id=MEMBER,
                resolved={"channels": CHANNELS},
            )
            body = await discord_bot.send(crafted(payload, how))
            assert body["type"] == 4, (group, name)  # a message, never a form
            content = body["data"]["content"]
            assert body["data"]["flags"] == 64 and ("only" in content and "Nothing" in content), (
                group,
                name,
                content,
            )
    for custom_id in (f"mod:approve:{rev}", f"mod:reject:{rev}", "mod:review:0"):
        payload = interaction(
            3,
            {"custom_id": custom_id, "component_type": 2},
            user_id=MEMBER,
            message_payload=message({"flags": 64}),
        )
        body = await discord_bot.send(crafted(payload, how))
        assert "only this server's FAQ moderators" in body["data"]["content"]
    reject = submit(f"mod:rejectnote:{rev}", {"note": "crafted"}, MEMBER, permissions="0")
    body = await discord_bot.send(crafted(reject, how))
    assert "only this server's FAQ moderators" in body["data"]["content"]
    assert snapshot(tmp_path / "bot.db") == before  # nothing changed, not even the audit log


async def test_someone_elses_form_cannot_be_submitted(discord_bot: Harness, tmp_path: Path) -> None:
    opened = await discord_bot.send(
        slash_command(
            "faq",
            [{"type": TEXT, "name": "entry", "value": "kratom-legal"}],
            subcommand="edit",
            user_id=ALICE,
            permissions=str(1 << 5),
        )
    )
    before = snapshot(tmp_path / "bot.db")
    stolen = submit(opened["data"]["custom_id"], {"answer": "hijacked"}, MEMBER)  # a moderator too
    body = await discord_bot.send(stolen)
    assert "expired" in body["data"]["content"] and "nothing was saved" in body["data"]["content"]
    assert snapshot(tmp_path / "bot.db") == before


async def test_moderation_in_a_direct_message_is_refused(discord_bot: Harness) -> None:
    payload = slash_command("faq", [], subcommand="review", user_id=MEMBER)
    for key in ("guild_id", "member", "guild_locale"):
        payload.pop(key)
    payload["user"] = {"id": MEMBER, "username": "m", "discriminator": "0", "avatar": None}
    payload["channel"] = {"id": "1900000000000000001", "type": 1}
    payload["channel_id"] = "1900000000000000001"
    payload["context"] = 1
    body = await discord_bot.send(payload)
    assert "inside a server" in body["data"]["content"]


@pytest.mark.parametrize(
    "custom_id",
    [
        "mod:approve:not-a-number",
        "mod:approve:999999",
        "mod:review:-5",
        "mod:reopen:no-such-form",
        "faq:show:../../etc/passwd",
        "faq:page:nope:abc",
        "faq:up:@everyone",
        "help:talk:<@&1250000000000000002>",
        "faq:" + "x" * 95,
        "totally-unknown",
    ],
)
async def test_crafted_buttons_get_a_polite_answer(discord_bot: Harness, custom_id: str) -> None:
    payload = interaction(
        3,
        {"custom_id": custom_id, "component_type": 2},
        user_id=MEMBER,
        permissions=str(1 << 5),
        message_payload=message({"flags": 64}),
    )
    if custom_id == "totally-unknown":
        # Not ours: no reply is right (Discord shows "interaction failed" to a forger only).
        await discord_bot.fake.dispatch("INTERACTION_CREATE", payload)
    else:
        body = await discord_bot.send(payload)
        assert body["data"]["allowed_mentions"] == {"parse": []}
        assert "<@&" not in str(body["data"].get("content", ""))
    answer = await discord_bot.ask("what is kratom")  # and the bot carries on
    assert answer["data"]["embeds"][0]["title"] == "What is kratom?"


async def test_a_malformed_interaction_gets_an_apology(discord_bot: Harness) -> None:
    payload = slash_command(
        "config",
        [{"type": 7, "name": "channel", "value": CHANNEL_ID}],
        subcommand="watch",
        permissions=str(1 << 5),
        resolved={"channels": {CHANNEL_ID: {"id": CHANNEL_ID}}},  # fields Discord always sends
    )
    body = await discord_bot.send(payload)
    assert "Sorry, something went wrong" in body["data"]["content"]


async def test_only_the_editor_servers_may_edit_a_shared_faq(tmp_path: Path) -> None:
    settings = Settings.from_env({"FAQBOT_EDITOR_GUILDS": f"42, {GUILD_ID}"})
    assert settings.editor_guilds == {42, int(GUILD_ID)}
    async with running_bot(tmp_path, editor_guilds=frozenset({42})) as harness:
        body = await harness.send(
            slash_command("faq", [], subcommand="review", permissions=str(1 << 5))
        )
        assert "FAQ editing is turned off in this server" in body["data"]["content"]
    async with running_bot(tmp_path / "home", editor_guilds=frozenset({int(GUILD_ID)})) as home:
        body = await home.send(
            slash_command("faq", [], subcommand="review", permissions=str(1 << 5))
        )
        assert body["data"]["embeds"][0]["title"] == "FAQ review"
