"""Crisis lines for the right person: how a region is chosen and spelled, and which lines show.

Through the real parts: the shipped resources.yaml, the engine, the real bot against the fake
Discord, and the real CLI as a subprocess.
"""

from __future__ import annotations

import json

import pytest

from bot.core.engine import AskContext, Engine
from bot.core.reply import CrisisType, Resource
from bot.core.resources import HINT_NAME, UnknownRegion
from bot.knowledge.loader import LoadedKnowledge
from bot.knowledge.resources_yaml import parse_resources
from bot.knowledge.yamlsource import parse_yaml
from tests.conftest import RunCli
from tests.discord_harness import Harness, embed_text
from tests.fake_discord import slash_command

MANAGE_GUILD = str(1 << 5)
NO_LOCALE = {"LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "FAQBOT_MODEL": "off"}


def names(resources: tuple[Resource, ...]) -> list[str]:
    return [r.name for r in resources]


# --- spelling: one parser for the terminal and Discord ---------------------------------------


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("en_GB", "GB"),
        ("en-gb", "GB"),
        ("EN-GB", "GB"),
        ("uk", "GB"),  # typed, uk means the United Kingdom (Discord's `uk` locale is Ukrainian)
        ("gb", "GB"),
        ("GB", "GB"),
        ("en_GB.UTF-8", "GB"),
        ("de_DE@euro", "DE"),
        ("United Kingdom", "GB"),
        ("au", "AU"),
        ("ca", "CA"),
        ("ie", "IE"),
        ("nz", "NZ"),
        ("us", "US"),
        ("usa", "US"),
        ("de", "DE"),
        ("en_AU.UTF-8", "AU"),
        ("hi", "IN"),
        ("pt-BR", "BR"),
        (" Es ", "ES"),
        ("ja", "INTL"),
        ("intl", "INTL"),
    ],
)
def test_common_spellings_resolve(loaded: LoadedKnowledge, spelling: str, code: str) -> None:
    region = loaded.resources.lookup(spelling)
    assert region is not None and region.code == code


@pytest.mark.parametrize("spelling", ["", "C", "C.UTF-8", "POSIX", "de_AT", "sw", "en"])
def test_well_formed_but_no_lines_here_is_none(loaded: LoadedKnowledge, spelling: str) -> None:
    assert loaded.resources.lookup(spelling) is None


@pytest.mark.parametrize("spelling", ["klingon", "12", "en_GB_x", "g b", "<@123>"])
def test_nonsense_is_an_error_that_lists_the_regions(
    loaded: LoadedKnowledge, spelling: str
) -> None:
    with pytest.raises(UnknownRegion, match="AU, BR, CA"):
        loaded.resources.lookup(spelling)


# --- choosing: the member's language only when it names a country -----------------------------


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        # Discord's default English guesses nothing: the server's region wins.
        ({"member_locale": "en-US", "server_region": "AU"}, "AU"),
        ({"member_locale": "en-GB", "server_region": "IE"}, "IE"),
        ({"member_locale": "fr", "server_region": "CA"}, "CA"),
        ({"member_locale": "es-419", "server_region": "US"}, "US"),
        # ...and so does the deployment's FAQBOT_REGION.
        ({"member_locale": "en-US", "default_region": "NZ"}, "NZ"),
        # With nothing else, the guess is better than nothing.
        ({"member_locale": "en-US"}, "US"),
        ({"member_locale": "fr"}, "FR"),
        ({"member_locale": "es-419"}, "INTL"),
        # A language that names one country outranks the server's setting.
        ({"member_locale": "pt-BR", "server_region": "US"}, "BR"),
        ({"member_locale": "hi", "server_region": "GB"}, "IN"),
        # ...also one whose country has no lines here: directories beat another country's.
        ({"member_locale": "ja", "server_region": "AU"}, "INTL"),
        # The server's own setting outranks its language; its language outranks the deployment.
        ({"guild_locale": "de", "server_region": "GB"}, "GB"),
        ({"guild_locale": "de", "default_region": "US"}, "DE"),
        ({"guild_locale": "en-US", "default_region": "AU"}, "AU"),
        # What the person chose for this reply outranks everything.
        ({"chosen": "gb", "member_locale": "hi", "server_region": "AU"}, "GB"),
        # A broken setting never breaks a reply.
        ({"server_region": "???"}, "INTL"),
    ],
)
def test_region_is_chosen_by_the_documented_order(
    loaded: LoadedKnowledge, kwargs: dict[str, str], code: str
) -> None:
    assert loaded.resources.choose(**kwargs).code == code


# --- the lines a reply shows --------------------------------------------------------------------


@pytest.mark.parametrize(("region", "line"), [("CA", "Kids Help Phone"), ("GB", "Childline")])
def test_a_young_persons_self_harm_reply_shows_the_youth_line(
    engine: Engine, region: str, line: str
) -> None:
    reply = engine.answer("i want to kill myself", AskContext(chosen_region=region))
    assert reply.is_crisis and any(line in name for name in names(reply.resources))
    abuse = engine.answer("my dad hits me every night", AskContext(chosen_region=region))
    assert any(line in name for name in names(abuse.resources))


@pytest.mark.parametrize(("region", "number"), [("AU", "13 11 26"), ("CA", "1-844-764-7669")])
def test_poison_lines_outside_the_us(engine: Engine, region: str, number: str) -> None:
    reply = engine.answer(
        "my friend took a load of pills and wont wake up", AskContext(chosen_region=region)
    )
    assert reply.crisis is CrisisType.MEDICAL_EMERGENCY
    assert any(number in r.reach for r in reply.resources)


def test_us_lines_for_veterans_and_in_spanish(engine: Engine) -> None:
    reply = engine.resources_reply(AskContext(locale="en-US"))
    reaches = " ".join(r.reach for r in reply.resources)
    assert "press 1" in reaches and "838255" in reaches and "AYUDA" in reaches


def test_canada_main_line_is_988_not_the_retired_number(loaded: LoadedKnowledge) -> None:
    ca = loaded.resources.regions["CA"]
    assert "988" in ca.of_kinds(["crisis"])[0].reach
    assert not any("833-456-4566" in line.reach for line in ca.lines)


def test_with_no_region_a_crisis_reply_ends_with_how_to_choose(engine: Engine) -> None:
    hint = "add --locale CODE"
    reply = engine.answer("i want to die", AskContext(region_hint=hint))
    assert reply.region == "INTL"
    assert names(reply.resources)[-1] == HINT_NAME and reply.resources[-1].reach == hint
    assert any(r.url == "https://findahelpline.com" for r in reply.resources)
    # With a region known, a crisis reply stays short: no hint.
    known = engine.answer("i want to die", AskContext(chosen_region="AU", region_hint=hint))
    assert HINT_NAME not in names(known.resources)


def test_a_line_can_have_several_kinds_and_bad_kinds_are_named(loaded: LoadedKnowledge) -> None:
    text = """
regions:
  XX:
    name: Testland
    emergency: "112"
    lines:
      - {name: Youth line, kind: [crisis, abuse], reach: call 1, source: "https://example.org/a"}
      - {name: Odd line, kind: [crisis, gossip], reach: call 2}
      - {name: Unchecked, kind: crisis, reach: call 3, source: "http://example.org"}
locales: {en-US: XX}
ambiguous_locales: [en-GB]
fallback_region: XX
"""
    directory, problems = parse_resources(parse_yaml(text, "resources.yaml"))
    assert directory is None
    fields = {p.field for p in problems}
    assert {"regions.XX.lines[1].kind", "regions.XX.lines[2].source", "ambiguous_locales"} <= fields


# --- Discord: the real bot against the fake Discord -----------------------------------------------


async def test_en_us_member_in_a_server_set_to_au_gets_australian_lines(
    discord_bot: Harness,
) -> None:
    option = [{"type": 3, "name": "code", "value": "AU"}]
    await discord_bot.send(
        slash_command("config", option, subcommand="region", permissions=MANAGE_GUILD)
    )
    crisis = embed_text(await discord_bot.ask("i want to die", locale="en-US"))
    assert "000" in crisis and "Lifeline" in crisis and "988" not in crisis
    lines = embed_text(await discord_bot.send(slash_command("resources", locale="en-US")))
    assert "13 11 14" in lines and "911" not in lines


async def test_resources_region_option_is_for_that_reply_only(discord_bot: Harness) -> None:
    option = [{"type": 3, "name": "region", "value": "GB"}]
    chosen = await discord_bot.send(slash_command("resources", option, locale="en-US"))
    assert "Samaritans" in embed_text(chosen) and chosen["data"]["flags"] == 64
    typed = [{"type": 3, "name": "region", "value": "uk"}]
    assert "Samaritans" in embed_text(await discord_bot.send(slash_command("resources", typed)))
    again = embed_text(await discord_bot.send(slash_command("resources", locale="en-US")))
    assert "988" in again and "Samaritans" not in again  # nothing was stored


async def test_resources_region_nonsense_lists_the_regions(discord_bot: Harness) -> None:
    option = [{"type": 3, "name": "region", "value": "klingon"}]
    body = await discord_bot.send(slash_command("resources", option))
    text = body["data"]["content"]
    assert "AU" in text and "https://findahelpline.com" in text and body["data"]["flags"] == 64


async def test_resources_region_autocomplete_lists_regions(discord_bot: Harness) -> None:
    typed = [{"type": 3, "name": "region", "value": "aus", "focused": True}]
    body = await discord_bot.send(slash_command("resources", typed, interaction_type=4))
    assert body["type"] == 8
    assert body["data"]["choices"] == [{"name": "Australia (AU)", "value": "AU"}]
    empty = [{"type": 3, "name": "region", "value": "", "focused": True}]
    choices = (await discord_bot.send(slash_command("resources", empty, interaction_type=4)))[
        "data"
    ]["choices"]
    assert {"name": "United Kingdom (GB)", "value": "GB"} in choices and len(choices) <= 25


# --- the terminal: the real CLI -------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["en_GB", "uk"])
def test_cli_locale_spellings(run_cli: RunCli, spelling: str) -> None:
    result = run_cli("ask", "--json", "i want to die", "--locale", spelling, env=NO_LOCALE)
    assert result.returncode == 0, result.stderr
    assert "Samaritans" in json.loads(result.stdout)["text"]


def test_cli_falls_back_to_the_system_locale(run_cli: RunCli) -> None:
    env = {**NO_LOCALE, "LANG": "en_AU.UTF-8"}
    result = run_cli("chat", input="i want to die\n/quit\n", env=env)
    assert "Crisis lines: Australia (from LANG=en_AU.UTF-8)" in result.stdout
    assert "13 11 14" in result.stdout and "988" not in result.stdout
    # LC_ALL outranks LANG, as in every POSIX program.
    env = {**NO_LOCALE, "LANG": "en_AU.UTF-8", "LC_ALL": "en_NZ.UTF-8"}
    assert "1737" in run_cli("ask", "i want to die", env=env).stdout


def test_cli_with_no_region_says_so_once_and_shows_the_directories(run_cli: RunCli) -> None:
    result = run_cli("chat", input="i want to die\n/quit\n", env={**NO_LOCALE, "LANG": "C.UTF-8"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("I don't know your country") == 1
    assert "--locale CODE" in result.stdout and "FAQBOT_LOCALE" in result.stdout
    assert "https://findahelpline.com" in result.stdout
    assert "search by country online" not in result.stdout
    assert f"{HINT_NAME}: add --locale CODE" in result.stdout  # in the crisis reply itself


def test_cli_nonsense_locale_is_one_line_and_exit_2(run_cli: RunCli) -> None:
    result = run_cli("ask", "hi", "--locale", "klingon", env=NO_LOCALE)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'klingon' is not a region or locale" in result.stderr and "GB" in result.stderr
    env = {**NO_LOCALE, "FAQBOT_LOCALE": "klingon"}
    assert run_cli("ask", "hi", env=env).returncode == 2


@pytest.mark.parametrize("typed", ["uk", "United Kingdom", "en-GB"])
async def test_config_region_takes_the_spellings_people_use(
    discord_bot: Harness, typed: str
) -> None:
    option = [{"type": 3, "name": "code", "value": typed}]
    done = await discord_bot.send(
        slash_command("config", option, subcommand="region", permissions=MANAGE_GUILD)
    )
    assert "GB" in str(done["data"])
    crisis = embed_text(await discord_bot.ask("i want to die", locale="en-US"))
    assert "Samaritans" in crisis and "988" not in crisis


async def test_config_region_nonsense_changes_nothing(discord_bot: Harness) -> None:
    option = [{"type": 3, "name": "code", "value": "narnia"}]
    done = await discord_bot.send(
        slash_command("config", option, subcommand="region", permissions=MANAGE_GUILD)
    )
    assert "Not changed" in done["data"]["content"]
