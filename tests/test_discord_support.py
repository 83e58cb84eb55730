"""Support servers, end to end: the real client against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import sqlite3
import time
from pathlib import Path
from typing import Any

from bot.core.gaps import group_gaps
from tests.discord_harness import (
    Harness,
    button,
    embed_text,
    eventually,
    running_bot,
    votes,
)
from tests.fake_discord import (
    ALERT_CHANNEL_ID,
    APPLICATION_ID,
    BOT_USER_ID,
    CHANNEL_ID,
    FORUM_CHANNEL_ID,
    GUILD_ID,
    HELPER_ROLE_ID,
    MESSAGE_CONTENT_INTENT,
    MOD_LOG_CHANNEL_ID,
    MODERATOR_ROLE_ID,
    FakeDiscord,
    Recorded,
    member_message,
    slash_command,
    snowflake,
    thread_payload,
)

MANAGE_GUILD = str(1 << 5)
MEMBER = "1700000000000000001"
QUIET_SECONDS = 1.0  # how long "the bot said nothing" is watched for


def config_command(
    sub: str, options: list[dict[str, Any]] | None = None, **kw: Any
) -> dict[str, Any]:
    """A /config subcommand, from someone with Manage Server unless `permissions` says not."""
    kw.setdefault("permissions", MANAGE_GUILD)
    return slash_command("config", options or [], subcommand=sub, **kw)


async def configure(bot: Harness, **settings: Any) -> None:
    await bot.bot.runtime.store.set_guild_config(GUILD_ID, "test", **settings)


async def configure_helpers_and_alerts(bot: Harness) -> None:
    """A watched help channel, a crisis-alert channel and a helper role."""
    await configure(
        bot,
        watched_channels=[int(CHANNEL_ID)],
        alert_channel=int(ALERT_CHANNEL_ID),
        helper_role=int(HELPER_ROLE_ID),
    )


def posts_in(bot: Harness, channel_id: str, start: int = 0) -> list[Recorded]:
    return [
        r
        for r in bot.fake.requests[start:]
        if r.method == "POST" and r.path == f"/channels/{channel_id}/messages"
    ]


async def next_post(bot: Harness, channel_id: str, start: int) -> Recorded:
    path = f"/channels/{channel_id}/messages"
    return await bot.fake.wait_for_request(
        lambda r: r.method == "POST" and r.path == path, start=start
    )


async def forum_post(
    bot: Harness, text: str, user: str = MEMBER, title: str = "Question"
) -> tuple[str, int]:
    """A new post in the watched forum: THREAD_CREATE, then its starter message."""
    thread_id = snowflake()
    start = len(bot.fake.requests)
    await bot.fake.dispatch("THREAD_CREATE", thread_payload(thread_id, FORUM_CHANNEL_ID, title))
    await bot.fake.dispatch(
        "MESSAGE_CREATE", member_message(text, thread_id, message_id=thread_id, user_id=user)
    )
    return thread_id, start


def pings(body: dict[str, Any]) -> dict[str, Any]:
    """Who a message may ping (snowflakes as strings: Discord takes either)."""
    allowed = dict(body["allowed_mentions"])
    if "roles" in allowed:
        allowed["roles"] = [str(r) for r in allowed["roles"]]
    return allowed


def components(body: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in body.get("components", []) for c in row["components"]]


def faq_gaps() -> dict[str, Any]:
    return slash_command("faq", subcommand="gaps", permissions=MANAGE_GUILD)


async def followup(bot: Harness, payload: dict[str, Any], start: int | None = None) -> Any:
    """The follow-up message to an interaction (after "thinking"), sent first if `start` is None."""
    if start is None:
        start = len(bot.fake.requests)
        await bot.send(payload)
    path = f"/webhooks/{APPLICATION_ID}/{payload['token']}"
    found = await bot.fake.wait_for_request(
        lambda r: r.method == "POST" and r.path.startswith(path), start=start
    )
    return found.body


async def test_config_watch_and_show(discord_bot: Harness) -> None:
    forum = {
        FORUM_CHANNEL_ID: {
            "id": FORUM_CHANNEL_ID,
            "type": 15,
            "name": "ask-for-help",
            "permissions": "0",
        }
    }
    body = await discord_bot.send(
        config_command(
            "watch",
            [{"type": 7, "name": "channel", "value": FORUM_CHANNEL_ID}],
            resolved={"channels": forum},
        )
    )
    assert "posts in the forum" in body["data"]["content"]
    refused = await discord_bot.send(config_command("show", permissions="0"))
    assert "only members with Manage Server" in refused["data"]["content"]
    shown = await discord_bot.send(config_command("show"))
    text = shown["data"]["embeds"][0]["description"]
    assert f"<#{FORUM_CHANNEL_ID}>" in text and "a second moderator must approve" in text
    assert "30 days" in text


async def test_every_settings_change_is_posted_to_the_mod_log(discord_bot: Harness) -> None:
    """Turning crisis alerts off, or the mod-log itself, cannot happen unseen by other mods."""
    await configure(discord_bot, mod_log_channel=int(MOD_LOG_CHANNEL_ID))
    start = len(discord_bot.fake.requests)
    done = await discord_bot.send(
        config_command("alerts", [{"type": 5, "name": "enabled", "value": False}], user_id=MEMBER)
    )
    assert "crisis alerts are off" in done["data"]["content"]
    logged = await next_post(discord_bot, MOD_LOG_CHANNEL_ID, start)
    assert f"<@{MEMBER}> changed a setting: crisis alerts are off" in logged.body["content"]
    assert logged.body["allowed_mentions"] == {"parse": []}
    # Switching the mod-log off is announced in the channel it leaves.
    start = len(discord_bot.fake.requests)
    await discord_bot.send(config_command("modlog", user_id=MEMBER))
    logged = await next_post(discord_bot, MOD_LOG_CHANNEL_ID, start)
    assert "changed a setting: mod-log is off" in logged.body["content"]
    # After that there is nowhere to post, and nothing is.
    start = len(discord_bot.fake.requests)
    score = {"type": 10, "name": "score", "value": 80}
    await discord_bot.send(config_command("threshold", [score]))
    await asyncio.sleep(QUIET_SECONDS)
    assert posts_in(discord_bot, MOD_LOG_CHANNEL_ID, start) == []


async def test_a_forum_post_is_answered_once_in_its_thread(discord_bot: Harness) -> None:
    await configure(discord_bot, watched_channels=[int(FORUM_CHANNEL_ID)])
    thread_id, start = await forum_post(discord_bot, "is kratom addictive? i use it daily")
    answer = await next_post(discord_bot, thread_id, start)
    body = answer.body
    assert body["embeds"][0]["title"] == "Is kratom addictive?"
    assert body["allowed_mentions"]["parse"] == [] and body["message_reference"]["message_id"]
    assert components(body)[:2] == ["faq:yes:kratom-dependence", "faq:no:kratom-dependence"]
    assert "Did this answer your question?" in str(body["embeds"][0]["fields"])
    assert "daily" not in str(body)  # the member's words are never quoted
    # More messages in the same post: the bot has answered this thread already.
    later = len(discord_bot.fake.requests)
    await discord_bot.fake.dispatch(
        "MESSAGE_CREATE", member_message("does kratom show up on a drug test", thread_id)
    )
    await asyncio.sleep(QUIET_SECONDS)
    assert posts_in(discord_bot, thread_id, later) == []


async def test_chatter_bots_and_staff_are_ignored(discord_bot: Harness) -> None:
    await configure(
        discord_bot, watched_channels=[int(CHANNEL_ID)], moderator_role=int(MODERATOR_ROLE_ID)
    )
    start = len(discord_bot.fake.requests)
    for payload in (
        member_message("lol same", CHANNEL_ID),
        member_message("thanks everyone, you're great", CHANNEL_ID),
        member_message("what's everyone doing this weekend?", CHANNEL_ID),
        member_message("is kratom addictive?", CHANNEL_ID, bot=True),
        member_message("is kratom addictive?", CHANNEL_ID, roles=[MODERATOR_ROLE_ID]),
    ):
        await discord_bot.fake.dispatch("MESSAGE_CREATE", payload)
    await asyncio.sleep(QUIET_SECONDS)
    assert posts_in(discord_bot, CHANNEL_ID, start) == []
    # Staff get no FAQ answers, but a crisis is answered whoever writes it.
    await discord_bot.fake.dispatch(
        "MESSAGE_CREATE",
        member_message("honestly i want to die", CHANNEL_ID, roles=[MODERATOR_ROLE_ID]),
    )
    crisis = await next_post(discord_bot, CHANNEL_ID, start)
    assert "988" in crisis.body["embeds"][0]["description"]
    start = len(discord_bot.fake.requests)
    # A clear question from a member in the same channel is answered.
    await discord_bot.fake.dispatch(
        "MESSAGE_CREATE", member_message("can kratom damage your liver?", CHANNEL_ID)
    )
    answer = await next_post(discord_bot, CHANNEL_ID, start)
    assert answer.body["embeds"][0]["title"] == "Can kratom damage your liver?"


async def test_members_messages_are_not_kept_in_memory(discord_bot: Harness) -> None:
    """discord.py's message cache would hold every member's last words; the bot reads none."""
    await configure(discord_bot, watched_channels=[int(CHANNEL_ID)])
    start = len(discord_bot.fake.requests)
    await discord_bot.fake.dispatch(
        "MESSAGE_CREATE", member_message("i've been so low since the assault", "1234")
    )
    await discord_bot.fake.dispatch(
        "MESSAGE_CREATE", member_message("can kratom damage your liver?", CHANNEL_ID)
    )
    await next_post(discord_bot, CHANNEL_ID, start)  # answered, so the message was seen
    assert list(discord_bot.bot.cached_messages) == []


async def test_an_unsure_forum_post_is_handed_to_helpers(discord_bot: Harness) -> None:
    await configure(
        discord_bot, watched_channels=[int(FORUM_CHANNEL_ID)], helper_role=int(HELPER_ROLE_ID)
    )
    thread_id, start = await forum_post(
        discord_bot, "which place in naples is the best", title="Pizza??"
    )
    reply = (await next_post(discord_bot, thread_id, start)).body
    assert "I don't have a vetted answer" in reply["embeds"][0]["description"]
    assert "help:talk:" in components(reply)
    assert await discord_bot.bot.runtime.store.gaps(GUILD_ID) == [
        "Pizza??\nwhich place in naples is the best"
    ]


async def test_a_forum_post_title_is_screened_and_matched_too(discord_bot: Harness) -> None:
    await configure(discord_bot, watched_channels=[int(FORUM_CHANNEL_ID)])
    thread_id, start = await forum_post(discord_bot, "idk who else to ask", title="i want to die")
    crisis = (await next_post(discord_bot, thread_id, start)).body
    assert "988" in crisis["embeds"][0]["description"]
    thread_id, start = await forum_post(
        discord_bot, "asking for a friend", title="Is kratom legal?"
    )
    answer = (await next_post(discord_bot, thread_id, start)).body
    assert answer["embeds"][0]["title"] == "Is kratom legal?"


async def test_unsure_messages_in_a_help_channel_thread_get_silence(discord_bot: Harness) -> None:
    await configure(
        discord_bot, watched_channels=[int(CHANNEL_ID)], helper_role=int(HELPER_ROLE_ID)
    )
    thread_id = snowflake()
    await discord_bot.fake.dispatch("THREAD_CREATE", thread_payload(thread_id, CHANNEL_ID, "chat"))
    start = len(discord_bot.fake.requests)
    await discord_bot.fake.dispatch(
        "MESSAGE_CREATE", member_message("anyone watching the match tonight", thread_id)
    )
    await asyncio.sleep(QUIET_SECONDS)
    assert posts_in(discord_bot, thread_id, start) == []


async def test_talk_to_a_helper_opens_a_private_thread_pinging_only_helpers(
    discord_bot: Harness,
) -> None:
    await configure(discord_bot, helper_role=int(HELPER_ROLE_ID))
    start = len(discord_bot.fake.requests)
    body = await discord_bot.send(button("help:talk:kratom-liver", user_id=MEMBER))
    assert body["type"] == 5  # thinking, then a follow-up
    created = await discord_bot.fake.wait_for_request(
        lambda r: r.method == "POST" and r.path == f"/channels/{CHANNEL_ID}/threads", start=start
    )
    assert created.body["type"] == 12 and created.body["invitable"] is False  # private
    await discord_bot.fake.wait_for_request(
        lambda r: r.method == "PUT" and r.path.endswith(f"/thread-members/{MEMBER}"), start=start
    )
    said = await discord_bot.fake.wait_for_request(
        lambda r: (
            r.method == "POST"
            and r.path.startswith("/channels/")
            and "content" in (r.body or {})
            and "would like to talk" in r.body["content"]
        ),
        start=start,
    )
    assert said.path != f"/channels/{CHANNEL_ID}/messages"  # in the thread, not the channel
    assert pings(said.body) == {"parse": [], "roles": [HELPER_ROLE_ID]}
    assert f"<@&{HELPER_ROLE_ID}>" in said.body["content"]
    assert "Can kratom damage your liver?" in said.body["content"]  # FAQ context, not their words
    # A second press soon after points to the same thread instead of opening another.
    again = await discord_bot.send(button("help:talk:kratom-liver", user_id=MEMBER))
    assert "already have a private thread" in again["data"]["content"]
    threads = [r for r in discord_bot.fake.requests if r.path.endswith("/threads")]
    assert len(threads) == 1


async def test_quick_presses_on_talk_to_a_helper_open_one_thread_and_ping_once(
    discord_bot: Harness,
) -> None:
    await configure(discord_bot, helper_role=int(HELPER_ROLE_ID))
    start = len(discord_bot.fake.requests)
    presses = [button("help:talk:kratom-liver", user_id=MEMBER) for _ in range(5)]
    for press in presses:  # all five arrive before the first thread exists
        await discord_bot.fake.dispatch("INTERACTION_CREATE", press)
    for press in presses:
        path = f"/interactions/{press['id']}/{press['token']}/callback"
        await discord_bot.fake.wait_for_request(lambda r, p=path: r.path == p, start=start)
    await discord_bot.fake.wait_for_request(
        lambda r: "would like to talk" in str((r.body or {}).get("content")), start=start
    )
    await asyncio.sleep(QUIET_SECONDS)
    requests = discord_bot.fake.requests[start:]
    assert len([r for r in requests if r.path.endswith("/threads")]) == 1
    assert (
        len([r for r in requests if "would like to talk" in str((r.body or {}).get("content"))])
        == 1
    )
    told = [str(r.body) for r in requests if r.path.endswith("/callback")]
    assert sum("opening a private thread" in t or "already have" in t for t in told) == 4


async def alerts_after(bot: Harness, start: int, count: int) -> list[dict[str, Any]]:
    """The first `count` posts in the alert channel from request `start` on."""

    async def enough() -> bool:
        return len(posts_in(bot, ALERT_CHANNEL_ID, start)) >= count

    await eventually(enough)
    return [r.body for r in posts_in(bot, ALERT_CHANNEL_ID, start)]


async def test_one_members_repeated_crisis_messages_raise_one_pinging_alert(
    discord_bot: Harness,
) -> None:
    await configure_helpers_and_alerts(discord_bot)
    start = len(discord_bot.fake.requests)
    for number in range(5):
        before = len(discord_bot.fake.requests)
        await discord_bot.fake.dispatch(
            "MESSAGE_CREATE", member_message("i want to end my life tonight", CHANNEL_ID)
        )
        reply = await next_post(discord_bot, CHANNEL_ID, before)
        assert "988" in reply.body["embeds"][0]["description"]  # the lines, every time
        await alerts_after(discord_bot, start, number + 1)
    alerts = await alerts_after(discord_bot, start, 5)
    assert [pings(a) for a in alerts] == [{"parse": [], "roles": [HELPER_ROLE_ID]}] + [
        {"parse": []}
    ] * 4
    assert all(f"<@&{HELPER_ROLE_ID}>" not in a["content"] for a in alerts[1:])
    assert all("Another message from the same member" in a["content"] for a in alerts[1:])
    under = {a["message_reference"]["message_id"] for a in alerts[1:]}
    assert len(under) == 1  # each follows up under the one alert
    assert all("https://discord.com/channels/" in a["content"] for a in alerts)
    assert all("end my life" not in a["content"] for a in alerts)


async def test_a_flood_of_crisis_alerts_pings_helpers_a_bounded_number_of_times(
    discord_bot: Harness,
) -> None:
    from bot.discord_app.features.support import ALERT_PINGS_PER_WINDOW

    await configure_helpers_and_alerts(discord_bot)
    start = len(discord_bot.fake.requests)
    members = [f"17000000000000001{n:02d}" for n in range(ALERT_PINGS_PER_WINDOW + 3)]
    for member in members:
        await discord_bot.fake.dispatch(
            "MESSAGE_CREATE",
            member_message("i want to end my life tonight", CHANNEL_ID, user_id=member),
        )
    alerts = await alerts_after(discord_bot, start, len(members))
    pinged = [a for a in alerts if f"<@&{HELPER_ROLE_ID}>" in a["content"]]
    assert len(pinged) == ALERT_PINGS_PER_WINDOW
    assert all(pings(a) == {"parse": [], "roles": [HELPER_ROLE_ID]} for a in pinged)
    quiet = [a for a in alerts if a not in pinged]
    assert len(quiet) == 3 and all(pings(a) == {"parse": []} for a in quiet)
    assert all("no new ping" in a["content"] for a in quiet)
    assert len(posts_in(discord_bot, CHANNEL_ID, start)) == len(members)  # lines for each


async def test_the_bot_stays_out_of_its_own_helper_threads(discord_bot: Harness) -> None:
    """A private "Talk to a helper" thread under a watched channel is for people: no FAQ
    answers there, though a crisis still gets the lines at once."""
    await configure_helpers_and_alerts(discord_bot)
    start = len(discord_bot.fake.requests)
    await discord_bot.send(button("help:talk:kratom-liver", user_id=MEMBER))
    opened = await discord_bot.fake.wait_for_request(
        lambda r: "would like to talk" in str((r.body or {}).get("content")), start=start
    )
    thread_id = opened.path.split("/")[2]
    await discord_bot.fake.dispatch(  # Discord announces the bot's new private thread
        "THREAD_CREATE",
        thread_payload(thread_id, CHANNEL_ID, "Talk to a helper", kind=12, owner=BOT_USER_ID),
    )
    start = len(discord_bot.fake.requests)
    for said in ("can kratom damage your liver?", "is kratom addictive? i use it daily"):
        await discord_bot.fake.dispatch("MESSAGE_CREATE", member_message(said, thread_id))
    await asyncio.sleep(QUIET_SECONDS)
    assert posts_in(discord_bot, thread_id, start) == []
    await discord_bot.fake.dispatch(
        "MESSAGE_CREATE", member_message("i want to end my life tonight", thread_id)
    )
    crisis = await next_post(discord_bot, thread_id, start)
    assert "988" in crisis.body["embeds"][0]["description"]
    # A member's own thread in the same channel is still answered.
    own = snowflake()
    await discord_bot.fake.dispatch("THREAD_CREATE", thread_payload(own, CHANNEL_ID, "q"))
    await discord_bot.fake.dispatch(
        "MESSAGE_CREATE", member_message("can kratom damage your liver?", own)
    )
    answer = await next_post(discord_bot, own, start)
    assert answer.body["embeds"][0]["title"] == "Can kratom damage your liver?"


async def test_no_on_an_auto_answer_records_the_vote_and_offers_a_helper(
    discord_bot: Harness,
) -> None:
    await configure(discord_bot, helper_role=int(HELPER_ROLE_ID))
    body = await discord_bot.send(button("faq:no:kratom-liver", user_id=MEMBER))
    assert "help:talk:kratom-liver" in components(body["data"])
    assert await votes(discord_bot, "kratom-liver") == (0, 1)


async def test_a_crisis_post_gets_lines_and_alerts_helpers_with_a_link_not_a_quote(
    discord_bot: Harness,
) -> None:
    await configure_helpers_and_alerts(discord_bot)
    start = len(discord_bot.fake.requests)
    said = "i cant do this anymore, i want to end my life tonight. zebulon"
    message = member_message(said, CHANNEL_ID)
    await discord_bot.fake.dispatch("MESSAGE_CREATE", message)
    reply = (await next_post(discord_bot, CHANNEL_ID, start)).body
    assert "988" in reply["embeds"][0]["description"] and not reply.get("components")
    alert = (await next_post(discord_bot, ALERT_CHANNEL_ID, start)).body
    jump = f"https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}/{message['id']}"
    assert jump in alert["content"] and f"<@&{HELPER_ROLE_ID}>" in alert["content"]
    assert "zebulon" not in alert["content"] and "end my life" not in alert["content"]
    assert pings(alert) == {"parse": [], "roles": [HELPER_ROLE_ID]}
    assert await discord_bot.bot.runtime.store.gaps(GUILD_ID) == []  # crisis text is never kept
    # Alerts can be switched off; the member still gets the crisis lines.
    await configure(discord_bot, crisis_alerts=False)
    later = len(discord_bot.fake.requests)
    await discord_bot.fake.dispatch("MESSAGE_CREATE", member_message(said, CHANNEL_ID))
    await next_post(discord_bot, CHANNEL_ID, later)
    await asyncio.sleep(QUIET_SECONDS)
    assert posts_in(discord_bot, ALERT_CHANNEL_ID, later) == []


async def test_a_possible_crisis_post_gets_a_check_in_with_lines_but_no_alert(
    discord_bot: Harness,
) -> None:
    await configure_helpers_and_alerts(discord_bot)
    start = len(discord_bot.fake.requests)
    said = "i was suicidal back in 2019 and therapy helped a lot. how do i find a good therapist"
    await discord_bot.fake.dispatch("MESSAGE_CREATE", member_message(said, CHANNEL_ID))
    reply = (await next_post(discord_bot, CHANNEL_ID, start)).body
    assert "Before the answer" in reply["embeds"][0]["description"]
    assert "988" in str(reply["embeds"][0])
    await asyncio.sleep(QUIET_SECONDS)
    assert posts_in(discord_bot, ALERT_CHANNEL_ID, start) == []


async def test_without_message_content_the_bot_says_so_and_slash_commands_work(
    tmp_path: Path, caplog: Any
) -> None:
    fake = FakeDiscord(allow_message_content=False)
    async with running_bot(tmp_path, fake=fake) as harness:
        assert harness.bot.message_content is False
        assert fake.identifies[0] & MESSAGE_CONTENT_INTENT
        assert not fake.identifies[-1] & MESSAGE_CONTENT_INTENT
        assert "Message Content intent" in caplog.text and "auto-answers" in caplog.text
        body = await harness.ask("what is kratom")
        assert body["data"]["embeds"][0]["title"] == "What is kratom?"


async def test_gaps_group_unanswered_questions_for_moderators(discord_bot: Harness) -> None:
    unanswerable = (
        "where can i buy a weighted blanket",
        "what's the best pizza in naples",
        "best weighted blanket to buy?",
        "weighted blanket recommendations to buy please",
    )
    for question in unanswerable:
        await discord_bot.ask(question)
    await discord_bot.ask("is kratom addictive")  # answered: not a gap
    store = discord_bot.bot.runtime.store

    async def all_recorded() -> bool:
        return len(await store.gaps(GUILD_ID)) >= len(unanswerable)

    await eventually(all_recorded)
    assert await store.gaps(GUILD_ID) == list(unanswerable)
    text = embed_text({"data": await followup(discord_bot, faq_gaps())})
    assert "(**3×**)" in text and "pizza" in text and text.index("3×") < text.index("pizza")
    refused = await discord_bot.send(slash_command("faq", subcommand="gaps"))
    assert "only this server's FAQ moderators" in refused["data"]["content"]


def held_group_gaps(flags: Path, *args: Any) -> Any:
    """`group_gaps`, started and then held until the test lets it go (on the event loop, as the
    old code ran it, this held every member up)."""
    (flags / "grouping").touch()
    deadline = time.monotonic() + 60
    while not (flags / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return group_gaps(*args)


async def test_gaps_with_thousands_stored_answers_while_others_are_answered(
    discord_bot: Harness, monkeypatch: Any, tmp_path: Path
) -> None:
    """/faq gaps defers, then groups off the event loop: another member's /ask is answered
    while the grouping is still running (held open here until that answer has arrived)."""
    from bot.core.gaps import MAX_GROUPED
    from bot.discord_app.features import insights

    store = discord_bot.bot.runtime.store
    stored = 3000
    async with store.transaction():
        await store.db.executemany(
            "INSERT INTO gaps (guild_id, text, at) VALUES (?, ?, '2026-11-25T00:00:00+00:00')",
            [
                (GUILD_ID, f"where can i buy a weighted blanket size {i % 40}")
                for i in range(stored)
            ],
        )
    # The grouping runs in the runtime's worker process: held there by files, not events.
    monkeypatch.setattr(insights, "group_gaps", functools.partial(held_group_gaps, tmp_path))
    payload = faq_gaps()
    start = len(discord_bot.fake.requests)
    first = await discord_bot.send(payload)
    assert first["type"] == 5 and first["data"]["flags"] & 64  # "thinking", privately

    async def grouping() -> bool:
        return (tmp_path / "grouping").exists()

    await eventually(grouping)
    asked = await discord_bot.ask("is kratom addictive")  # another member, mid-grouping
    assert asked["data"]["embeds"][0]["title"] == "Is kratom addictive?"
    (tmp_path / "release").touch()
    shown = await followup(discord_bot, payload, start)
    embed = shown["embeds"][0]
    assert f"({stored} in all)" in embed["title"]
    assert f"the most recent {MAX_GROUPED}" in embed["footer"]["text"]
    assert f"(**{MAX_GROUPED}×**)" in embed["description"]
    assert shown["flags"] & 64 and shown["allowed_mentions"] == {"parse": []}


async def test_privacy_forget_deletes_every_row_that_names_the_member(
    discord_bot: Harness, tmp_path: Path
) -> None:
    await discord_bot.send(button("faq:up:kratom-liver", user_id=MEMBER))
    await discord_bot.send(button("faq:no:kratom-legal", user_id=MEMBER))
    await discord_bot.ask("what's the best pizza in naples", user_id=MEMBER)
    shown = await discord_bot.send(slash_command("privacy", subcommand="show", user_id=MEMBER))
    assert "`kratom-liver`" in embed_text(shown) and "`kratom-legal`" in embed_text(shown)
    done = await discord_bot.send(slash_command("privacy", subcommand="forget", user_id=MEMBER))
    assert "deleted 2" in done["data"]["content"]
    with sqlite3.connect(tmp_path / "bot.db") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f"SELECT * FROM {table}"):
                assert MEMBER not in " ".join(map(str, row)), (table, row)
    assert await discord_bot.bot.runtime.store.gaps(GUILD_ID)  # the unattributed text remains


async def test_retention_purge_deletes_old_unanswered_questions(discord_bot: Harness) -> None:
    store = discord_bot.bot.runtime.store
    await configure(discord_bot, retention_days=7)
    await store.record_gap(GUILD_ID, "asked today")
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=8)).isoformat(timespec="seconds")
    async with store.transaction():
        await store.db.execute(
            "INSERT INTO gaps (guild_id, text, at) VALUES (?, ?, ?)",
            (GUILD_ID, "asked last week", old),
        )
    assert await store.purge_expired() == 1
    assert await store.gaps(GUILD_ID) == ["asked today"]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    assert await store.purge_expired(later) == 1 and await store.gaps(GUILD_ID) == []
    # Answered-thread ids go too, even in a server with no unanswered questions.
    assert await store.claim_answer("999", "thread-1")
    await store.purge_expired(later + dt.timedelta(days=31))
    assert await store.claim_answer("999", "thread-1")  # forgotten, so claimable again


async def test_stats_show_use_and_helpfulness_per_entry(discord_bot: Harness) -> None:
    for _ in range(2):
        await discord_bot.ask("can kratom damage your liver")
    await discord_bot.send(button("faq:up:kratom-liver", user_id=MEMBER))
    await discord_bot.send(button("faq:down:kratom-liver", user_id="1700000000000000002"))
    store = discord_bot.bot.runtime.store

    async def both_counted() -> bool:
        return any(row[:2] == ("kratom-liver", 2) for row in await store.entry_stats(GUILD_ID))

    await eventually(both_counted)
    body = await discord_bot.send(
        slash_command("faq", subcommand="stats", permissions=MANAGE_GUILD)
    )
    first = embed_text(body).splitlines()[1]
    assert first == "`kratom-liver`: 2 answer(s) here · 50% helpful of 2 vote(s)"


async def test_the_retention_purge_runs_while_the_bot_runs(tmp_path: Path) -> None:
    from bot.knowledge.store import KnowledgeStore

    async with await KnowledgeStore.open(tmp_path / "bot.db") as store:
        old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=31)).isoformat(timespec="seconds")
        async with store.transaction():
            await store.db.execute(
                "INSERT INTO gaps (guild_id, text, at) VALUES (?, ?, ?)", (GUILD_ID, "old", old)
            )
    async with running_bot(tmp_path) as harness:
        store = harness.bot.runtime.store
        for _ in range(50):  # the purge's first pass runs at start
            if not await store.gaps(GUILD_ID):
                break
            await asyncio.sleep(0.1)
        assert await store.gaps(GUILD_ID) == []
