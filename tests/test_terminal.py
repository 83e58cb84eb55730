"""The terminal chat as a person uses it: the real `faqbot chat` process, piped or on a pty."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from bot.terminal import GOODBYE, GREETING_REPLY, THANKS_REPLY
from tests.conftest import RunCli

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def replies(stdout: str) -> list[str]:
    """What faqbot said, one string per reply, with the hanging indent taken off."""
    blocks = re.findall(r"(?ms)^faqbot> (.*?)(?=^you> |\Z)", stdout)
    return [re.sub(r"(?m)^ {8}", "", block).strip() for block in blocks]


def plain(markdown: str) -> str:
    return markdown.replace("*", "")


@pytest.mark.parametrize("word", ["quit", "exit", ":q", "bye", "Bye!"])
def test_quit_words_end_the_chat(run_cli: RunCli, word: str) -> None:
    # With the model on (the default), a lone "bye" can read as a goodbye in the other sense:
    # the crisis lines may come first, but the chat still ends, and its goodbye says where
    # help is.
    result = run_cli("chat", "--locale", "GB", input=f"{word}\nwhat is kratom\n")
    assert result.returncode == 0, result.stderr
    said = replies(result.stdout)
    assert len(said) == 1 and said[0].endswith(GOODBYE)
    assert said[0] == GOODBYE or "Samaritans" in said[0]
    assert "What is kratom?" not in result.stdout


def test_commands_greetings_and_thanks(run_cli: RunCli) -> None:
    lines = ["/foo", "hi", "Hello there!", "thx that helped", "thanks!", "/help"]
    result = run_cli("chat", "--locale", "GB", input="\n".join(lines) + "\n")
    said = replies(result.stdout)
    assert said[0].startswith("There is no command /foo. Commands: /resources, /help, /quit")
    assert said[1:5] == [plain(GREETING_REPLY)] * 2 + [THANKS_REPLY] * 2
    assert "quit, exit, bye" in said[5]
    assert "helper" not in result.stdout.lower()


def test_a_greeting_never_skips_the_safety_screen(run_cli: RunCli) -> None:
    lines = ["hi, i want to die", "thanks, i want to kill myself", "bye, i took all my pills"]
    result = run_cli("chat", "--locale", "GB", input="\n".join(lines) + "\n")
    said = replies(result.stdout)
    assert len(said) == 3, result.stdout  # the quit word with a crisis did not end the chat
    for reply in said:
        assert "Samaritans" in reply or "999" in reply, reply
        assert reply not in (plain(GREETING_REPLY), THANKS_REPLY, GOODBYE)


def test_no_helpers_in_the_terminal(run_cli: RunCli) -> None:
    result = run_cli("chat", input="best pizza topping\nwhat is the best vpn\n")
    said = replies(result.stdout)
    assert len(said) == 2 and all("vetted answer" in reply for reply in said)
    assert "helper" not in result.stdout.lower()


def test_piped_replies_are_plain_text_with_a_hanging_indent(run_cli: RunCli) -> None:
    result = run_cli("chat", "--locale", "US", input="what is kratom\n")
    out = result.stdout
    assert "Kratom (Mitragyna speciosa) is a tropical tree" in out  # no *...* left
    assert "*" not in out and "\x1b[" not in out
    padded = [line for line in out.splitlines() if line != line.rstrip() and line != "you> "]
    assert not padded  # rich pads lines to the width: none of it is left
    reply = out[out.index("faqbot> What is kratom?") :].splitlines()[1:]
    assert all(line.startswith(" " * 8) or not line or line == "you> " for line in reply)
    assert "- https://nida.nih.gov/research-topics/kratom" not in out  # a list item, bulleted


def test_ask_renders_but_its_json_keeps_the_markdown(run_cli: RunCli) -> None:
    human = run_cli("ask", "what is kratom").stdout
    assert "Kratom (Mitragyna speciosa)" in human and "*" not in human
    contract = json.loads(run_cli("ask", "--json", "what is kratom").stdout)
    assert "Kratom (*Mitragyna speciosa*)" in contract["text"]


def run_on_a_pty(tmp_path: Path, lines: list[str], columns: int) -> str:
    """`faqbot chat` with its output on a terminal `columns` wide; everything it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAQBOT_", "DISCORD_"))}
    env |= {"FAQBOT_DB": str(tmp_path / "pty.db"), "COLUMNS": str(columns), "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--locale", "GB"],
        stdin=subprocess.PIPE,
        stdout=child,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    )
    os.close(child)
    assert proc.stdin is not None
    proc.stdin.write(("\n".join(lines) + "\n").encode())
    proc.stdin.close()
    output = b""
    while True:  # read until the child closes the terminal (EIO on Linux): no sleeps
        ready, _, _ = select.select([main], [], [], 60)
        assert ready, "faqbot chat printed nothing for 60 s"
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(main)
    assert proc.wait(timeout=60) == 0
    return output.decode().replace("\r\n", "\n")


def test_on_a_terminal_replies_wrap_with_styles_and_whole_links(tmp_path: Path) -> None:
    out = run_on_a_pty(tmp_path, ["what is kratom", "i want to die"], columns=60)
    assert "\x1b[3mMitragyna speciosa\x1b[0m" in out  # italic, not *...*
    shown = ANSI.sub("", out)
    assert max(len(line) for line in shown.splitlines()) <= 60
    assert "…" not in shown  # a long link is folded onto the next line, not cut
    assert "public-health-focus/fda-and-kratom" in shown.replace("\n" + " " * 11, "")
    reply = shown[shown.index("faqbot> What is kratom?") :].split("you> ")[0].splitlines()[1:]
    assert all(line.startswith(" " * 8) or not line for line in reply), reply
    # The crisis reply keeps its line break (Discord shows it), under the same indent.
    assert "\n        If you might act on these thoughts" in shown
