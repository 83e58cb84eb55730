"""Moderators change the FAQ from Discord: the real client against the fake Discord."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import discord
import pytest

import bot.knowledge.moderation as moderation_module
from bot.core.reply import Source
from bot.knowledge.moderation import dump_topic
from tests.discord_harness import Harness
from tests.fake_discord import (
    APPLICATION_ID,
    CHANNEL_ID,
    MOD_LOG_CHANNEL_ID,
    MODERATOR_ROLE_ID,
    form_errors,
    interaction,
    message,
    role_payload,
    slash_command,
)
from tests.test_moderation import audit_log, new_entries

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


async def send(bot: Harness, payload: dict[str, Any]) -> dict[str, Any]:
    """What the moderator ends up seeing, as {"type": callback type, "data": message}: the
    callback itself, or after a deferral (5: thinking, 6: update in place) the message that
    follows it."""
    start = len(bot.fake.requests)
    body = await bot.send(payload)
    if body["type"] not in (5, 6):
        return body
    found = await bot.fake.wait_for_request(
        lambda r: r.path.startswith(f"/webhooks/{APPLICATION_ID}/{payload['token']}"), start=start
    )
    return {"type": body["type"], "data": found.body}


def ids(body: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in body["data"].get("components", []) for c in row["components"]]


async def open_edit(bot: Harness, entry: str, user: str, **kw: Any) -> tuple[str, dict[str, str]]:
    body = await send(bot, faq("edit", user, [text_option("entry", entry)], **kw))
    return body["data"]["custom_id"], modal_values(body)


async def draft_edit(bot: Harness, entry: str, answer: str, user: str = ALICE) -> int:
    token, values = await open_edit(bot, entry, user)
    saved = await send(bot, submit(token, {**values, "answer": answer}, user))
    content = saved["data"]["content"]
    assert "saved as draft" in content, content
    return int(content.split("saved as draft ")[1].split(".")[0])


async def title_of_answer(bot: Harness, question: str) -> str:
    body = await bot.ask(question)
    return str(body["data"]["embeds"][0].get("description", ""))


async def test_two_moderators_draft_review_publish_and_ask_sees_it(discord_bot: Harness) -> None:
    bot = discord_bot
    await send(
        bot,
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
        ),
    )
    token, values = await open_edit(bot, "kratom-legal", ALICE)
    assert values["question"] == "Is kratom legal?" and "https://" in values["sources"]
    new_answer = "Updated wording: check your local law; it changes. @everyone"
    saved = await send(bot, submit(token, {**values, "answer": new_answer}, ALICE))
    assert "Answer: must not contain mentions" in saved["data"]["content"]
    assert f"mod:reopen:{token.split(':')[-1]}" in ids(saved)  # their text is kept
    reopened = await send(bot, click(f"mod:reopen:{token.split(':')[-1]}", ALICE))
    assert modal_values(reopened)["answer"] == new_answer  # exactly what they typed
    fixed = new_answer.replace(" @everyone", "")
    saved = await send(
        bot, submit(reopened["data"]["custom_id"], {**values, "answer": fixed}, ALICE)
    )
    assert "saved as draft" in saved["data"]["content"]
    assert "Updated wording" not in await title_of_answer(bot, "is kratom legal")  # not live yet

    review = await send(bot, faq("review", BOB))
    embed = review["data"]["embeds"][0]
    assert "kratom-legal" in embed["description"] and "+" in embed["description"]  # a diff
    approve = next(i for i in ids(review) if i.startswith("mod:approve:"))
    # Alice cannot approve her own draft...
    refused = await send(bot, click(approve, ALICE, embeds=True))
    assert "another moderator needs to approve" in refused["data"]["content"]
    # ...Bob can, and the very next /ask gets the new wording.
    done = await send(bot, click(approve, BOB, embeds=True))
    # Deferred, then the review message is updated in place: published, on to the next draft.
    assert done["type"] == 6 and "Published draft" in done["data"]["embeds"][0]["description"]
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
    actions = [row["action"] for row in await audit_log(bot.bot.runtime.store, "kratom-legal")]
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
        body = await send(bot, faq(sub, MEMBER, options, permissions="0"))
        assert "only this server's FAQ moderators" in body["data"]["content"]
        assert body["data"]["flags"] == 64
    # A crafted click on someone's Approve button, or a crafted form, is refused the same way.
    rev = await draft_edit(bot, "kratom-legal", "A draft.")
    body = await send(bot, click(f"mod:approve:{rev}", MEMBER, permissions="0"))
    assert "only this server's FAQ moderators" in body["data"]["content"]
    assert len(await bot.bot.runtime.moderation.history("kratom-legal")) == len(before) + 1
    assert [d.rev for d in await bot.bot.runtime.moderation.pending()] == [rev]


async def test_the_configured_moderator_role_may_edit(discord_bot: Harness) -> None:
    bot = discord_bot
    await send(
        bot,
        slash_command(
            "config",
            [{"type": 8, "name": "role", "value": MODERATOR_ROLE_ID}],
            subcommand="moderators",
            permissions=MANAGE_GUILD,
            resolved={
                "roles": {MODERATOR_ROLE_ID: role_payload(MODERATOR_ROLE_ID, "FAQ moderators")}
            },
        ),
    )
    token, values = await open_edit(
        bot, "kratom-legal", MEMBER, permissions="0", roles=[MODERATOR_ROLE_ID]
    )
    saved = await send(
        bot,
        submit(
            token,
            {**values, "answer": "Role wording."},
            MEMBER,
            permissions="0",
            roles=[MODERATOR_ROLE_ID],
        ),
    )
    assert "saved as draft" in saved["data"]["content"]


async def test_a_stale_edit_is_refused_and_can_be_reapplied(discord_bot: Harness) -> None:
    bot = discord_bot
    alice_token, alice_values = await open_edit(bot, "kratom-legal", ALICE)
    rev = await draft_edit(bot, "kratom-legal", "Bob's wording.", user=BOB)
    await send(bot, click(f"mod:approve:{rev}", ALICE))  # published while Alice was typing
    stale = await send(bot, submit(alice_token, {**alice_values, "answer": "Alice's."}, ALICE))
    assert "Nothing was overwritten" in stale["data"]["content"]
    assert "Bob's wording" in await title_of_answer(bot, "is kratom legal")
    # Reopen: her text, now on top of the new live revision, saves.
    reopened = await send(bot, click(f"mod:reopen:{alice_token.split(':')[-1]}", ALICE))
    assert modal_values(reopened)["answer"] == "Alice's."
    saved = await send(bot, submit(reopened["data"]["custom_id"], modal_values(reopened), ALICE))
    assert "saved as draft" in saved["data"]["content"]


async def test_history_and_revert(discord_bot: Harness) -> None:
    bot = discord_bot
    original = await bot.bot.runtime.moderation.live("kratom-legal")
    assert original is not None
    await send(bot, click(f"mod:approve:{await draft_edit(bot, 'kratom-legal', 'Bad.')}", BOB))
    history = await send(bot, faq("history", ALICE, [text_option("entry", "kratom-legal")]))
    text = history["data"]["embeds"][0]["description"]
    assert f"`r{original.rev}`" in text and "**live**" in text and f"<@{ALICE}>" in text
    reverted = await send(
        bot,
        faq(
            "revert",
            ALICE,
            [
                text_option("entry", "kratom-legal"),
                {"type": 4, "name": "revision", "value": original.rev},
            ],
        ),
    )
    assert "A revert to `kratom-legal` is saved as draft" in reverted["data"]["content"]
    rev = int(reverted["data"]["content"].split("draft ")[1].split(".")[0])
    await send(bot, click(f"mod:approve:{rev}", BOB))
    assert original.entry.answer[:60] in await title_of_answer(bot, "is kratom legal")


async def test_single_moderator_servers_can_publish_their_own(discord_bot: Harness) -> None:
    bot = discord_bot
    await send(
        bot,
        slash_command(
            "config", [text_option("rule", "one")], subcommand="review", permissions=MANAGE_GUILD
        ),
    )
    token, values = await open_edit(bot, "kratom-legal", ALICE)
    saved = await send(bot, submit(token, {**values, "answer": "Solo wording."}, ALICE))
    publish = next(i for i in ids(saved) if i.startswith("mod:approve:"))
    done = await send(bot, click(publish, ALICE))
    assert "is live now" in done["data"]["content"]
    assert "Solo wording." in await title_of_answer(bot, "is kratom legal")


async def test_remove_and_restore(discord_bot: Harness) -> None:
    bot = discord_bot
    removed = await send(bot, faq("remove", ALICE, [text_option("entry", "kratom-legal")]))
    assert "Removed `kratom-legal`" in removed["data"]["content"]
    gone = await send(bot, slash_command("show", [text_option("entry", "kratom-legal")]))
    assert "couldn't find that entry" in gone["data"]["content"]
    await send(bot, faq("restore", BOB, [text_option("entry", "kratom-legal")]))
    back = await send(bot, slash_command("show", [text_option("entry", "kratom-legal")]))
    assert back["data"]["embeds"][0]["title"] == "Is kratom legal?"


async def test_approving_a_removed_entrys_draft_says_it_stays_removed(
    discord_bot: Harness,
) -> None:
    bot = discord_bot
    rev = await draft_edit(bot, "kratom-legal", "New wording for a removed entry.")
    await send(bot, faq("remove", BOB, [text_option("entry", "kratom-legal")]))
    done = (await send(bot, click(f"mod:approve:{rev}", BOB)))["data"]["content"]
    assert "is still removed" in done and "/faq restore" in done and "is live" not in done
    gone = await send(bot, slash_command("show", [text_option("entry", "kratom-legal")]))
    assert "couldn't find that entry" in gone["data"]["content"]
    await send(bot, faq("restore", BOB, [text_option("entry", "kratom-legal")]))
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
        done = await send(bot, await import_payload(bot, content))
        assert done["type"] == 5  # deferred: the result follows as a webhook message
        return str(done["data"]["content"])

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
    await send(bot, click(f"mod:approve:{await draft_edit(bot, 'kratom-legal', 'Ours.')}", BOB))
    runtime = bot.bot.runtime
    shipped = [
        dataclasses.replace(e, answer=e.answer + " Shipped.") if e.id == "kratom-legal" else e
        for e in runtime.loaded.entries
    ]
    report = await runtime.store.sync_shipped(shipped)  # what the next start does
    assert report.drafted == ["kratom-legal"]
    assert "Ours." in await title_of_answer(bot, "is kratom legal")  # not overwritten
    review = await send(bot, faq("review", ALICE))
    assert "shipped" in review["data"]["embeds"][0]["description"]


class Gate:
    """Holds a worker-thread step until released, so a test can act while it is under way.

    Event-driven: `entered` is set (on the loop) when the step starts; if the step ran on the
    event loop itself, nothing else could run until the long fail-safe wait ran out, and
    `passed` records that it went through unreleased.
    """

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.entered = asyncio.Event()
        self.release = threading.Event()
        self.passed_unreleased = False
        self.used = False

    def wrap(self, step: Callable[..., Any]) -> Callable[..., Any]:
        def gated(*args: Any) -> Any:
            if not self.used:
                self.used = True
                self.loop.call_soon_threadsafe(self.entered.set)
                self.passed_unreleased = not self.release.wait(timeout=30)
            return step(*args)

        return gated


async def import_payload(bot: Harness, content: bytes) -> dict[str, Any]:
    attachment = bot.fake.attach("kratom.yaml", content)
    return faq(
        "import",
        ALICE,
        [{"type": 11, "name": "file", "value": attachment["id"]}],
        resolved={"attachments": {attachment["id"]: attachment}},
    )


async def test_members_are_answered_while_a_100_entry_import_is_checked(
    discord_bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = discord_bot
    kratom = [e for e in await bot.bot.runtime.store.live_entries() if e.topic == "kratom"]
    content = dump_topic("Kratom", [*kratom, *new_entries(kratom[0], 100)]).encode()
    gate = Gate()
    monkeypatch.setattr(moderation_module, "cross_check", gate.wrap(moderation_module.cross_check))
    payload = await import_payload(bot, content)
    importing = asyncio.create_task(send(bot, payload))
    await gate.entered.wait()
    # Another member asks while the import is being checked: answered, the import still held.
    asked = await bot.ask("is kratom legal", user_id=MEMBER)
    assert asked["data"]["embeds"][0]["title"] == "Is kratom legal?"
    assert not gate.passed_unreleased and not importing.done()
    gate.release.set()
    done = await importing
    assert done["type"] == 5 and "100 change(s) became drafts" in done["data"]["content"]


async def test_members_are_answered_while_an_approval_rebuilds_the_engine(
    discord_bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = discord_bot
    runtime = bot.bot.runtime
    rev = await draft_edit(bot, "kratom-legal", "Wording published while members ask.")
    gate = Gate()
    monkeypatch.setattr(runtime, "_build", gate.wrap(runtime._build))
    approving = asyncio.create_task(send(bot, click(f"mod:approve:{rev}", BOB)))
    await gate.entered.wait()
    # The old engine keeps answering while the new one is built...
    assert "Wording published" not in await title_of_answer(bot, "is kratom legal")
    assert not gate.passed_unreleased and not approving.done()
    gate.release.set()
    done = await approving
    # ...and once the moderator hears "live", members get the new wording.
    assert done["type"] == 5 and "is live now" in done["data"]["content"]
    assert "Wording published" in await title_of_answer(bot, "is kratom legal")


@pytest.mark.parametrize(
    ("kind", "custom_id", "says"),
    [
        (3, "mod:approve:99999999999999999999999", "isn't one faqbot can use"),
        (3, "mod:approve:4242", "There is no draft 4242"),
        (3, "mod:reject:4242", "There is no draft 4242"),
        (3, "mod:nonsense:1", "isn't one faqbot can use"),
        (3, "mod:", "isn't one faqbot can use"),
        (3, "mod:form:forged-token", "isn't one faqbot can use"),  # a form id on a button
        (5, "mod:approve:1", "isn't one faqbot can use"),  # a button id as a form
        (5, "mod:rejectnote:x", "isn't one faqbot can use"),
        (5, "mod:rejectnote:4242", "There is no draft 4242"),
        (5, "mod:form:forged-token", "That form expired"),
    ],
)
async def test_forged_moderation_ids_get_a_polite_private_answer(
    discord_bot: Harness, kind: int, custom_id: str, says: str
) -> None:
    payload = (
        click(custom_id, ALICE, embeds=True)
        if kind == 3
        else submit(custom_id, {"note": "forged"}, ALICE)
    )
    body = await send(discord_bot, payload)
    assert body["type"] == 4 and body["data"]["flags"] == 64, body
    assert says in body["data"]["content"] and body["data"]["allowed_mentions"] == {"parse": []}
    assert await discord_bot.bot.runtime.moderation.pending() == []


async def test_a_new_source_domain_is_saved_but_called_out_to_the_reviewer(
    discord_bot: Harness,
) -> None:
    bot = discord_bot
    token, values = await open_edit(bot, "kratom-legal", ALICE)
    sources = values["sources"] + "\nKratom blog | https://kratom-blog.example/legal"
    saved = await send(bot, submit(token, {**values, "sources": sources}, ALICE))
    note = "New source domain not on the allow-list: kratom-blog.example"
    assert "saved as draft" in saved["data"]["content"] and note in saved["data"]["content"]
    review = await send(bot, faq("review", BOB))
    assert note in review["data"]["embeds"][0]["description"]


async def test_a_long_diff_shows_answer_and_sources_first_and_attaches_all_of_it(
    discord_bot: Harness,
) -> None:
    bot = discord_bot
    kratom = [e for e in await bot.bot.runtime.store.live_entries() if e.topic == "kratom"]
    legal = next(e for e in kratom if e.id == "kratom-legal")
    changed = dataclasses.replace(
        legal,
        answer="Laws on kratom differ by country, state and city, and they change. " * 20,
        alternates=(*legal.alternates, *long_phrasings(15, 190)),
        sources=(*legal.sources[:1], Source("NIDA", "https://nida.nih.gov/research-topics")),
    )
    content = dump_topic("Kratom", [changed if e.id == legal.id else e for e in kratom])
    imported = await send(bot, await import_payload(bot, content.encode()))
    assert "1 change(s) became drafts" in imported["data"]["content"]
    review = await send(bot, faq("review", BOB))
    shown = review["data"]["embeds"][0]["description"]
    [draft] = await bot.bot.runtime.moderation.pending()
    name = f"draft-{draft.rev}.diff"
    # The answer and the sources are shown; what did not fit is attached and the message says so.
    assert "@@ answer @@" in shown and "+- title: NIDA" in shown
    assert f"attached as `{name}`" in shown and len(shown) <= 4096
    assert shown.index("@@ answer @@") < shown.index("@@ sources @@")
    assert "long phrasing 14" not in shown
    [attachment] = review["data"]["attachments"]
    full = review["_files"]["files[0]"].decode()
    assert attachment["filename"] == name
    assert "+- long phrasing 14" in full and "@@ alternates @@" in full
    assert full.index("@@ answer @@") < full.index("@@ sources @@") < full.index("@@ alternates")


def long_phrasings(count: int, length: int) -> tuple[str, ...]:
    words = " and some more words to make this phrasing long" * 5
    return tuple(f"long phrasing {i}{words}"[:length].rstrip() for i in range(count))


async def test_an_entry_too_big_for_the_edit_form_cannot_be_imported(
    discord_bot: Harness,
) -> None:
    bot = discord_bot
    kratom = [e for e in await bot.bot.runtime.store.live_entries() if e.topic == "kratom"]
    huge = dataclasses.replace(kratom[0], alternates=long_phrasings(60, 190))  # 11,459 chars
    content = dump_topic("Kratom", [huge, *kratom[1:]])
    refused = await send(bot, await import_payload(bot, content.encode()))
    text = refused["data"]["content"]
    assert "Nothing was imported" in text
    assert "the limit is 3800, what the edit form can hold" in text
    assert await bot.bot.runtime.moderation.pending() == []


async def test_the_biggest_entry_an_import_accepts_opens_in_the_edit_form(
    discord_bot: Harness,
) -> None:
    bot = discord_bot
    kratom = [e for e in await bot.bot.runtime.store.live_entries() if e.topic == "kratom"]
    path = "/research-topics/" + "a" * 400
    biggest = dataclasses.replace(
        kratom[0],
        question="Q" * 199 + "?",
        answer="Kratom is a tropical tree. " * 55,
        alternates=long_phrasings(19, 199),  # 3,789 characters, one a line
        sources=tuple(Source("T" * 30, f"https://nida.nih.gov{path}{i}") for i in range(8)),
        tags=tuple(f"{'t' * 30}{i:02d}" for i in range(12)),
    )
    content = dump_topic("Kratom", [biggest, *kratom[1:]])
    imported = await send(bot, await import_payload(bot, content.encode()))
    assert "1 change(s) became drafts" in imported["data"]["content"], imported
    [draft] = await bot.bot.runtime.moderation.pending()
    await send(bot, click(f"mod:approve:{draft.rev}", BOB))
    token, values = await open_edit(bot, biggest.id, ALICE)  # Discord took the form
    assert values["alternates"] == "\n".join(biggest.alternates)
    assert bot.fake.rejected == []
    saved = await send(bot, submit(token, {**values, "answer": "Kratom is a tree."}, ALICE))
    assert "saved as draft" in saved["data"]["content"]


async def test_the_fake_refuses_what_discord_refuses(discord_bot: Harness) -> None:
    channel = discord_bot.bot.get_partial_messageable(int(CHANNEL_ID))
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send("x" * 2001)
    assert refused.value.status == 400 and refused.value.code == 50035
    assert "Must be 2000 or fewer in length." in str(refused.value)
    too_big = [discord.Embed(description="d" * 4000) for _ in range(2)]
    with pytest.raises(discord.HTTPException, match="Embed size exceeds maximum size of 6000"):
        await channel.send(embeds=too_big)
    field = discord.Embed(title="t").add_field(name="n", value="v" * 1025)
    with pytest.raises(discord.HTTPException, match="1024 or fewer"):
        await channel.send(embed=field)
    modal = {
        "type": 9,
        "data": {
            "title": "t" * 46,
            "custom_id": "m",
            "components": [
                {
                    "type": 1,
                    "components": [
                        {"type": 4, "custom_id": f"c{i}", "label": "l", "value": "v" * 4001}
                    ],
                }
                for i in range(6)
            ],
        },
    }
    errors = form_errors("POST", "/interactions/1/t/callback", modal)["data"]
    assert errors["title"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert "between 1 and 5" in errors["components"]["_errors"][0]["message"]
    value = errors["components"]["0"]["components"]["0"]["value"]["_errors"][0]
    assert value["message"] == "Must be 4000 or fewer in length."
