"""Asking from the terminal: `faqbot chat`, `faqbot ask` (and its JSON contract), and which
region's crisis lines the terminal shows."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from typing import Any, TextIO

from bot.cli.common import EXIT_OK, EXIT_USAGE
from bot.config import Settings
from bot.core.engine import AskContext, Engine
from bot.core.reply import Reply
from bot.core.resources import ResourceDirectory, UnknownRegion
from bot.render.plain import render_text
from bot.runtime import start_runtime


def add_parsers(sub: Any, common: argparse.ArgumentParser, locale: argparse.ArgumentParser) -> None:
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


async def ask(settings: Settings, question: str | None, as_json: bool) -> int:
    if question is None:
        print("faqbot ask: give a QUESTION, or - to read questions from stdin", file=sys.stderr)
        return EXIT_USAGE
    if not question.strip():
        print("faqbot ask: the question is empty (or use --json - for stdin)", file=sys.stderr)
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


async def chat(settings: Settings) -> int:
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
