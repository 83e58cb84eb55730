"""Moderator edits: drafts, review, history, revert, remove, export/import (real SQLite)."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import SHIPPED_KNOWLEDGE
from bot.core.entry import Entry
from bot.knowledge.form import EditForm
from bot.knowledge.loader import LoadedKnowledge, load_knowledge
from bot.knowledge.moderation import (
    FormInvalid,
    Moderation,
    ModerationError,
    StaleEdit,
    dump_topic,
)
from bot.knowledge.store import KnowledgeStore
from bot.knowledge.yamlsource import KnowledgeError

ALICE, BOB = "discord:1", "discord:2"


@pytest.fixture
async def moderation(tmp_path: Path, loaded: LoadedKnowledge) -> AsyncIterator[Moderation]:
    store = await KnowledgeStore.open(tmp_path / "kb.db")
    await store.sync_shipped(loaded.entries)
    try:
        yield Moderation(store, loaded.matching, loaded.topics)
    finally:
        await store.close()


async def audit_log(store: KnowledgeStore, entry_id: str | None = None) -> list[dict[str, Any]]:
    """The audit table's rows, oldest first (read straight from SQLite: no feature reads it)."""
    query, params = "SELECT * FROM audit", ()
    if entry_id is not None:
        query, params = query + " WHERE entry_id = ?", (entry_id,)
    async with store.db.execute(query + " ORDER BY id", params) as cursor:
        return [dict(row) for row in await cursor.fetchall()]


async def live_answer(moderation: Moderation, entry_id: str) -> str:
    live = {e.id: e for e in await moderation.store.live_entries()}
    return live[entry_id].answer


async def edit(moderation: Moderation, entry_id: str, answer: str, author: str = ALICE) -> int:
    current = await moderation.live(entry_id)
    assert current is not None
    form = dataclasses.replace(EditForm.from_entry(current.entry), answer=answer)
    entry = form.to_entry(entry_id, clinical=current.entry.clinical)
    draft = await moderation.save_draft(entry, based_on=current.rev, author=author, reason="why")
    return draft.rev


def test_form_errors_name_the_box_and_line() -> None:
    form = EditForm(
        question="What is kratom?",
        alternates="what's kratom\n\n@everyone look",
        answer="x" * 1600,
        sources="NIDA | https://nida.nih.gov/research-topics/kratom\nInsecure site | http://insecure.example.org",
        tags="kratom",
    )
    with pytest.raises(FormInvalid) as caught:
        form.to_entry("kratom-basics", clinical=False)
    problems = "\n".join(caught.value.problems)
    assert "Answer: is 1600 characters; the limit is 1500" in problems
    assert "Other phrasings, line 3: must not contain mentions" in problems
    assert "Sources, line 2: needs a link starting with https://" in problems


def test_form_round_trips_an_entry(loaded: LoadedKnowledge) -> None:
    for entry in loaded.entries:
        rebuilt = EditForm.from_entry(entry).to_entry(entry.id, clinical=entry.clinical)
        same = dataclasses.replace(rebuilt, reviewed=entry.reviewed, reviewer=entry.reviewer)
        assert same == dataclasses.replace(entry, topic="")


async def test_draft_is_not_live_until_a_second_moderator_approves(moderation: Moderation) -> None:
    before = await live_answer(moderation, "kratom-legal")
    rev = await edit(moderation, "kratom-legal", "New wording, checked against the DEA page.")
    assert await live_answer(moderation, "kratom-legal") == before  # a draft changes nothing
    assert [d.rev for d in await moderation.pending()] == [rev]
    with pytest.raises(ModerationError, match="another moderator needs to approve"):
        await moderation.approve(rev, ALICE)
    published = await moderation.approve(rev, BOB)
    assert published.status == "published" and published.decided_by == BOB
    assert (await live_answer(moderation, "kratom-legal")).startswith("New wording")
    assert await moderation.pending() == []
    actions = [row["action"] for row in await audit_log(moderation.store, "kratom-legal")]
    assert actions[-2:] == ["draft", "approve"]


async def test_a_server_can_allow_self_approval(moderation: Moderation) -> None:
    rev = await edit(moderation, "kratom-legal", "Single-moderator wording.")
    await moderation.approve(rev, ALICE, allow_self=True)
    assert await live_answer(moderation, "kratom-legal") == "Single-moderator wording."


async def test_stale_edits_are_refused_never_overwrite(moderation: Moderation) -> None:
    base = await moderation.live("kratom-legal")
    assert base is not None
    first = await edit(moderation, "kratom-legal", "Alice's wording.")
    second = await edit(moderation, "kratom-legal", "Carol's wording.", author="discord:3")
    await moderation.approve(first, BOB)
    with pytest.raises(StaleEdit, match="Nothing was overwritten"):
        await moderation.approve(second, BOB)
    # Saving a draft from the old revision is refused too.
    late = dataclasses.replace(base.entry, answer="Dave started from the old version.")
    with pytest.raises(StaleEdit):
        await moderation.save_draft(late, based_on=base.rev, author="discord:4")
    assert await live_answer(moderation, "kratom-legal") == "Alice's wording."


async def test_reject_keeps_the_draft_in_history(moderation: Moderation) -> None:
    rev = await edit(moderation, "kratom-legal", "Not good enough.")
    await moderation.reject(rev, BOB, "needs a source")
    history = await moderation.history("kratom-legal")
    assert history[0].rev == rev and history[0].status == "rejected"
    assert history[0].decision_note == "needs a source"
    with pytest.raises(ModerationError, match="already rejected"):
        await moderation.approve(rev, BOB)


async def test_revert_is_a_reviewable_draft(moderation: Moderation) -> None:
    original = await moderation.live("kratom-legal")
    assert original is not None
    await moderation.approve(await edit(moderation, "kratom-legal", "Changed."), BOB)
    draft = await moderation.revert("kratom-legal", original.rev, ALICE, "the change was wrong")
    assert draft.status == "draft" and await live_answer(moderation, "kratom-legal") == "Changed."
    await moderation.approve(draft.rev, BOB)
    assert await live_answer(moderation, "kratom-legal") == original.entry.answer
    with pytest.raises(ModerationError, match="never published"):
        rejected = await edit(moderation, "kratom-legal", "Rejected text.")
        await moderation.reject(rejected, BOB)
        await moderation.revert("kratom-legal", rejected, ALICE)


async def test_remove_and_restore(moderation: Moderation) -> None:
    await moderation.remove("kratom-legal", ALICE, "outdated")
    assert "kratom-legal" not in {e.id for e in await moderation.store.live_entries()}
    assert [s.entry_id for s in await moderation.removed()] == ["kratom-legal"]
    await moderation.restore("kratom-legal", BOB)
    assert "kratom-legal" in {e.id for e in await moderation.store.live_entries()}


async def test_new_entry_needs_an_unused_phrasing_and_review(moderation: Moderation) -> None:
    form = EditForm(
        question="Where can I find a support group?",
        alternates="support groups near me\nwhat is kratom",  # claimed by kratom-basics
        answer="Peer support groups meet in person and online.",
        sources="SAMHSA | https://www.samhsa.gov/find-help/helplines/national-helpline",
    )
    entry = form.to_entry("support-groups", clinical=False)
    with pytest.raises(FormInvalid, match="also claimed by entry"):
        await moderation.save_draft(entry, based_on=None, author=ALICE, topic="help")
    fixed = dataclasses.replace(form, alternates="support groups near me").to_entry(
        "support-groups", clinical=False
    )
    draft = await moderation.save_draft(fixed, based_on=None, author=ALICE, topic="help")
    assert "support-groups" not in {e.id for e in await moderation.store.live_entries()}
    await moderation.approve(draft.rev, BOB)
    live = {e.id: e for e in await moderation.store.live_entries()}
    assert live["support-groups"].topic == "help"
    with pytest.raises(ModerationError, match="already exists"):
        await moderation.save_draft(fixed, based_on=None, author=ALICE, topic="help")


async def test_export_is_loadable_and_import_round_trips(
    moderation: Moderation, tmp_path: Path
) -> None:
    await moderation.approve(await edit(moderation, "kratom-legal", "Line one.\nLine two."), BOB)
    exported = await moderation.export()
    # The export is a drop-in knowledge/faq/ directory: the loader reads it back exactly.
    copy = tmp_path / "knowledge"
    shutil.copytree(SHIPPED_KNOWLEDGE, copy)
    for topic, text in exported.items():
        (copy / "faq" / f"{topic}.yaml").write_text(text, encoding="utf-8")
    reloaded = load_knowledge(copy)
    assert sorted(reloaded.entries, key=lambda e: e.id) == sorted(
        await moderation.store.live_entries(), key=lambda e: e.id
    )
    # Importing what was exported changes nothing.
    for topic, text in exported.items():
        report = await moderation.import_topic(text, f"{topic}.yaml", ALICE)
        assert report.drafted == [] and report.unchanged > 0
    assert await moderation.pending() == []


async def test_import_drafts_changes_and_names_errors_by_line(moderation: Moderation) -> None:
    entries = [e for e in await moderation.store.live_entries() if e.topic == "kratom"]
    changed = [dataclasses.replace(entries[0], answer="Imported wording."), *entries[1:-1]]
    report = await moderation.import_topic(dump_topic("Kratom", changed), "kratom.yaml", ALICE)
    assert [d.entry_id for d in report.drafted] == [entries[0].id]
    assert report.drafted[0].origin == "import" and report.not_in_file == [entries[-1].id]
    assert await live_answer(moderation, entries[0].id) != "Imported wording."
    broken = dump_topic("Kratom", changed).replace("https://", "http://", 1)
    with pytest.raises(KnowledgeError) as caught:
        await moderation.import_topic(broken, "kratom.yaml", ALICE)
    problem = caught.value.problems[0]
    assert problem.file == "kratom.yaml" and problem.line and "url" in problem.field
    assert len(await moderation.pending()) == 1  # the failed import added nothing
    with pytest.raises(KnowledgeError, match="unknown topic file"):
        await moderation.import_topic("entries: []", "other.yaml", ALICE)
    with pytest.raises(KnowledgeError, match="anchors and aliases"):
        await moderation.import_topic("a: &x [1]\nb: *x\n", "kratom.yaml", ALICE)


async def test_shipped_update_to_a_moderated_entry_waits_as_a_draft(
    moderation: Moderation, loaded: LoadedKnowledge
) -> None:
    await moderation.approve(await edit(moderation, "kratom-legal", "Moderator wording."), BOB)
    shipped = [
        dataclasses.replace(e, answer=e.answer + " Shipped update.")
        if e.id in ("kratom-legal", "kratom-liver")
        else e
        for e in loaded.entries
    ]
    report = await moderation.store.sync_shipped(shipped)
    assert report.drafted == ["kratom-legal"] and report.updated == ["kratom-liver"]
    assert await live_answer(moderation, "kratom-legal") == "Moderator wording."
    [waiting] = await moderation.pending()
    assert waiting.origin == "shipped" and waiting.entry.answer.endswith("Shipped update.")
    await moderation.approve(waiting.rev, BOB)  # a moderator takes the shipped wording
    assert (await live_answer(moderation, "kratom-legal")).endswith("Shipped update.")


def test_a_moderator_cannot_publish_a_dose_or_a_treatment_claim() -> None:
    form = EditForm(
        question="How much kratom should I take?",
        answer="Most people take 3 g; kratom is a good remedy for low mood.",
        sources="NIDA | https://nida.nih.gov/research-topics/kratom",
    )
    with pytest.raises(FormInvalid) as caught:
        form.to_entry("kratom-amount", clinical=True)
    problems = "\n".join(caught.value.problems)
    assert "Answer: must not give amounts or doses ('3 g')" in problems
    assert "Answer: must not present kratom as a treatment" in problems


def new_entries(template: Entry, count: int) -> list[Entry]:
    """`count` new entries in `template`'s topic, each with phrasings of its own."""
    return [
        dataclasses.replace(
            template,
            id=f"imported-{i}",
            question=f"Imported question number {i} about zq{i}x?",
            alternates=(f"imported phrasing zq{i}y",),
        )
        for i in range(count)
    ]


async def test_an_import_commits_entry_by_entry_so_other_writes_get_in(
    moderation: Moderation,
) -> None:
    store = moderation.store
    kratom = [e for e in await store.live_entries() if e.topic == "kratom"]
    text = dump_topic("Kratom", [*kratom, *new_entries(kratom[0], 100)])
    importing = asyncio.create_task(moderation.import_topic(text, "kratom.yaml", ALICE))
    while not importing.done():  # another writer (a server's settings) all along
        await store.set_guild_config("guild", "discord:9", retention_days=7)
    assert len((await importing).drafted) == 100
    rows = await audit_log(store)
    imported = [i for i, row in enumerate(rows) if row["action"] == "import"]
    others = [i for i, row in enumerate(rows) if row["action"] == "config"]
    # The other writer got in between the import's drafts: no one transaction held them all.
    assert any(imported[0] < i < imported[-1] for i in others)


async def test_a_clash_published_while_an_approval_is_checked_is_still_caught(
    moderation: Moderation, monkeypatch: pytest.MonkeyPatch
) -> None:
    def new_entry(entry_id: str) -> Entry:
        form = EditForm(
            question=f"Where can I find {entry_id}?",
            alternates="support groups near me",  # both claim this phrasing
            answer="Peer support groups meet in person and online.",
            sources="SAMHSA | https://www.samhsa.gov/find-help/helplines/national-helpline",
        )
        return form.to_entry(entry_id, clinical=False)

    first = await moderation.save_draft(
        new_entry("groups-a"), based_on=None, author=ALICE, topic="help"
    )
    second = await moderation.save_draft(
        new_entry("groups-b"), based_on=None, author=ALICE, topic="help"
    )
    checked, resume = asyncio.Event(), asyncio.Event()
    check = moderation._check_off_loop

    async def held_check(entry: Entry, live: list[Entry]) -> None:
        await check(entry, live)
        if not checked.is_set():  # the first check passed; hold before the write
            checked.set()
            await resume.wait()

    monkeypatch.setattr(moderation, "_check_off_loop", held_check)
    approving = asyncio.create_task(moderation.approve(second.rev, BOB))
    await checked.wait()
    await moderation.approve(first.rev, BOB)  # goes live in between
    resume.set()
    with pytest.raises(FormInvalid, match="also claimed by entry 'groups-a'"):
        await approving
    assert "groups-b" not in {e.id for e in await moderation.store.live_entries()}


def test_a_link_smuggled_into_a_source_line_is_refused_by_the_form() -> None:
    smuggled = (
        "NIDA | https://nida.nih.gov/research-topics/kratom)"
        "[FDA\u2800official\u2800notice](https://evil.example/fda"
    )
    form = EditForm(question="What is kratom?", answer="A tropical tree.", sources=smuggled)
    with pytest.raises(FormInvalid) as caught:
        form.to_entry("kratom-basics", clinical=False)
    assert caught.value.problems == [
        "Sources, line 1: the link must be one web address, with no spaces, brackets, "
        "parentheses or invisible characters; it contains ')' (allowed: letters, digits and "
        "- . _ ~ ! $ & ' * + , ; = : @ % / ? #) (write each source as: Title | https://...)"
    ]


async def test_an_entry_published_while_an_import_runs_is_skipped_not_overwritten(
    moderation: Moderation, monkeypatch: pytest.MonkeyPatch
) -> None:
    kratom = [e for e in await moderation.store.live_entries() if e.topic == "kratom"]
    changed = [
        dataclasses.replace(e, answer=f"Imported wording {i}.") for i, e in enumerate(kratom)
    ]
    states = moderation.store.entry_states

    async def then_someone_publishes() -> Any:
        found = await states()  # the import has read what is live...
        await moderation.approve(await edit(moderation, kratom[0].id, "Bob was quicker."), BOB)
        return found

    monkeypatch.setattr(moderation.store, "entry_states", then_someone_publishes)
    report = await moderation.import_topic(dump_topic("Kratom", changed), "kratom.yaml", ALICE)
    assert [d.entry_id for d in report.drafted] == [e.id for e in kratom[1:]]
    assert len(report.skipped) == 1 and report.skipped[0].startswith(f"{kratom[0].id}: ")
    assert "Nothing was overwritten" in report.skipped[0]
    assert await live_answer(moderation, kratom[0].id) == "Bob was quicker."
