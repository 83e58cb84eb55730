"""The terminal: how replies look there, and the chat loop.

Replies are Markdown, the same text Discord shows. In a terminal it is rendered with rich:
wrapped to the terminal's width with a hanging indent, bold and italic as terminal styles,
links as "text (url)". Piped, the same text comes out plain (no styles, no `**`) and unwrapped,
one line per paragraph, for other programs to read.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from itertools import pairwise
from typing import TextIO

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from bot.core.engine import AskContext, Engine
from bot.core.reply import Reply
from bot.render.plain import render_text

SPEAKER = "faqbot> "
PIPE_WIDTH = 10_000  # piped output is not wrapped: one line per paragraph
COMMANDS = {
    "/resources": "crisis and support lines",
    "/help": "this help",
    "/quit": "end the chat; so do quit, exit, bye, :q and Ctrl-D",
}
CHAT_HELP = (
    "Type a question and press Enter. Commands: "
    + ", ".join(f"{name} ({what})" for name, what in COMMANDS.items())
    + ". Nothing you type here is stored."
)
# Typed alone, these end the chat (`goodbye` is not one: alone it reads as a farewell).
QUIT_WORDS = frozenset({"quit", "exit", "bye", ":q", "/quit", "/exit", "/q"})
GREETING = re.compile(
    r"(hi|hello|hey|heya|hiya|howdy|yo|good (morning|afternoon|evening))( there)?"
    r"( (bot|faqbot))?"
)
THANKS = re.compile(
    r"((ok|okay|great|cool|perfect|awesome) )?"
    r"((thanks|thank you|thank u|thx|ty|cheers)( (so much|a lot|again))?)?"
    r"( ?(that|this|it) (helped|helps|was helpful|was useful)( a lot)?)?"
    r"( (thanks|thank you|thx))?"
)
GREETING_REPLY = (
    "Hi! Ask me about trauma, depression or kratom, for example *what is PTSD?* or "
    "*is kratom addictive?* Type /resources for crisis and support lines."
)
THANKS_REPLY = (
    "You're welcome. Ask another question any time; /resources lists people you can talk to."
)
GOODBYE = (
    "Take care. If you ever need someone right now, call your local emergency number, or "
    "start faqbot again and type /resources."
)


def make_console(file: TextIO | None = None) -> Console:
    out = sys.stdout if file is None else file
    tty = out.isatty()
    # highlight off: rich would colour numbers and words it guesses at, not what the reply says.
    return Console(file=out, highlight=False, width=None if tty else PIPE_WIDTH)


def show(console: Console, markdown: str, speaker: str = "") -> None:
    """`markdown` rendered for the console; after `speaker`, every line indented under it."""
    body = Markdown(_keep_line_breaks(markdown), hyperlinks=False)
    renderable: Table | Markdown = body
    if speaker:
        renderable = Table.grid()
        renderable.add_column(width=len(speaker), no_wrap=True)
        renderable.add_column(overflow="fold")
        renderable.add_row(speaker.rstrip(), body)
    with console.capture() as captured:
        console.print(renderable, overflow="fold")  # a long link folds, never cut with "…"
    # rich pads every line to the full width; the padding is noise in a terminal and a pipe.
    text = "\n".join(line.rstrip() for line in captured.get().splitlines())
    console.file.write(text + "\n")
    console.file.flush()


_LIST_ITEM = re.compile(r"\s*([-*+]|\d+[.)])\s")


def _keep_line_breaks(markdown: str) -> str:
    """A line break in a reply is meant (Discord shows it): make it a Markdown hard break."""
    lines = markdown.split("\n")
    for i, (line, after) in enumerate(pairwise(lines)):
        if line.strip() and after.strip() and not _LIST_ITEM.match(after):
            lines[i] = line + "  "
    return "\n".join(lines)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+|^[:/][a-z]+", text.lower()))


class Chat:
    """One terminal conversation. Every line that is not a command goes through the engine,
    safety screen first, before anything else is decided about it."""

    def __init__(self, engine: Engine, context: AskContext, console: Console) -> None:
        self.engine, self.context, self.console = engine, context, console

    def run(self, read: Callable[[str], str] = input) -> None:
        while True:
            try:
                line = read("you> ")
            except EOFError:
                self.console.file.write("\n")
                return
            if not self.turn(line.strip()):
                self.say(GOODBYE)
                return

    def say(self, markdown: str) -> None:
        self.console.file.write("\n")
        show(self.console, markdown, SPEAKER)
        self.console.file.write("\n")

    def reply(self, reply: Reply) -> None:
        self.say(render_text(reply))

    def turn(self, text: str) -> bool:
        """Answer one line; False when it ends the chat."""
        command = text.lower()
        if not text:
            return True
        if command == "/help":
            self.say(CHAT_HELP)
            return True
        if command == "/resources":
            self.reply(self.engine.resources_reply(self.context))
            return True
        if command.startswith("/") and command in QUIT_WORDS:
            return False
        reply = self.engine.answer(text, self.context)
        words = _words(text)
        quitting = words in QUIT_WORDS or command in QUIT_WORDS
        if reply.is_crisis:  # crisis first: even a quit word does not skip it
            self.reply(reply)
            # A bare "bye" can read as a goodbye in the other sense: the lines come first, and
            # then the chat still ends, as the person asked.
            return not quitting
        if quitting:
            return False  # the goodbye points to help, for a check-in the screen was unsure of
        if reply.possible_crisis is not None:
            self.reply(reply)
        elif re.match(r"/\w", command):
            known = ", ".join(COMMANDS)
            self.say(f"There is no command {text.split()[0]}. Commands: {known}.")
        elif words and GREETING.fullmatch(words):
            self.say(GREETING_REPLY)
        elif words and THANKS.fullmatch(words):
            self.say(THANKS_REPLY)
        else:
            self.reply(reply)
        return True
