"""faqbot's command line: terminal chat, one-off and batch answers, knowledge checks, the bot."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Coroutine, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TextIO, TypeVar

from bot.config import SettingError, Settings, settings_help
from bot.core.engine import AskContext, Engine
from bot.core.reply import Reply
from bot.core.resources import ResourceDirectory, UnknownRegion
from bot.knowledge.loader import load_knowledge
from bot.knowledge.moderation import ModerationError, OwnDraft
from bot.knowledge.review import draft_kind, entry_diff, stale_note
from bot.knowledge.store import Revision
from bot.knowledge.yamlsource import KnowledgeError
from bot.render.plain import render_text
from bot.runtime import start_runtime

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

T = TypeVar("T")


class CommandFailed(Exception):
    """Something the user can fix, said in one line (what is wrong, what to do): no traceback."""


DESCRIPTION = f"""\
faqbot answers questions about trauma, depression and kratom from a vetted FAQ, always with a
safety note, and puts crisis resources first when a message signals danger.

With no command: the Discord bot when DISCORD_TOKEN is set, otherwise the terminal chat.

settings (environment variables; a flag overrides its variable):
{settings_help()}
"""


def reply_json(reply: Reply) -> dict[str, Any]:
    """The stable machine contract of `faqbot ask --json` (documented in the README)."""
    return {
        "question": reply.question,
        "kind": reply.kind.value,
        "entry_id": reply.entry_id,
        "score": reply.score,
        "clinical": reply.clinical,
        "crisis": reply.crisis.value if reply.crisis else None,
        # The classifier's middle band: an answer led by a check-in and crisis lines.
        "possible_crisis": reply.possible_crisis.value if reply.possible_crisis else None,
        "crisis_score": reply.crisis_score,
        "suggestions": [s.entry_id for s in reply.suggestions],
        "safety_note": reply.safety_note,
        "text": render_text(reply),
    }


def _parser() -> argparse.ArgumentParser:
    def options(default: object) -> argparse.ArgumentParser:
        shared = argparse.ArgumentParser(add_help=False)
        shared.add_argument(
            "--db", type=Path, default=default, help="SQLite database file (env FAQBOT_DB)"
        )
        shared.add_argument(
            "--knowledge",
            type=Path,
            default=default,
            help="knowledge directory (env FAQBOT_KNOWLEDGE)",
        )
        return shared

    # Before or after the command, `--db X` means X: a subcommand's own copy of the options
    # must not overwrite what was given before it (restoring into the default database would
    # be the worst case), so its defaults are suppressed.
    top_level, common = options(None), options(argparse.SUPPRESS)
    locale = argparse.ArgumentParser(add_help=False)
    locale.add_argument(
        "--locale", help="your country for crisis lines: a region code (GB, AU) or locale (en_GB)"
    )

    parser = argparse.ArgumentParser(
        prog="faqbot",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[top_level],
    )
    parser.add_argument("-V", "--version", action="version", version=f"faqbot {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser(
        "start",
        parents=[common, locale],
        help="Discord bot if DISCORD_TOKEN is set, else the terminal chat (the default)",
    )
    sub.add_parser(
        "chat",
        parents=[common, locale],
        help="chat with the bot in the terminal, replies exactly as the bot gives them",
    )
    ask = sub.add_parser(
        "ask",
        parents=[common, locale],
        help="answer one question (or, with --json -, one per line of stdin)",
        description=(
            "Answer QUESTION. With --json, print the machine contract: one JSON object with "
            "question, kind, entry_id, score, clinical, crisis, suggestions, safety_note, text. "
            "With --json -, read one question per line from stdin and write one JSON object "
            "per line, in order, flushed after each."
        ),
    )
    ask.add_argument("question", nargs="?", help="the question, or - to read lines from stdin")
    ask.add_argument("--json", action="store_true", help="print JSON (the stable contract)")

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
    db = sub.add_parser("db", help="database backup, restore and migration")
    db_sub = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    backup = db_sub.add_parser(
        "backup",
        parents=[common],
        help="copy the database to PATH (a file or a folder); safe while the bot runs",
    )
    backup.add_argument("path", type=Path)
    restore = db_sub.add_parser(
        "restore",
        parents=[common],
        help="replace the database with the backup at PATH (stop the bot first); the current "
        "database is kept beside it as a .pre-restore copy",
    )
    restore.add_argument("path", type=Path)
    db_sub.add_parser(
        "migrate",
        parents=[common],
        help="bring the database schema up to date (a backup is taken first); also done at start",
    )
    sub.add_parser(
        "run",
        parents=[common],
        help="run the Discord bot (needs DISCORD_TOKEN)",
        description="Run the Discord bot (needs DISCORD_TOKEN). Migrates the database first "
        "(with a backup), serves /healthz and /metrics on 127.0.0.1 when FAQBOT_HEALTH_PORT is "
        "set, and stops cleanly on SIGTERM or Ctrl-C.",
    )
    sync = sub.add_parser(
        "sync",
        parents=[common],
        help="register the slash commands with Discord (needs DISCORD_TOKEN)",
        description="Register faqbot's slash commands. Global registration can take up to an "
        "hour to show; --guild registers in one server instantly (for testing).",
    )
    sync.add_argument("--guild", type=int, help="a server (guild) id to register in instantly")
    invite = sub.add_parser(
        "invite-url",
        parents=[common],
        help="print the link that adds the bot to a server, with the permissions it needs",
    )
    invite.add_argument(
        "--app-id", type=int, help="the application id (else looked up with DISCORD_TOKEN)"
    )
    return parser


def _version() -> str:
    try:
        return version("faqbot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command = args.command or "start"
    try:
        settings = Settings.from_env().with_overrides(
            db_path=args.db, knowledge_dir=args.knowledge, locale=getattr(args, "locale", None)
        )
    except SettingError as exc:
        print(f"faqbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if command == "start":
            command = "run" if settings.discord_token else "chat"
        if command == "chat":
            return asyncio.run(_chat(settings))
        if command == "ask":
            if args.question is not None and not args.question.strip():
                print(
                    "faqbot ask: the question is empty (or use --json - for stdin)", file=sys.stderr
                )
                return EXIT_USAGE
            return asyncio.run(_ask(settings, args.question, args.json))
        if command == "kb":
            if args.kb_command == "check":
                return _kb_check(settings)
            if args.kb_command == "export":
                return asyncio.run(_kb_export(settings, args.dir))
            if args.kb_command == "import":
                return asyncio.run(_kb_import(settings, args.files, args.author, args.reason))
            if args.kb_command == "drafts":
                return asyncio.run(_kb_drafts(settings))
            if args.kb_command == "review":
                return _kb_review(settings, args)
            parser.parse_args(["kb", "--help"])
        if command == "db":
            return _db(settings, args, parser)
        if command == "run":
            return _run_discord(settings)
        if command == "sync":
            return _sync(settings, args.guild)
        if command == "invite-url":
            return _invite_url(settings, args.app_id)
    except KnowledgeError as exc:
        print("faqbot: the knowledge base has errors; nothing was loaded:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_FAILED
    except CommandFailed as exc:
        words = (command, getattr(args, "kb_command", None), getattr(args, "db_command", None))
        print(f"faqbot {' '.join(w for w in words if w)}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except sqlite3.OperationalError as exc:  # e.g. another process holds the write lock
        words = (command, getattr(args, "kb_command", None), getattr(args, "db_command", None))
        print(
            f"faqbot {' '.join(w for w in words if w)}: the database {settings.db_path} cannot be "
            f"used right now ({exc}); if another faqbot or a backup is writing to it, wait for it "
            "to finish or stop it, then try again",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except UnknownRegion as exc:  # --locale / FAQBOT_LOCALE
        print(f"faqbot: locale: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK
    parser.print_help()
    return EXIT_USAGE


LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX order: the first one set wins


def _context(settings: Settings, directory: ResourceDirectory) -> tuple[AskContext, str]:
    """The terminal's region for crisis lines, and one line saying which (and how to change it).

    --locale / FAQBOT_LOCALE is the person's choice; then FAQBOT_REGION; then the system locale
    (LC_ALL, LC_MESSAGES, LANG, e.g. en_GB.UTF-8). Raises UnknownRegion for a --locale that is
    neither a region nor a locale.
    """
    codes = ", ".join(directory.codes())
    hint = f"add --locale CODE (or set FAQBOT_LOCALE=CODE), one of {codes}"
    chosen = system = None
    if settings.locale:
        found = directory.lookup(settings.locale)  # a typo must not silently mean "anywhere"
        chosen = (found or directory.regions[directory.fallback]).code
        source = f"--locale {settings.locale}"
    else:
        name = next((v for v in LOCALE_VARIABLES if os.environ.get(v)), "LANG")
        value = os.environ.get(name, "")
        with contextlib.suppress(UnknownRegion):  # the system's, not a typo of the person's
            system = directory.lookup(value)
        source = "FAQBOT_REGION" if settings.default_region else f"{name}={value}"
    context = AskContext(
        chosen_region=chosen,
        default_region=settings.default_region or (system.code if system else None),
        region_hint=hint,
    )
    # Which region, said once at the start of the chat (how it is chosen: bot.core.resources).
    region = directory.choose(chosen=chosen, default_region=context.default_region)
    if region.code != directory.fallback:
        return context, f"Crisis lines: {region.name} (from {source}). Another country: {hint}."
    unknown = f"I have no lines for {settings.locale}" if chosen else "I don't know your country"
    return context, (
        f"{unknown}, so crisis replies show international directories. To choose: {hint}."
    )


async def _ask(settings: Settings, question: str | None, as_json: bool) -> int:
    if question is None:
        print("faqbot ask: give a QUESTION, or - to read questions from stdin", file=sys.stderr)
        return EXIT_USAGE
    runtime = await start_runtime(settings)
    try:
        context, _ = _context(settings, runtime.engine.kb.resources)
        if question == "-":
            _answer_lines(runtime.engine, context, sys.stdin, sys.stdout, as_json)
        else:
            _emit(runtime.engine.answer(question, context), sys.stdout, as_json)
    finally:
        await runtime.close()
    return EXIT_OK


def _answer_lines(
    engine: Engine, context: AskContext, lines: TextIO, out: TextIO, as_json: bool
) -> None:
    for line in lines:
        _emit(engine.answer(line.rstrip("\r\n"), context), out, as_json)


def _emit(reply: Reply, out: TextIO, as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(reply_json(reply), ensure_ascii=False) + "\n")
    else:
        from bot.terminal import make_console, show  # rich: only for people reading

        show(make_console(out), render_text(reply))
        out.write("\n")
    out.flush()


async def _chat(settings: Settings) -> int:
    with contextlib.suppress(ImportError):  # not on every platform
        import readline  # noqa: F401  (line editing and history for input())
    runtime = await start_runtime(settings)
    engine = runtime.engine
    try:
        context, region_notice = _context(settings, engine.kb.resources)
    except UnknownRegion:
        await runtime.close()
        raise
    from bot.terminal import CHAT_HELP, Chat, make_console, show

    console = make_console()
    intro = [
        f"faqbot: {len(engine.entries)} vetted answers on trauma, depression and kratom.",
        CHAT_HELP,
        "If you are in danger right now, type /resources or call your local emergency number.",
        region_notice,
    ]
    show(console, "\n".join(intro))
    try:
        Chat(engine, context, console).run()
    finally:
        await runtime.close()
    return EXIT_OK


def _kb_check(settings: Settings) -> int:
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


async def _kb_export(settings: Settings, target: Path) -> int:
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


async def _kb_import(settings: Settings, files: list[Path], author: str, reason: str) -> int:
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


async def _kb_drafts(settings: Settings) -> int:
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


def _kb_review(settings: Settings, args: argparse.Namespace) -> int:
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


def _db(settings: Settings, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from bot.knowledge.dbops import (
        DatabaseError,
        backup_database,
        restore_database,
        schema_version_of,
    )
    from bot.knowledge.migrations import SCHEMA_VERSION
    from bot.knowledge.store import KnowledgeStore

    try:
        if args.db_command == "backup":
            written = backup_database(settings.db_path, args.path)
            print(f"backed up {settings.db_path} to {written}")
            return EXIT_OK
        if args.db_command == "restore":
            kept = restore_database(args.path, settings.db_path, SCHEMA_VERSION)
            if kept:
                print(f"the previous database is kept at {kept}")
            print(f"restored {args.path} to {settings.db_path}")
            return EXIT_OK
        if args.db_command == "migrate":
            before = schema_version_of(settings.db_path) if settings.db_path.exists() else 0

            async def migrate() -> int:
                store = await KnowledgeStore.open(settings.db_path)
                try:
                    return await store.schema_version()
                finally:
                    await store.close()

            after = asyncio.run(migrate())
            print(f"database schema {before} -> {after} ({settings.db_path})")
            return EXIT_OK
    except DatabaseError as exc:
        print(f"faqbot db: {exc}; nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    parser.parse_args(["db", "--help"])
    return EXIT_USAGE


def _needs_token(settings: Settings, command: str) -> bool:
    if settings.discord_token:
        return True
    print(f"faqbot {command}: set DISCORD_TOKEN (see the README's Discord setup)", file=sys.stderr)
    return False


def _run_discord(settings: Settings) -> int:
    if not _needs_token(settings, "run"):
        return EXIT_USAGE
    from bot.discord_app.runner import run_bot  # discord.py is only imported for Discord
    from bot.instance_lock import InstanceBusy, instance_lock

    try:
        # One bot per database: a second one would serve from stale cached settings.
        with instance_lock(settings.db_path):
            return run_bot(settings)
    except InstanceBusy as exc:
        print(f"faqbot run: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _sync(settings: Settings, guild: int | None) -> int:
    if not _needs_token(settings, "sync"):
        return EXIT_USAGE
    from bot.discord_app.runner import sync_commands

    names = _with_discord(sync_commands(settings, guild))
    where = f"server {guild}" if guild else "all servers (may take up to an hour to show)"
    print(f"registered {len(names)} commands in {where}: {', '.join(sorted(names))}")
    return EXIT_OK


def _invite_url(settings: Settings, app_id: int | None) -> int:
    from bot.discord_app.runner import application_id, invite_url

    if app_id is None:
        if not _needs_token(settings, "invite-url"):
            return EXIT_USAGE
        app_id = _with_discord(application_id(settings))
    print(invite_url(app_id))
    return EXIT_OK


def _with_discord(call: Coroutine[Any, Any, T]) -> T:
    """Run a call to Discord; a refused token or no connection is one line, not a traceback."""
    from bot.discord_app.runner import discord_problem

    try:
        return asyncio.run(call)
    except Exception as error:
        problem = discord_problem(error)
        if problem is None:
            raise
        raise CommandFailed(problem) from error


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
