"""Moderator edits to the FAQ: drafts, review, publishing, history, revert, remove, export/import.

Transport-free (Discord and the shell both call this). The rules that keep the FAQ vetted live
here, once:
- every change is a *draft* until a moderator approves it; by default not its own author;
- a draft remembers the live revision it was written against, and is refused (saving or
  approving) when another change was published since: never a silent overwrite;
- publishing, reverting and removing change one pointer in one transaction, so members see the
  old or the new entry, never a mix;
- every action is written to the append-only audit log in the same transaction.
Validation is `validate_entry`, the same as for the shipped YAML.

Checks that grow with the size of the FAQ (parsing an import, comparing phrasings with every live
entry) run in a worker thread, never on the event loop, and write transactions stay short (an
import commits entry by entry), so members' questions, votes and auto-answers never queue behind
a moderator's action.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import yaml

from bot.core.analysis import MatchingConfig
from bot.knowledge.loader import cross_check, id_lines, parse_faq_file
from bot.knowledge.schema import (
    Entry,
)
from bot.knowledge.store import EntryState, KnowledgeStore, Revision, same_entry
from bot.knowledge.yamlsource import KnowledgeError, Problem, parse_yaml

T = TypeVar("T")

# Who "reviewed" an entry published from Discord, as members read it ("Last reviewed ... by").
MODERATOR_REVIEWER = "server moderators"


class ModerationError(Exception):
    """A change that cannot be made; the message is written for the moderator who asked."""


class StaleEdit(ModerationError):
    """The draft was written against a revision that is no longer live."""

    def __init__(self, entry_id: str, based_on: int | None, live: int | None) -> None:
        self.entry_id, self.based_on, self.live = entry_id, based_on, live
        started = f"revision {based_on}" if based_on else "no live version"
        super().__init__(
            f"Someone published a change to `{entry_id}` while this was being written: it was "
            f"started from {started}, but revision {live} is live now. Nothing was overwritten. "
            f"Look at the live version (`/show`, `/faq history`) and make the change again on top "
            f"of it."
        )


class OwnDraft(ModerationError):
    """Approving one's own draft: a second person must (the two-person rule)."""


class FormInvalid(ModerationError):
    """The moderator's form has errors; `problems` name the form field of each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"• {p}" for p in problems))


# --- revisions --------------------------------------------------------------------------------


@dataclass
class ImportReport:
    topic: str
    drafted: list[Revision] = field(default_factory=list)
    unchanged: int = 0
    # Changed while the import ran (someone published a newer revision): not drafted, with why.
    skipped: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)  # live entries of the topic left as is


# Called after a change to what members see (publish, remove, restore) is committed.
LiveChanged = Callable[[], Awaitable[object]]


class Moderation:
    def __init__(
        self,
        store: KnowledgeStore,
        matching: MatchingConfig,
        topics: dict[str, str],
        live_changed: LiveChanged | None = None,
        offload: Offload = asyncio.to_thread,
    ) -> None:
        self.store = store
        self.matching = matching
        self.topics = topics  # slug -> title; moderator entries go in an existing topic
        # The runtime's reload: the one place a published change reaches the engine, awaited
        # so that "is live now" is true when the moderator reads it.
        self.live_changed = live_changed
        self.offload = offload  # the runtime's worker process; a thread for the shell's tools

    # --- reading --------------------------------------------------------------------------

    async def state(self, entry_id: str) -> EntryState | None:
        return await self.store.entry_state(entry_id)

    async def revision(self, rev: int) -> Revision | None:
        return await self.store.revision(rev)

    async def live(self, entry_id: str) -> Revision | None:
        state = await self.state(entry_id)
        return await self.revision(state.live) if state and state.live else None

    async def history(self, entry_id: str) -> list[Revision]:
        """Every revision of an entry, newest first."""
        return list(reversed(await self.store.revisions_of(entry_id)))

    async def pending(self) -> list[Revision]:
        """Drafts waiting for review, oldest first."""
        return await self.store.drafts()

    # --- changing -------------------------------------------------------------------------

    async def save_draft(
        self,
        entry: Entry,
        *,
        based_on: int | None,
        author: str,
        reason: str = "",
        topic: str | None = None,
        origin: str = "moderator",
        action: str = "draft",
    ) -> Revision:
        """Keep `entry` as a draft written against live revision `based_on` (None: a new entry).

        Its phrasings are compared with the live entries first, off the event loop; approving
        compares them again, so a change published in between cannot slip through.
        """
        await self._check_off_loop(entry, await self.store.live_entries())
        async with self.store.transaction():
            rev = await self._draft(entry, based_on, author, reason, topic, origin, action)
        found = await self.revision(rev)
        assert found is not None
        return found

    async def approve(self, rev: int, approver: str, *, allow_self: bool = False) -> Revision:
        """Publish a draft: the entry's live pointer moves to it, atomically."""

        async def draft_entry() -> Entry:
            return (await self._approvable(rev, approver, allow_self)).entry

        async def publish() -> None:
            draft = await self._approvable(rev, approver, allow_self)
            await self.store.publish_draft(draft, approver)

        await self._checked_write(draft_entry, publish)
        await self._live_changed()
        published = await self.revision(rev)
        assert published is not None
        return published

    async def _approvable(self, rev: int, approver: str, allow_self: bool) -> Revision:
        draft = await self.pending_draft(rev)
        if draft.author == approver and not allow_self:
            raise OwnDraft(
                "You wrote this draft, so another moderator needs to approve it. (A server "
                "with one moderator can allow self-approval: `/config review`.)"
            )
        state = await self.state(draft.entry_id)
        live = state.live if state else None
        if draft.based_on != live:
            raise StaleEdit(draft.entry_id, draft.based_on, live)
        return draft

    async def reject(self, rev: int, moderator: str, note: str = "") -> Revision:
        """Decline a draft (its author may withdraw it too); it stays in the history."""
        async with self.store.transaction():
            draft = await self.pending_draft(rev)
            await self.store.reject_draft(draft, moderator, note.strip())
        rejected = await self.revision(rev)
        assert rejected is not None
        return rejected

    async def revert(self, entry_id: str, to_rev: int, author: str, reason: str = "") -> Revision:
        """A draft that brings back an earlier published revision (reviewed like any change)."""
        target = await self.revision(to_rev)
        if target is None or target.entry_id != entry_id:
            raise ModerationError(f"`{entry_id}` has no revision {to_rev} (see `/faq history`).")
        if target.status != "published":
            raise ModerationError(
                f"Revision {to_rev} was never published ({target.status}); only revisions that "
                "were live can be brought back."
            )
        state = await self.state(entry_id)
        live = state.live if state else None
        why = f"revert to revision {to_rev}" + (f": {reason.strip()}" if reason.strip() else "")
        return await self.save_draft(
            target.entry, based_on=live, author=author, reason=why, action="revert"
        )

    async def remove(self, entry_id: str, actor: str, reason: str = "") -> EntryState:
        """Take an entry out of service (soft: its history stays and `restore` brings it back)."""
        async with self.store.transaction():
            state = await self.state(entry_id)
            if state is None or state.live is None:
                raise ModerationError(f"There is no published entry `{entry_id}`.")
            if state.removed_at:
                raise ModerationError(f"`{entry_id}` was already removed ({state.removed_at}).")
            await self.store.set_removed(state, True, actor, reason.strip())
        await self._live_changed()
        removed = await self.state(entry_id)
        assert removed is not None
        return removed

    async def restore(self, entry_id: str, actor: str, reason: str = "") -> EntryState:
        async def removed_entry() -> tuple[EntryState, Revision]:
            state = await self.state(entry_id)
            if state is None or not state.removed_at or state.live is None:
                raise ModerationError(f"`{entry_id}` is not a removed entry.")
            live = await self.revision(state.live)
            assert live is not None
            return state, live

        async def bring_back() -> None:
            state, _ = await removed_entry()
            await self.store.set_removed(state, False, actor, reason.strip())

        async def entry() -> Entry:
            return (await removed_entry())[1].entry

        await self._checked_write(entry, bring_back)
        await self._live_changed()
        restored = await self.state(entry_id)
        assert restored is not None
        return restored

    async def removed(self) -> list[EntryState]:
        return await self.store.removed_entries()

    # --- export and import ----------------------------------------------------------------

    async def export(self) -> dict[str, str]:
        """The live FAQ as YAML, one document per topic, in the schema of knowledge/faq/*.yaml."""
        by_topic: dict[str, list[Entry]] = defaultdict(list)
        for entry in await self.store.live_entries():
            by_topic[entry.topic].append(entry)
        return {
            topic: dump_topic(self.topics.get(topic, topic), by_topic[topic])
            for topic in sorted(by_topic)
        }

    async def import_topic(
        self, text: str, filename: str, author: str, reason: str = ""
    ) -> ImportReport:
        """Validate one topic file (as exported) and turn every change in it into a draft.

        Any error (named by line and field) and no draft is made. Entries of the topic that the
        file leaves out are not removed; the report lists them. Parsing and checking run off the
        event loop; each draft is then its own short transaction, so other writes (votes,
        auto-answers) never wait for the whole import. An entry that someone changed while the
        import ran is skipped (the report says so), never overwritten.
        """
        topic = filename.rsplit("/", 1)[-1].removesuffix(".yaml").removesuffix(".yml")
        if topic not in self.topics:
            known = ", ".join(f"{t}.yaml" for t in sorted(self.topics))
            raise KnowledgeError(
                [Problem(filename, None, "", f"unknown topic file; name it one of: {known}")]
            )
        parsed = await self.offload(parse_topic, text, filename, topic)
        live = await self.store.live_entries()
        entries = await asyncio.to_thread(self._checked_import, parsed, filename, live)
        states = await self.store.entry_states()
        wrong_topic = [
            Problem(
                filename,
                None,
                e.id,
                f"this entry belongs to topic {state.topic!r}; import it there",
            )
            for e in entries
            if (state := states.get(e.id)) is not None and state.topic != topic
        ]
        if wrong_topic:
            raise KnowledgeError(wrong_topic)
        report = ImportReport(topic)
        why = reason.strip() or f"import of {filename}"
        live_by_id = {e.id: e for e in live}
        for entry in entries:
            current = live_by_id.get(entry.id)
            if current is not None and same_entry(current, entry):
                report.unchanged += 1
                continue
            state = states.get(entry.id)
            try:
                async with self.store.transaction():
                    rev = await self._draft(
                        entry, state.live if state else None, author, why, topic, "import", "import"
                    )
            except ModerationError as exc:
                report.skipped.append(f"{entry.id}: {exc}")
                continue
            draft = await self.revision(rev)
            assert draft is not None
            report.drafted.append(draft)
        incoming = {e.id for e in entries}
        report.not_in_file = sorted(e.id for e in live if e.topic == topic and e.id not in incoming)
        return report

    def _checked_import(self, parsed: ParsedTopic, filename: str, live: list[Entry]) -> list[Entry]:
        """In a worker thread: the parsed file's entries, checked against the live entries it
        does not replace (their phrasing keys are remembered, so this is quick); KnowledgeError
        on any error, the file's own included."""
        entries, problems, lines = parsed
        incoming = {e.id for e in entries}
        located: list[tuple[Entry, str, int | None]] = [
            (e, "(live FAQ)", None) for e in live if e.id not in incoming
        ]
        located += [(e, filename, lines.get(e.id)) for e in entries]
        problems += cross_check(located, self.matching)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise KnowledgeError(errors)
        return entries

    # --- internals ------------------------------------------------------------------------

    async def _live_changed(self) -> None:
        if self.live_changed is not None:
            await self.live_changed()

    async def _draft(
        self,
        entry: Entry,
        based_on: int | None,
        author: str,
        reason: str,
        topic: str | None,
        origin: str,
        action: str,
    ) -> int:
        """Inside a transaction: check it is still a change to what is live (its phrasings were
        checked before, off the event loop), then add the draft revision and its audit row."""
        state = await self.state(entry.id)
        live = state.live if state else None
        if based_on is None and live is not None:
            raise ModerationError(
                f"An entry `{entry.id}` already exists: use `/faq edit` to change it."
            )
        if based_on != live:
            raise StaleEdit(entry.id, based_on, live)
        if live is not None:
            current = await self.revision(live)
            if current is not None and same_entry(current.entry, entry):
                raise ModerationError(
                    f"That is the same as the live version of `{entry.id}`: nothing to review."
                )
        if state is None and topic not in self.topics:
            raise ModerationError(f"Choose a topic: {', '.join(sorted(self.topics))}.")
        return await self.store.add_draft(
            entry,
            based_on=based_on,
            author=author,
            reason=reason.strip(),
            origin=origin,
            action=action,
            new_topic=topic if state is None else None,
        )

    async def pending_draft(self, rev: int) -> Revision:
        draft = await self.revision(rev)
        if draft is None:
            raise ModerationError(f"There is no draft {rev}.")
        if draft.status != "draft":
            raise ModerationError(
                f"Draft {rev} was already {draft.status} by {draft.decided_by or 'someone'}."
            )
        return draft

    async def _checked_write(
        self, entry_of: Callable[[], Awaitable[Entry]], write: Callable[[], Awaitable[None]]
    ) -> None:
        """Compare `entry_of()`'s phrasings with the live FAQ off the event loop, then `write()`
        in a short transaction.

        `entry_of` raises when the action is no longer possible; it runs again inside the
        transaction, so what is written is what was checked. If something went live in between,
        the comparison is made again inside (quick: the phrasing keys are remembered).
        """
        stamp = await self.store.live_stamp()
        await self._check_off_loop(await entry_of(), await self.store.live_entries())
        async with self.store.transaction():
            entry = await entry_of()
            if await self.store.live_stamp() != stamp:
                await self._check_off_loop(entry, await self.store.live_entries())
            await write()

    async def _check_off_loop(self, entry: Entry, live: list[Entry]) -> None:
        await asyncio.to_thread(self._check_against_live, entry, live)

    def _check_against_live(self, entry: Entry, others: list[Entry]) -> None:
        """No phrasing of `entry` may be claimed by another live entry (the matcher needs it)."""
        located = [(e, "live", None) for e in others if e.id != entry.id]
        located.append((entry, "draft", None))
        clashes = [p.message for p in cross_check(located, self.matching) if p.severity == "error"]
        if clashes:
            raise FormInvalid([f"Other phrasings: {c}" for c in clashes])


# --- YAML in ----------------------------------------------------------------------------------

# A topic file's entries, its problems, and the line of each entry's id.
ParsedTopic = tuple[list[Entry], list[Problem], dict[str, int | None]]


def parse_topic(text: str, filename: str, topic: str) -> ParsedTopic:
    """Parse and validate one topic file as the loader does shipped ones. Pure, and the costly
    part of an import (a 100-entry file: ~0.2 s of CPU), so it runs in the runtime's worker
    process. Problems are returned, not raised: an exception's fields do not survive the trip
    back."""
    try:
        src = parse_yaml(text, filename)
    except KnowledgeError as exc:
        return [], exc.problems, {}
    entries, _, problems = parse_faq_file(src, topic)
    return entries, problems, id_lines(src)


class Offload(Protocol):
    """Runs pure, CPU-heavy work away from the event loop and the answering thread."""

    def __call__(self, fn: Callable[..., T], /, *args: Any) -> Awaitable[T]: ...


# --- YAML out ---------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # our loader refuses anchors and aliases, so never write any


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump_topic(title: str, entries: list[Entry]) -> str:
    """One knowledge/faq/*.yaml file's text."""
    document = {"title": title, "entries": [e.to_dict() for e in entries]}
    return yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2
    )


def field_yaml(name: str, value: Any) -> list[str]:
    """One field of an entry as YAML lines, for diffs."""
    text = yaml.dump({name: value}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)
    return text.splitlines()
