"""`faqbot kb`: check the knowledge directory, export the live FAQ, import topic files as
drafts, and review drafts under the same two-person rule as Discord's /faq review."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CommandFailed
from bot.config import Settings
from bot.knowledge.loader import load_knowledge
from bot.knowledge.moderation import ModerationError, OwnDraft
from bot.knowledge.review import draft_kind, entry_diff, stale_note
from bot.knowledge.store import Revision
from bot.knowledge.yamlsource import KnowledgeError
from bot.runtime import start_runtime


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND", required=True)
    kb_sub.add_parser(
        "check",
        parents=[common],
        help="validate the knowledge directory; non-zero exit on errors",
        description=(
            "Validate knowledge/: schema, duplicate ids, one phrasing claimed by two entries, "
            "malformed or non-https URLs, mentions; reviewed dates in the future or older than "
            "12 months are warnings."
        ),
    )
    export = kb_sub.add_parser(
        "export",
        parents=[common],
        help="write the live FAQ (moderator edits included) as knowledge/faq/*.yaml files",
        description="Write the live FAQ, as served (moderator edits included, removed entries "
        "left out), into DIR/faq/<topic>.yaml: the same files as knowledge/faq/, ready to "
        "review in git. Same as /faq export in Discord.",
    )
    export.add_argument("dir", type=Path, help="where to write (DIR/faq/ is created)")
    kb_import = kb_sub.add_parser(
        "import",
        parents=[common],
        help="validate topic files and turn their changes into drafts for /faq review",
        description="Validate each FILE (a knowledge/faq/<topic>.yaml file, e.g. from kb export) "
        "like the shipped knowledge, then turn every changed or new entry into a draft that "
        "moderators approve with /faq review. All or nothing per file: any error and nothing "
        "from that file is drafted. Entries the file leaves out are not removed.",
    )
    kb_import.add_argument("files", type=Path, nargs="+", metavar="FILE")
    kb_import.add_argument("--author", default="shell", help="who made the change (history)")
    kb_import.add_argument("--reason", default="", help="why (kept in the history)")
    kb_sub.add_parser(
        "drafts",
        parents=[common],
        help="list the drafts waiting for review (as /faq review in Discord)",
    )
    review = kb_sub.add_parser(
        "review",
        parents=[common],
        help="show a draft and its diff; approve or reject it (never your own)",
        description="Show draft ID: what changes, by whom, and why. With --approve or --reject "
        "and --as NAME, decide it, as /faq review does in Discord and with the same two-person "
        "rule: NAME cannot approve a draft NAME wrote (`kb import --author NAME`).",
    )
    review.add_argument("draft", type=_draft_id, metavar="ID", help="the draft's number")
    decision = review.add_mutually_exclusive_group()
    decision.add_argument("--approve", action="store_true", help="publish the draft")
    decision.add_argument(
        "--reject", action="store_true", help="decline it (it stays in the history)"
    )
    review.add_argument(
        "--as", dest="reviewer", metavar="NAME", help="who decides (needed to decide)"
    )
    review.add_argument("--reason", default="", help="why (kept with a rejection)")


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.kb_command == "check":
        return _check(settings)
    if args.kb_command == "export":
        return asyncio.run(_export(settings, args.dir))
    if args.kb_command == "import":
        return asyncio.run(_import(settings, args.files, args.author, args.reason))
    if args.kb_command == "drafts":
        return asyncio.run(_drafts(settings))
    return _review_command(settings, args)  # argparse allows no other kb command


def _check(settings: Settings) -> int:
    try:
        loaded = load_knowledge(settings.knowledge_dir)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem)
        errors = sum(1 for p in exc.problems if p.severity == "error")
        print(f"kb check: FAILED with {errors} error(s)")
        return EXIT_FAILED
    for problem in loaded.warnings:
        print(problem)
    print(
        f"kb check: OK: {len(loaded.entries)} entries in {len(loaded.topics)} topics, "
        f"{len(loaded.resources.regions)} resource regions, {len(loaded.warnings)} warning(s)"
    )
    return EXIT_OK


async def _export(settings: Settings, target: Path) -> int:
    if target.exists() and not target.is_dir():
        raise CommandFailed(f"{target} is a file: give a folder (DIR/faq/ is written in it)")
    runtime = await start_runtime(settings)
    try:
        exported = await runtime.moderation.export()
    finally:
        await runtime.close()
    folder = target / "faq"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for topic, text in exported.items():
            (folder / f"{topic}.yaml").write_text(text, encoding="utf-8")
            print(f"wrote {folder / f'{topic}.yaml'}")
    except OSError as exc:
        raise CommandFailed(
            f"cannot write in {target} ({exc.strerror or exc}): give a folder you can write to"
        ) from exc
    return EXIT_OK


async def _import(settings: Settings, files: list[Path], author: str, reason: str) -> int:
    runtime = await start_runtime(settings)
    failed = False
    try:
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
                report = await runtime.moderation.import_topic(
                    text, path.name, f"shell:{author}", reason
                )
            except KnowledgeError as exc:
                failed = True
                print(f"{path}: not imported, nothing was drafted:", file=sys.stderr)
                for problem in exc.problems:
                    print(f"  {problem}", file=sys.stderr)
                continue
            except (OSError, UnicodeDecodeError) as exc:
                failed = True
                print(f"{path}: cannot read: {exc}", file=sys.stderr)
                continue
            drafted = ", ".join(d.entry_id for d in report.drafted) or "none"
            print(
                f"{path}: {len(report.drafted)} draft(s) for review ({drafted}), "
                f"{report.unchanged} unchanged"
            )
            if report.not_in_file:
                print(f"  not in the file, left as they are: {', '.join(report.not_in_file)}")
    finally:
        await runtime.close()
    if not failed:
        print("Moderators approve drafts with /faq review in Discord, or faqbot kb review.")
    return EXIT_FAILED if failed else EXIT_OK


def _draft_id(text: str) -> int:
    # At most 18 digits: SQLite's integers are 64-bit.
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r} is not a draft number (see faqbot kb drafts)")


async def _drafts(settings: Settings) -> int:
    runtime = await start_runtime(settings)
    try:
        pending = await runtime.moderation.pending()
    finally:
        await runtime.close()
    if not pending:
        print("No drafts are waiting for review.")
        return EXIT_OK
    print(f"{len(pending)} draft(s) waiting for review, oldest first:")
    for draft in pending:
        why = " ".join(draft.reason.split())
        why = f": {why[:60]}..." if len(why) > 60 else f": {why}" if why else ""
        print(
            f"  {draft.rev:>4}  {draft.entry_id}  by {draft.author}  {draft.created_at[:10]}  "
            f"{draft_kind(draft)}{why}"
        )
    print("See one: faqbot kb review ID. Decide: add --approve or --reject, and --as NAME.")
    return EXIT_OK


def _review_command(settings: Settings, args: argparse.Namespace) -> int:
    reviewer = (args.reviewer or "").strip()
    deciding = args.approve or args.reject
    if deciding and not reviewer:
        print("faqbot kb review: say who decides with --as NAME", file=sys.stderr)
        return EXIT_USAGE
    if not deciding and (reviewer or args.reason):
        print("faqbot kb review: --as and --reason go with --approve or --reject", file=sys.stderr)
        return EXIT_USAGE
    return asyncio.run(
        _review(settings, args.draft, args.approve, args.reject, reviewer, args.reason)
    )


async def _review(
    settings: Settings, rev: int, approve: bool, reject: bool, reviewer: str, reason: str
) -> int:
    """Show draft `rev`, or decide it through the same rules as Discord's /faq review."""
    runtime = await start_runtime(settings)
    moderation, who = runtime.moderation, f"shell:{reviewer}"
    try:
        if approve:
            published = await moderation.approve(rev, who)
            state = await moderation.state(published.entry_id)
            if state is not None and state.removed_at is not None:
                print(
                    f"published draft {rev}, but {published.entry_id} is removed, so members "
                    "don't see it (/faq restore in Discord brings it back)"
                )
            else:
                # Another process's engine does not see this database change by itself.
                print(
                    f"published draft {rev}: {published.entry_id} is live (a running bot "
                    "serves it from its next start)"
                )
        elif reject:
            rejected = await moderation.reject(rev, who, reason)
            print(f"rejected draft {rev} of {rejected.entry_id}; it stays in the history")
        else:
            draft = await moderation.pending_draft(rev)
            live = await moderation.live(draft.entry_id)
            _show_draft(draft, live)
    except OwnDraft as exc:
        raise CommandFailed(
            f"{reviewer} wrote draft {rev}, so another person must approve it (two-person rule)"
        ) from exc
    except ModerationError as exc:
        raise CommandFailed(str(exc).replace("`", "").replace("\n", " ")) from exc
    finally:
        await runtime.close()
    return EXIT_OK


def _show_draft(draft: Revision, live: Revision | None) -> None:
    stale = stale_note(live, draft)
    lines = [
        f"Draft {draft.rev} of {draft.entry_id} ({draft.entry.topic}): {draft_kind(draft)}",
        f"By {draft.author} ({draft.origin}) on {draft.created_at[:10]}",
        f"Why: {draft.reason}" if draft.reason else None,
        f"Note: {stale}" if stale else None,
        "",
        entry_diff(live, draft),
        "",
        f"Decide: faqbot kb review {draft.rev} --approve --as NAME "
        "(or --reject --as NAME --reason TEXT)",
    ]
    print("\n".join(line for line in lines if line is not None))
