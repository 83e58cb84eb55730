"""Hostile input everywhere text comes in: questions, moderator forms, imports, server settings.

Huge inputs, zalgo, RTL overrides, zero-width characters, markdown and masked links, mention
injection, YAML bombs, SQL metacharacters. Nothing crashes, nothing pings, nothing unvetted
goes live.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.engine import AskContext, Engine
from bot.core.text import MAX_ANALYSED_CHARS
from bot.discord_app.render import FIELD_LIMIT, render_reply
from bot.discord_app.runner import quiet_loggers_that_log_content
from bot.knowledge.content_rules import content_problems
from bot.knowledge.form import EditForm
from bot.knowledge.guild_config import GuildConfig
from bot.knowledge.loader import LoadedKnowledge
from bot.knowledge.moderation import FormInvalid, Moderation
from bot.knowledge.schema import MASKED_LINK, MENTION_PATTERN, is_https_url
from bot.knowledge.store import KnowledgeStore
from bot.knowledge.yamlsource import KnowledgeError
from tests.discord_harness import embed_size

FRAGMENTS = [
    "@everyone",
    "@here",
    "<@&1250000000000000001>",
    "<@!1600000000000000001>",
    "<@1600000000000000001>",
    "<#1300000000000000001>",
    "@\u200beveryone",
    "\u202e",  # right-to-left override
    "\u200b\u200c\u200d\u2060\ufeff",  # zero-width
    "a̸̢̛̗͎̱̖̳͙̤̻̿͂̈́̇͂̔͛̓̚͝",  # zalgo
    "[NIDA](https://evil.example/phish)",
    "[click](<javascript:alert(1)>)",
    "```",
    "**bold** __u__ ~~s~~ ||spoiler|| # heading\n> quote",
    "'; DROP TABLE revisions; --",
    '" OR 1=1 --',
    "%s %d {0} ${x}",
    "\x00\x1b[31m",
    "kratom",
    "how much kratom",
    "i want to die",
    " https://nida.nih.gov/research-topics/kratom ",
    "\n",
    "|",
    ",",
]
HOSTILE = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40).map("".join),
    st.tuples(st.sampled_from(FRAGMENTS), st.integers(100, 2500)).map(lambda t: t[0] * t[1]),
)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def pings(text: str) -> bool:
    return bool(MENTION_PATTERN.search(text))


@SETTINGS
@given(question=HOSTILE)
def test_no_question_can_make_a_discord_reply_ping_break_limits_or_echo(
    engine: Engine, question: str
) -> None:
    reply = engine.answer(question, AskContext(locale="en-US", helper_hint="Talk to a helper."))
    for auto_answer in (False, True):
        message = render_reply(reply, ephemeral=False, auto_answer=auto_answer, helpers=True)
        rendered = json.dumps(message.embed, ensure_ascii=False)
        assert not pings(rendered)
        assert embed_size(message.embed) <= 6000
        assert all(len(f["value"]) <= FIELD_LIMIT for f in message.embed.get("fields", []))
        assert all(len(b.custom_id) <= 100 for row in message.rows for b in row)
        if len(question.strip()) >= 40 and reply.kind.value != "answer":
            assert question.strip() not in rendered  # the member's words are never reposted


def test_a_huge_question_is_answered_and_analysed_only_up_to_the_cap(engine: Engine) -> None:
    # The work per message is bounded by what is analysed, not by what was sent (timing itself
    # is measured by the benchmarks, never asserted on a busy CI machine).
    for question in (
        "kratom " * 20_000,
        "a̸̢̛̗" * 10_000,
        "\u202e@everyone" * 10_000,
        "\ufdfa" * 4_000,
    ):
        reply = engine.answer(question)
        assert reply.safety_note or reply.is_crisis
        assert len(engine.read(question).normalised) <= MAX_ANALYSED_CHARS


@SETTINGS
@given(
    form=st.builds(
        EditForm,
        question=HOSTILE,
        alternates=HOSTILE,
        answer=HOSTILE,
        sources=HOSTILE,
        tags=HOSTILE,
    )
)
def test_a_moderator_form_is_refused_or_safe_to_publish(form: EditForm) -> None:
    try:
        entry = form.to_entry("hostile-entry", clinical=False)
    except FormInvalid as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        return
    every_text = [
        entry.question,
        *entry.alternates,
        entry.answer,
        *(s.title for s in entry.sources),
    ]
    assert not any(pings(t) or MASKED_LINK.search(t) for t in every_text)
    assert len(entry.answer) <= 1500 and content_problems(entry.answer) == []
    assert entry.sources and all(is_https_url(s.url) for s in entry.sources)


@pytest.fixture(scope="module")
def import_target(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[asyncio.Runner, Moderation]]:
    from bot.config import SHIPPED_KNOWLEDGE
    from bot.knowledge.loader import load_knowledge

    loaded = load_knowledge(SHIPPED_KNOWLEDGE)
    runner = asyncio.Runner()
    store = runner.run(KnowledgeStore.open(tmp_path_factory.mktemp("hostile") / "kb.db"))
    runner.run(store.sync_shipped(loaded.entries))
    try:
        yield runner, Moderation(store, loaded.matching, loaded.topics)
    finally:
        runner.run(store.close())
        runner.close()


YAMLISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "title: Kratom\n",
                "entries:\n",
                "  - id: x\n",
                "    answer: |\n      text\n",
                "&a ",
                "*a ",
                "<<: *a\n",
                "!!python/object/apply:os.system ['echo pwned']\n",
                "!!binary aGk=\n",
                "[",
                "{",
                ": ",
                "- ",
                "? ",
                "%YAML 1.1\n",
                "---\n",
                "...\n",
                "\t",
            ]
        ),
        st.sampled_from(FRAGMENTS),
        st.text(max_size=10),
    ),
    max_size=50,
).map("".join)


@SETTINGS
@given(text=st.one_of(YAMLISH, HOSTILE))
def test_an_import_is_refused_with_a_clear_error_or_only_drafts(
    import_target: tuple[asyncio.Runner, Moderation], text: str
) -> None:
    runner, moderation = import_target
    live_before = runner.run(moderation.store.live_entries())
    try:
        report = runner.run(moderation.import_topic(text, "kratom.yaml", "discord:1"))
    except KnowledgeError as exc:
        assert exc.problems and all(p.file == "kratom.yaml" for p in exc.problems)
    else:
        assert all(d.status == "draft" for d in report.drafted)
    assert runner.run(moderation.store.live_entries()) == live_before  # nothing went live


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &a [1, 2]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n", "anchors and aliases"),
        ("!!python/object/apply:os.system ['echo pwned']\n", "is not allowed"),
        ("title: !!binary aGk=\nentries: []\n", "is not allowed"),
        ("[" * 100_000, "nested too deeply"),
        ("entries:\n" + "".join("  " * i + "- \n" for i in range(1, 60)), "nested too deeply"),
        ("x" * 6_000_000, "larger than"),
    ],
)
def test_yaml_bombs_and_tricks_are_refused(
    import_target: tuple[asyncio.Runner, Moderation], text: str, expected: str
) -> None:
    # How fast a refusal is belongs to benchmarks, not here (a busy CI machine is slow): the
    # deep-bracket case is refused by a bracket count before PyYAML's quadratic scanner runs.
    runner, moderation = import_target
    with pytest.raises(KnowledgeError, match=expected):
        runner.run(moderation.import_topic(text, "kratom.yaml", "discord:1"))


NAMES = [
    "public_replies",
    "moderator_role",
    "watched_channels",
    "region",
    "auto_answer_threshold",
    "retention_days",
    "crisis_alerts",
    "nope",
    "__class__",
]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.lists(st.one_of(st.integers(-5, 2**65), st.text(max_size=5)), max_size=5),
)


@SETTINGS
@given(changes=st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=4))
def test_server_settings_accept_only_well_formed_values(changes: dict[str, object]) -> None:
    try:
        stored = GuildConfig.to_stored(changes)
    except ValueError as exc:
        assert str(exc)
        return
    config = GuildConfig.from_stored({k: v for k, v in stored.items() if v is not None})
    assert config.retention_days >= 1 and all(0 < c < 2**64 for c in config.watched_channels)
    threshold = config.auto_answer_threshold
    assert threshold is None or 0 <= threshold <= 100


@SETTINGS
@given(stored=st.dictionaries(st.sampled_from(NAMES), st.text(max_size=40), max_size=6))
def test_damaged_stored_settings_fall_back_to_defaults(stored: dict[str, str]) -> None:
    assert isinstance(GuildConfig.from_stored(stored), GuildConfig)


async def test_sql_metacharacters_are_data_not_code(
    tmp_path: Path, loaded: LoadedKnowledge
) -> None:
    nasty = "'); DROP TABLE gaps; DELETE FROM revisions; --"
    async with await KnowledgeStore.open(tmp_path / "kb.db") as store:
        await store.sync_shipped(loaded.entries)
        await store.record_gap("1", nasty)
        await store.record_vote("kratom-liver", nasty, True)
        await store.set_guild_config(nasty, nasty, region="GB")
        moderation = Moderation(store, loaded.matching, loaded.topics)
        live = await moderation.live("kratom-legal")
        assert live is not None
        draft = await moderation.save_draft(
            live.entry.__class__(**{**live.entry.__dict__, "answer": f"{nasty} check local law"}),
            based_on=live.rev,
            author=nasty,
            reason=nasty,
        )
        assert await store.gaps("1") == [nasty]
        assert (await store.guild_config(nasty)).region == "GB"
        assert (await moderation.revision(draft.rev)).reason == nasty  # type: ignore[union-attr]
        assert len(await store.live_entries()) == len(loaded.entries)


async def test_hostile_questions_through_discord_never_ping_echo_or_get_logged(
    discord_bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    quiet_loggers_that_log_content()  # as `faqbot run` does, at any FAQBOT_LOG_LEVEL
    marker = "zebulonquux"
    for question in (
        f"@everyone <@&1250000000000000001> {marker} what is kratom",
        f"\u202e{marker}\u200b" + "a̸̢̛̗" * 300,
        f"[NIDA](https://evil.example) ``` {marker} '; DROP TABLE gaps; --",
        f"{marker} " * 2000,  # beyond Discord's own 1,000-character limit for the option
    ):
        body = await discord_bot.ask(question)
        assert body["data"]["allowed_mentions"] == {"parse": []}
        assert marker not in json.dumps(body)
        assert not pings(json.dumps(body["data"].get("embeds", [])))
    assert marker not in caplog.text  # members' words never reach the logs
    answer = await discord_bot.ask("what is kratom")
    assert answer["data"]["embeds"][0]["title"] == "What is kratom?"
