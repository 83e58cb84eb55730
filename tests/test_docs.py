"""The documentation stays true: every `faqbot ...` command it shows exists, every link resolves."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet

from bot.cli.app import build_parser
from tests.conftest import REPO

DOCS = sorted([REPO / "README.md", REPO / "knowledge" / "README.md", *(REPO / "docs").glob("*.md")])

FENCE = re.compile(r"(?ms)^```.*?^```")
INDENTED = re.compile(r"(?m)^(?: {4}|\t).*$")
SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
# `faqbot` as a word, not part of a path or name (/etc/faqbot, faqbot.env, faqbot-data, faqbot>).
PROGRAM = re.compile(r"(?<![\w.-])faqbot(?![\w./>-])")
ENV = re.compile(r"[A-Z_]+=\S*")
# What may come just before the program on a shell line (docker compose exec faqbot faqbot ...).
STARTS = {"&&", "||", ";", "|", "$", "sudo", "exec", "faqbot"}
WORD = re.compile(r"[a-z][a-z0-9-]*")


def _code(text: str) -> list[str]:
    """Every line of code in a Markdown file: fenced and indented blocks, and inline spans."""
    code = [line for block in FENCE.findall(text) for line in block.splitlines()[1:-1]]
    prose = FENCE.sub("", text)
    code += [line for line in INDENTED.findall(prose)]
    code += [" ".join(span.split()) for _, span in SPAN.findall(INDENTED.sub("", prose))]
    return code


def _invocations(line: str) -> list[list[str]]:
    """The words after each `faqbot` that this line runs as a program."""
    found = []
    for match in PROGRAM.finditer(line):
        head = line[: match.start()]
        before = [t for t in head.split() if not ENV.fullmatch(t)]
        if not head.endswith("bin/") and before and before[-1] not in STARTS:
            continue  # a user, service or image name (useradd ... faqbot, journalctl -u faqbot)
        rest = line[match.end() :].split("#")[0].replace("[", " ").replace("]", " ").split()
        if rest[:1] == ["faqbot"]:
            continue  # the container's name, followed by the program
        found.append(rest)
    return found


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> dict[str, bool]:
    """Each option string, and whether it takes a value."""
    return {flag: action.nargs != 0 for action in parser._actions for flag in action.option_strings}


def _check(words: list[str]) -> str | None:
    """What is wrong with `faqbot <words>`, or None if the CLI accepts its commands and options."""
    parser, path = build_parser(), ["faqbot"]
    tokens = iter(words)
    for token in tokens:
        if token.startswith("-") and token != "-":
            flag = token.split("=")[0]
            options = _options(parser)
            if flag not in options:
                if len(path) == 1 and not flag.startswith("--"):
                    continue  # a short option of another program on the same line
                return f"{' '.join(path)} has no option {flag}"
            if options[flag] and "=" not in token:
                next(tokens, None)
            continue
        commands = _subcommands(parser)
        if not commands or not WORD.fullmatch(token):
            break  # arguments (QUESTION, DIR, FILE...) from here on
        if token not in commands:
            return f"{' '.join(path)} has no command {token!r} (it has {', '.join(commands)})"
        parser = commands[token]
        path.append(token)
    return None


def _shown_commands() -> list[tuple[str, str]]:
    """(where, the words after `faqbot`) for every command the docs show."""
    return [
        (f"{doc.relative_to(REPO)}: {line.strip()}", " ".join(words))
        for doc in DOCS
        for line in _code(doc.read_text())
        for words in _invocations(line)
    ]


def _by_command() -> list[ParameterSet]:
    """One test per distinct command, naming every place that shows it."""
    places: dict[str, list[str]] = {}
    for where, words in _shown_commands():
        places.setdefault(words, []).append(where)
    return [
        pytest.param("\n".join(where), words, id=f"faqbot {words}".strip())
        for words, where in places.items()
    ]


def test_the_docs_show_commands() -> None:
    shown = {words.split(" ")[0] for _, words in _shown_commands() if words}
    assert {"kb", "db", "sync", "invite-url", "ask", "chat", "run"} <= shown


@pytest.mark.parametrize(("where", "words"), _by_command())
def test_every_command_shown_in_the_docs_exists(where: str, words: str) -> None:
    problem = _check(words.split())
    assert problem is None, f"{where}\n  {problem}"


def test_the_command_check_catches_what_does_not_exist() -> None:
    assert _check(["kb", "check"]) is None
    assert _check(["--db", "x.db", "db", "restore", "FILE"]) is None
    assert _check(["kb", "frobnicate"]) is not None
    assert _check(["serve"]) is not None
    assert _check(["sync", "--guilds", "1"]) is not None
    assert _invocations("docker compose exec faqbot faqbot sync --guild 1  # once") == [
        ["sync", "--guild", "1"]
    ]
    assert _invocations("sudo install -m 600 x /etc/faqbot/faqbot.env") == []
    assert _invocations("journalctl -u faqbot -f") == []
    assert _invocations("0 3 * * * faqbot /opt/faqbot/.venv/bin/faqbot db backup /b/") == [
        ["db", "backup", "/b/"]
    ]


REPO_PATH = re.compile(r"(?<![\w/.$~-])((?:bot|tests|knowledge|deploy|docs|\.ci)/[\w./<>*-]*)")
MODULE = re.compile(r"python -m ((?:bot|tests)(?:\.\w+)*)")


def _named_paths() -> list[ParameterSet]:
    """Repository paths and modules the docs name in code, e.g. `bot/core/matcher.py`."""
    named: dict[str, list[str]] = {}
    for doc in DOCS:
        for line in _code(doc.read_text()):
            for path in REPO_PATH.findall(line):
                named.setdefault(path.rstrip(".,"), []).append(str(doc.relative_to(REPO)))
            for module in MODULE.findall(line):
                named.setdefault(module.replace(".", "/"), []).append(str(doc.relative_to(REPO)))
    return [pytest.param(", ".join(sorted(set(w))), p, id=p) for p, w in named.items()]


# Files the docs tell the reader to create.
MADE_BY_THE_READER = {"deploy/.env"}


@pytest.mark.parametrize(("where", "path"), _named_paths())
def test_every_repository_path_named_in_the_docs_exists(where: str, path: str) -> None:
    if path in MADE_BY_THE_READER:
        return
    pattern = re.sub(r"<[^>]*>", "*", path).rstrip("/")
    found = list(REPO.glob(pattern)) + list(REPO.glob(pattern + ".py"))
    assert found, f"{where}: {path} does not exist"


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    text = FENCE.sub("", doc.read_text())
    return {_slug(h) for h in re.findall(r"(?m)^#{1,6} (.+)$", text)}


def _links() -> list[ParameterSet]:
    links = []
    for doc in DOCS:
        prose = SPAN.sub("", INDENTED.sub("", FENCE.sub("", doc.read_text())))
        for target in re.findall(r"\]\(([^)\s]+)\)", prose):
            if not re.match(r"[a-z]+:", target):
                file, _, anchor = target.partition("#")
                where = str(doc.relative_to(REPO))
                links.append(pytest.param(where, doc, file, anchor, id=f"{where} -> {target}"))
    return links


@pytest.mark.parametrize(("where", "doc", "file", "anchor"), _links())
def test_every_relative_link_in_the_docs_resolves(
    where: str, doc: Path, file: str, anchor: str
) -> None:
    target = (doc.parent / file).resolve() if file else doc
    assert target.is_file(), f"{where}: {file} does not exist"
    if anchor and target.suffix == ".md":
        assert anchor in _anchors(target), f"{where}: {file} has no heading #{anchor}"


def test_the_readme_links_every_doc() -> None:
    readme = (REPO / "README.md").read_text()
    for doc in (REPO / "docs").glob("*.md"):
        assert f"(docs/{doc.name})" in readme, f"the README does not link docs/{doc.name}"
