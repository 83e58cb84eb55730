"""'Answer from FAQ' and 'Share here': who may post publicly, how often, and crisis handling."""

from __future__ import annotations

from typing import Any

from bot.discord_app.features.member import SHARES_RATE
from bot.discord_app.features.support import MENU_POSTS_RATE
from tests.discord_harness import Harness, button, embed_text
from tests.fake_discord import (
    ALERT_CHANNEL_ID,
    CHANNEL_ID,
    GUILD_ID,
    HELPER_ROLE_ID,
    member_user,
    message,
    message_command,
)
from tests.test_discord_support import alerts_after, configure_helpers_and_alerts, pings, posts_in

MANAGE_MESSAGES = str(1 << 13)
AUTHOR = "1700000000000000042"  # the member whose message the menu is used on
HELPER = "1500000000000000007"


def answer_from_faq(said: str, **kw: Any) -> tuple[dict[str, Any], str]:
    """'Answer from FAQ' on a message by AUTHOR that says `said`; and that message's id."""
    target = message({"content": said}, author=member_user(AUTHOR))
    return message_command("Answer from FAQ", target, **kw), target["id"]


def ephemeral(body: dict[str, Any]) -> bool:
    return bool(body["data"].get("flags", 0) & 64)


async def test_on_a_crisis_the_user_is_told_privately_and_helpers_are_alerted(
    discord_bot: Harness,
) -> None:
    await configure_helpers_and_alerts(discord_bot)
    start = len(discord_bot.fake.requests)
    said = "i want to end my life tonight, nobody would notice. zebulon"
    payload, target = answer_from_faq(said, user_id=HELPER, roles=[HELPER_ROLE_ID])
    body = await discord_bot.send(payload)
    assert ephemeral(body) and "988" in embed_text(body)
    note = body["data"]["content"]
    assert "suicide or self-harm" in note and "never public" in note
    assert f"alerted the helpers in <#{ALERT_CHANNEL_ID}>" in note
    [alert] = await alerts_after(discord_bot, start, 1)
    assert f"https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}/{target}" in alert["content"]
    assert f"<@&{HELPER_ROLE_ID}>" in alert["content"] and f"<@{HELPER}>" in alert["content"]
    assert pings(alert) == {"parse": [], "roles": [HELPER_ROLE_ID]}  # the flagger isn't pinged
    assert "zebulon" not in str(alert) and "end my life" not in str(alert)
    assert posts_in(discord_bot, CHANNEL_ID, start) == []  # nothing public under the message
    # The same member again soon after: one alert, followed up without a new ping.
    again, _ = answer_from_faq(said, user_id=HELPER, roles=[HELPER_ROLE_ID])
    assert ephemeral(await discord_bot.send(again))
    followed = (await alerts_after(discord_bot, start, 2))[1]
    assert pings(followed) == {"parse": []} and "Another message" in followed["content"]


async def test_without_alerts_the_user_is_asked_to_make_sure_someone_reaches_out(
    discord_bot: Harness,
) -> None:
    payload, _ = answer_from_faq("i want to kill myself tonight", permissions=MANAGE_MESSAGES)
    body = await discord_bot.send(payload)
    assert ephemeral(body) and "no crisis alerts set up" in body["data"]["content"]


async def test_only_staff_may_post_answers_with_it(discord_bot: Harness) -> None:
    await configure_helpers_and_alerts(discord_bot)
    said = "does kratom show up on a drug test? asking for my cousin zebulon"
    refused = await discord_bot.send(answer_from_faq(said)[0])  # a member, no role
    assert ephemeral(refused) and "Only this server's helpers and moderators" in str(refused)
    assert "embeds" not in refused["data"] or not refused["data"]["embeds"]
    for staff in ({"roles": [HELPER_ROLE_ID]}, {"permissions": MANAGE_MESSAGES}):
        body = await discord_bot.send(answer_from_faq(said, **staff)[0])
        assert not ephemeral(body), staff
        assert body["data"]["embeds"][0]["title"] == "Does kratom show up on a drug test?"
        assert "zebulon" not in str(body)
    # A member (not staff) on a crisis message still gets the lines, privately.
    crisis = await discord_bot.send(answer_from_faq("i want to kill myself tonight")[0])
    assert ephemeral(crisis) and "988" in embed_text(crisis)


async def test_posting_answers_with_it_is_limited_politely(discord_bot: Harness) -> None:
    said = "can kratom damage your liver?"
    for _ in range(MENU_POSTS_RATE):
        body = await discord_bot.send(
            answer_from_faq(said, user_id=HELPER, permissions=MANAGE_MESSAGES)[0]
        )
        assert not ephemeral(body)
    limited = await discord_bot.send(
        answer_from_faq(said, user_id=HELPER, permissions=MANAGE_MESSAGES)[0]
    )
    assert ephemeral(limited) and "please wait" in limited["data"]["content"]
    other = await discord_bot.send(answer_from_faq(said, permissions=MANAGE_MESSAGES)[0])
    assert not ephemeral(other)  # per member: another helper still can


async def test_share_here_is_limited_politely(discord_bot: Harness) -> None:
    for _ in range(SHARES_RATE):
        body = await discord_bot.send(button("faq:share:kratom-liver"))
        assert not ephemeral(body) and body["data"]["embeds"][0]["title"]
    limited = await discord_bot.send(button("faq:share:kratom-liver"))
    assert ephemeral(limited) and "please wait" in limited["data"]["content"]
    assert limited["data"]["allowed_mentions"] == {"parse": []}
    other = await discord_bot.send(button("faq:share:kratom-liver", user_id=HELPER))
    assert not ephemeral(other)


async def test_the_menu_is_offered_to_staff_in_servers_only(discord_bot: Harness) -> None:
    tree = discord_bot.bot.tree
    payloads = [command.to_dict(tree) for command in tree.get_commands()]
    menu = next(p for p in payloads if p["name"] == "Answer from FAQ")
    assert int(menu["default_member_permissions"]) == 1 << 13  # Manage Messages
    assert menu.get("contexts") == [0] or menu.get("dm_permission") is False
