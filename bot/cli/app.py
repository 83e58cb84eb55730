"""faqbot's command line: the parser, and `main`, which turns every failure a user can fix
into one line and an exit code. The commands live beside it: ask (terminal chat and answers),
kb, db, run (Discord)."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bot.cli import ask, db, kb, run
from bot.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CommandFailed
from bot.config import SettingError, Settings, settings_help
from bot.core.resources import UnknownRegion
from bot.knowledge.yamlsource import KnowledgeError

DESCRIPTION = f"""\
faqbot answers questions about trauma, depression and kratom from a vetted FAQ, always with a
safety note, and puts crisis resources first when a message signals danger.

With no command: the Discord bot when DISCORD_TOKEN is set, otherwise the terminal chat.

settings (environment variables; a flag overrides its variable):
{settings_help()}
"""


def build_parser() -> argparse.ArgumentParser:
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
    ask.add_parsers(sub, common, locale)
    kb.add_parser(sub, common)
    db.add_parser(sub, common)
    run.add_parsers(sub, common)
    return parser


def _version() -> str:
    try:
        return version("faqbot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "start"
    try:
        settings = Settings.from_env().with_overrides(
            db_path=args.db, knowledge_dir=args.knowledge, locale=getattr(args, "locale", None)
        )
    except SettingError as exc:
        print(f"faqbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if command == "start":
        command = "run" if settings.discord_token else "chat"
    # How failures name the command: "faqbot kb import: ...".
    words = (command, getattr(args, "kb_command", None), getattr(args, "db_command", None))
    said = " ".join(w for w in words if w)
    try:
        if command == "chat":
            return asyncio.run(ask.chat(settings))
        if command == "ask":
            return asyncio.run(ask.ask(settings, args.question, args.json))
        if command == "kb":
            return kb.run(settings, args)
        if command == "db":
            return db.run(settings, args)
        if command == "run":
            return run.run(settings)
        if command == "sync":
            return run.sync(settings, args.guild)
        if command == "invite-url":
            return run.invite_url(settings, args.app_id)
    except KnowledgeError as exc:
        print("faqbot: the knowledge base has errors; nothing was loaded:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_FAILED
    except CommandFailed as exc:
        print(f"faqbot {said}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except sqlite3.OperationalError as exc:  # e.g. another process holds the write lock
        print(
            f"faqbot {said}: the database {settings.db_path} cannot be "
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
