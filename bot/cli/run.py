"""The Discord side of the command line: `faqbot run`, `sync` and `invite-url`. discord.py is
imported only when one of them runs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

from bot.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CommandFailed
from bot.config import Settings

T = TypeVar("T")


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
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


def _needs_token(settings: Settings, command: str) -> bool:
    if settings.discord_token:
        return True
    print(f"faqbot {command}: set DISCORD_TOKEN (see the README's Discord setup)", file=sys.stderr)
    return False


def run(settings: Settings) -> int:
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


def sync(settings: Settings, guild: int | None) -> int:
    if not _needs_token(settings, "sync"):
        return EXIT_USAGE
    from bot.discord_app.runner import sync_commands

    names = _with_discord(sync_commands(settings, guild))
    where = f"server {guild}" if guild else "all servers (may take up to an hour to show)"
    print(f"registered {len(names)} commands in {where}: {', '.join(sorted(names))}")
    return EXIT_OK


def invite_url(settings: Settings, app_id: int | None) -> int:
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
