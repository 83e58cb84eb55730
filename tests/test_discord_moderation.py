"""Moderators change the FAQ from Discord: the real client against the fake Discord."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.knowledge.moderation import dump_topic
from tests.discord_harness import Harness
from tests.fake_discord import (
    APPLICATION_ID,
    MOD_LOG_CHANNEL_ID,
    MODERATOR_ROLE_ID,
    interaction,
    message,
    role_payload,
    slash_command,
)

MANAGE_GUILD = str(1 << 5)
ALICE, BOB, MEMBER = "1600000000000000001", "1600000000000000002", "1600000000000000003"


def faq(sub: str, user: str, options: list[dict[str, Any]] | None = None, **kw: Any) -> Any:
    kw.setdefault("permissions", MANAGE_GUILD)
    return slash_command("faq", options or [], subcommand=sub, user_id=user, **kw)


def text_option(name: str, value: str) -> dict[str, Any]:
    return {"type": 3, "name": name, "value": value}


def modal_values(body: dict[str, Any]) -> dict[str, str]:
    """The pre-filled text of a modal the bot opened."""
    assert body["type"] == 9, body  # MODAL
    out = {}
    for row in body["data"]["components"]:
        for item in row.get("components") or [row.get("component")]:
            out[item["custom_id"]] = item.get("value") or ""
    return out


def submit(custom_id: str, values: dict[str, str], user: str, **kw: Any) -> dict[str, Any]:
    rows = [
        {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
        for k, v in values.items()
    ]
    kw.setdefault("permissions", MANAGE_GUILD)
    return interaction(5, {"custom_id": custom_id, "components": rows}, user_id=user, **kw)


def click(custom_id: str, user: str, embeds: bool = False, **kw: Any) -> dict[str, Any]:
    kw.setdefault("permissions", MANAGE_GUILD)
    shown = message({"flags": 64, "embeds": [{"title": "FAQ review"}] if embeds else []})
    return interaction(
        3, {"custom_id": custom_id, "component_type": 2}, user_id=user, message_payload=shown, **kw
    )


def ids(body: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in body["data"].get("components", []) for c in row["components"]]


async def open_edit(bot: Harness, entry: str, user: str, **kw: Any) -> tuple[str, dict[str, str]]:
    body = await bot.send(faq("edit", user, [text_option("entry", entry)], **kw))
    return body["data"]["custom_id"], modal_values(body)


async def draft_edit(bot: Harness, entry: str, answer: str, user: str = ALICE) -> int:
    token, values = await open_edit(bot, entry, user)
    saved = await bot.send(submit(token, {**values, "answer": answer}, user))
    content = saved["data"]["content"]
    assert "saved as draft" in content, content
    return int(content.split("saved as draft ")[1].split(".")[0])


async def title_of_answer(bot: Harness, question: str) -> str:
    body = await bot.ask(question)
    return str(body["data"]["embeds"][0].get("description", ""))


async def test_two_moderators_draft_review_publish_and_ask_sees_it(discord_bot: Harness) -> None:
    bot = discord_bot
    await bot.send(
        slash_command(
            "config",
            [{"type": 7, "name": "channel", "value": MOD_LOG_CHANNEL_ID}],
            subcommand="modlog",
            permissions=MANAGE_GUILD,
            resolved={
                "channels": {
                    MOD_LOG_CHANNEL_ID: {
                        "id": MOD_LOG_CHANNEL_ID,
                        "type": 0,
                        "name": "mod-log",
                        "permissions": "0",
                    }
                }
            },
        )
    )
    token, values = await open_edit(bot, "kratom-legal", ALICE)
    assert values["question"] == "Is kratom legal?" and "https://" in values["sources"]
    new_answer = "Updated wording: check your local law; it changes. @everyone"
    saved = await bot.send(submit(token, {**values, "answer": new_answer}, ALICE))
    assert "Answer: must not contain mentions" in saved["data"]["content"]
    assert f"mod:reopen:{token.split(':')[-1]}" in ids(saved)  # their text is kept
    reopened = await bot.send(click(f"mod:reopen:{token.split(':')[-1]}", ALICE))
    assert modal_values(reopened)["answer"] == new_answer  # exactly what they typed
    fixed = new_answer.replace(" @everyone", "")
    saved = await bot.send(
        submit(reopened["data"]["custom_id"], {**values, "answer": fixed}, ALICE)
    )
    assert "saved as draft" in saved["data"]["content"]
    assert "Updated wording" not in await title_of_answer(bot, "is kratom legal")  # not live yet

    review = await bot.send(faq("review", BOB))
    embed = review["data"]["embeds"][0]
    assert "kratom-legal" in embed["description"] and "+" in embed["description"]  # a diff
    approve = next(i for i in ids(review) if i.startswith("mod:approve:"))
    # Alice cannot approve her own draft...
    refused = await bot.send(click(approve, ALICE, embeds=True))
    assert "another moderator needs to approve" in refused["data"]["content"]
    # ...Bob can, and the very next /ask gets the new wording.
    done = await bot.send(click(approve, BOB, embeds=True))
    assert done["type"] == 7 and "Published draft" in done["data"]["embeds"][0]["description"]
    assert "Updated wording" in await title_of_answer(bot, "is kratom legal")
    # Every action reached the mod-log channel, and none of them could ping.
    posts = [
        r
        for r in bot.fake.requests
        if r.method == "POST" and r.path == f"/channels/{MOD_LOG_CHANNEL_ID}/messages"
    ]
    assert len(posts) == 3 and all(p.body["allowed_mentions"] == {"parse": []} for p in posts)
    assert "changed a setting: FAQ changes are posted in" in posts[0].body["content"]
    assert "drafted a change" in posts[1].body["content"] and "approved" in posts[2].body["content"]
    actions = [row["action"] for row in await bot.bot.runtime.store.audit_log("kratom-legal")]
    assert actions[-2:] == ["draft", "approve"]


async def test_members_without_the_role_are_refused_and_nothing_changes(
    discord_bot: Harness,
) -> None:
    bot = discord_bot
    before = await bot.bot.runtime.moderation.history("kratom-legal")
    for sub, options in (
        ("edit", [text_option("entry", "kratom-legal")]),
        ("remove", [text_option("entry", "kratom-legal")]),
        ("review", []),
        ("export", []),
    ):
        body = await bot.send(faq(sub, MEMBER, options, permissions="0"))
        assert "only this server's FAQ moderators" in body["data"]["content"]
        assert body["data"]["flags"] == 64
    # A crafted click on someone's Approve button, or a crafted form, is refused the same way.
    rev = await draft_edit(bot, "kratom-legal", "A draft.")
    body = await bot.send(click(f"mod:approve:{rev}", MEMBER, permissions="0"))
    assert "only this server's FAQ moderators" in body["data"]["content"]
    assert len(await bot.bot.runtime.moderation.history("kratom-legal")) == len(before) + 1
    assert [d.rev for d in await bot.bot.runtime.moderation.pending()] == [rev]


async def test_the_configured_moderator_role_may_edit(discord_bot: Harness) -> None:
    bot = discord_bot
    await bot.send(
        slash_command(
            "config",
            [{"type": 8, "name": "role", "value": MODERATOR_ROLE_ID}],
            subcommand="moderators",
            permissions=MANAGE_GUILD,
            resolved={
                "roles": {MODERATOR_ROLE_ID: role_payload(MODERATOR_ROLE_ID, "FAQ moderators")}
            },
        )
    )
    token, values = await open_edit(
        bot, "kratom-legal", MEMBER, permissions="0", roles=[MODERATOR_ROLE_ID]
    )
    saved = await bot.send(
        submit(
            token,
            {**values, "answer": "Role wording."},
            MEMBER,
            permissions="0",
            roles=[MODERATOR_ROLE_ID],
        )
    )
    assert "saved as draft" in saved["data"]["content"]


async def test_a_stale_edit_is_refused_and_can_be_reapplied(discord_bot: Harness) -> None:
    bot = discord_bot
    alice_token, alice_values = await open_edit(bot, "kratom-legal", ALICE)
    rev = await draft_edit(bot, "kratom-legal", "Bob's wording.", user=BOB)
    await bot.send(click(f"mod:approve:{rev}", ALICE))  # published while Alice was typing
    stale = await bot.send(submit(alice_token, {**alice_values, "answer": "Alice's."}, ALICE))
    assert "Nothing was overwritten" in stale["data"]["content"]
    assert "Bob's wording" in await title_of_answer(bot, "is kratom legal")
    # Reopen: her text, now on top of the new live revision, saves.
    reopened = await bot.send(click(f"mod:reopen:{alice_token.split(':')[-1]}", ALICE))
    assert modal_values(reopened)["answer"] == "Alice's."
    saved = await bot.send(submit(reopened["data"]["custom_id"], modal_values(reopened), ALICE))
    assert "saved as draft" in saved["data"]["content"]


async def test_history_and_revert(discord_bot: Harness) -> None:
    bot = discord_bot
    original = await bot.bot.runtime.moderation.live("kratom-legal")
    assert original is not None
    await bot.send(click(f"mod:approve:{await draft_edit(bot, 'kratom-legal', 'Bad.')}", BOB))
    history = await bot.send(faq("history", ALICE, [text_option("entry", "kratom-legal")]))
    text = history["data"]["embeds"][0]["description"]
    assert f"`r{original.rev}`" in text and "**live**" in text and f"<@{ALICE}>" in text
    reverted = await bot.send(
        faq(
            "revert",
            ALICE,
            [
                text_option("entry", "kratom-legal"),
                {"type": 4, "name": "revision", "value": original.rev},
            ],
        )
    )
    assert "A revert to `kratom-legal` is saved as draft" in reverted["data"]["content"]
    rev = int(reverted["data"]["content"].split("draft ")[1].split(".")[0])
    await bot.send(click(f"mod:approve:{rev}", BOB))
    assert original.entry.answer[:60] in await title_of_answer(bot, "is kratom legal")


async def test_single_moderator_servers_can_publish_their_own(discord_bot: Harness) -> None:
    bot = discord_bot
    await bot.send(
        slash_command(
            "config", [text_option("rule", "one")], subcommand="review", permissions=MANAGE_GUILD
        )
    )
    token, values = await open_edit(bot, "kratom-legal", ALICE)
    saved = await bot.send(submit(token, {**values, "answer": "Solo wording."}, ALICE))
    publish = next(i for i in ids(saved) if i.startswith("mod:approve:"))
    done = await bot.send(click(publish, ALICE))
    assert "is live now" in done["data"]["content"]
    assert "Solo wording." in await title_of_answer(bot, "is kratom legal")


async def test_remove_and_restore(discord_bot: Harness) -> None:
    bot = discord_bot
    removed = await bot.send(faq("remove", ALICE, [text_option("entry", "kratom-legal")]))
    assert "Removed `kratom-legal`" in removed["data"]["content"]
    gone = await bot.send(slash_command("show", [text_option("entry", "kratom-legal")]))
    assert "couldn't find that entry" in gone["data"]["content"]
    await bot.send(faq("restore", BOB, [text_option("entry", "kratom-legal")]))
    back = await bot.send(slash_command("show", [text_option("entry", "kratom-legal")]))
    assert back["data"]["embeds"][0]["title"] == "Is kratom legal?"


async def test_approving_a_removed_entrys_draft_says_it_stays_removed(
    discord_bot: Harness,
) -> None:
    bot = discord_bot
    rev = await draft_edit(bot, "kratom-legal", "New wording for a removed entry.")
    await bot.send(faq("remove", BOB, [text_option("entry", "kratom-legal")]))
    done = (await bot.send(click(f"mod:approve:{rev}", BOB)))["data"]["content"]
    assert "is still removed" in done and "/faq restore" in done and "is live" not in done
    gone = await bot.send(slash_command("show", [text_option("entry", "kratom-legal")]))
    assert "couldn't find that entry" in gone["data"]["content"]
    await bot.send(faq("restore", BOB, [text_option("entry", "kratom-legal")]))
    assert "New wording for a removed entry." in await title_of_answer(bot, "is kratom legal")


async def test_export_then_import_round_trips_and_changes_become_drafts(
    discord_bot: Harness,
) -> None:
    bot = discord_bot
    exported = await bot.send(faq("export", ALICE))
    files = exported["_files"]
    assert len(files) == 4 and exported["data"]["flags"] == 64
    names = [a["filename"] for a in exported["data"]["attachments"]]
    kratom = files[f"files[{names.index('kratom.yaml')}]"]

    async def import_(content: bytes) -> str:
        attachment = bot.fake.attach("kratom.yaml", content)
        payload = faq(
            "import",
            ALICE,
            [{"type": 11, "name": "file", "value": attachment["id"]}],
            resolved={"attachments": {attachment["id"]: attachment}},
        )
        start = len(bot.fake.requests)
        await bot.send(payload)  # deferred: the result follows as a webhook message
        found = await bot.fake.wait_for_request(
            lambda r: r.path.startswith(f"/webhooks/{APPLICATION_ID}/{payload['token']}"),
            start=start,
        )
        return str(found.body["content"])

    same = await import_(kratom)
    assert "0 change(s) became drafts" in same and await bot.bot.runtime.moderation.pending() == []
    live = [e for e in await bot.bot.runtime.store.live_entries() if e.topic == "kratom"]
    changed = [dataclasses.replace(live[0], answer="Imported wording."), *live[1:]]
    result = await import_(dump_topic("Kratom", changed).encode())
    assert f"1 change(s) became drafts (`{live[0].id}`)" in result
    broken = await import_(b"title: Kratom\nentries:\n  - id: Not An Id\n")
    assert "Nothing was imported" in broken and "kratom.yaml:3" in broken
    assert len(await bot.bot.runtime.moderation.pending()) == 1


async def test_shipped_update_to_a_moderated_entry_arrives_for_review(
    discord_bot: Harness,
) -> None:
    bot = discord_bot
    await bot.send(click(f"mod:approve:{await draft_edit(bot, 'kratom-legal', 'Ours.')}", BOB))
    runtime = bot.bot.runtime
    shipped = [
        dataclasses.replace(e, answer=e.answer + " Shipped.") if e.id == "kratom-legal" else e
        for e in runtime.loaded.entries
    ]
    report = await runtime.store.sync_shipped(shipped)  # what the next start does
    assert report.drafted == ["kratom-legal"]
    assert "Ours." in await title_of_answer(bot, "is kratom legal")  # not overwritten
    review = await bot.send(faq("review", ALICE))
    assert "shipped" in review["data"]["embeds"][0]["description"]
