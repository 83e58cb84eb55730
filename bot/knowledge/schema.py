"""The FAQ entry schema and its validation.

The same `validate_entry` checks YAML files, imports and (later) moderator edits, so "valid" means
one thing everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.entry import Entry as Entry  # re-exported: validation makes entries
from bot.core.reply import Source
from bot.knowledge.content_rules import content_problems
from bot.knowledge.yamlsource import LineOf, Path, Problem, Problems, no_line

MAX_ANSWER_CHARS = 1_500  # fits a Discord embed description with room for the rest
MAX_QUESTION_CHARS = 200
MAX_ALTERNATE_CHARS = 200
MAX_ALTERNATES = 60
MAX_SOURCES = 8
MAX_SOURCE_TITLE_CHARS = 200
MAX_URL_CHARS = 500
# Every entry must fit the moderators' edit form, where Discord allows 4,000 characters a text
# box: the phrasings (one a line) and the sources ("Title | URL" a line) are limited as a whole,
# with room left in the box to type past the limit and be told so. What an import accepts is
# therefore always what the form can show.
FORM_BOX_CHARS = 4000
MAX_ALTERNATES_TEXT = 3800
MAX_SOURCES_TEXT = 3800
MAX_TAG_CHARS = 32
MAX_TAGS = 12
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_PATTERN = re.compile(rf"^[a-z0-9][a-z0-9-]{{0,{MAX_TAG_CHARS - 1}}}$")
# Anything that could ping in Discord: @everyone/@here, user/role mentions, and their escapes.
MENTION_PATTERN = re.compile(r"@(everyone|here)\b|<@[!&]?\d*>?|<#\d+>", re.IGNORECASE)
# [text](url): the text can claim one site while the link goes to another (phishing).
MASKED_LINK = re.compile(r"\[[^\]]*\]\(\s*<?\w+:", re.IGNORECASE)
# A source URL is one token: https, a plain host name, then only characters that cannot end or
# open a link in Discord's markdown: no blanks, brackets, parentheses, angle brackets, quotes or
# anything outside ASCII (a U+2800 "blank" once smuggled a second, labelled link in).
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
STRICT_URL = re.compile(
    rf"https://(?P<host>{_LABEL}(?:\.{_LABEL})+)(?::\d{{1,5}})?(?:[/?#][A-Za-z0-9\-._~!$&'*+,;=:@%/?#]*)?",
    re.IGNORECASE,
)
URL_CHARACTERS = "letters, digits and - . _ ~ ! $ & ' * + , ; = : @ % / ? #"
# Characters that show as nothing or as a blank: a title must not hide text (or a link) in them.
_BLANK_LOOKING = {0x2800, 0x3164, 0x115F, 0x1160, 0xFFA0, 0x034F, 0x17B4, 0x17B5, 0x180E}

ENTRY_FIELDS = (
    "id",
    "question",
    "alternates",
    "answer",
    "sources",
    "tags",
    "clinical",
    "reviewed",
    "reviewer",
)
REQUIRED_FIELDS = ("id", "question", "answer", "sources", "reviewed", "reviewer")


def source_line(source: Source) -> str:
    """How the edit form shows (and reads back) a source."""
    return f"{source.title} | {source.url}"


def alternates_text(alternates: Sequence[str]) -> str:
    """How the edit form shows the other phrasings: one a line."""
    return "\n".join(alternates)


def sources_text(sources: Sequence[Source]) -> str:
    return "\n".join(source_line(s) for s in sources)


@dataclass(frozen=True)
class SourceDomains:
    """The allow-list of authoritative source domains (knowledge/source_domains.yaml): a source's
    host must be a listed domain or a subdomain of one (nih.gov covers nida.nih.gov)."""

    bodies: Mapping[str, str]  # domain -> the body it belongs to

    def body_of(self, url: str) -> str | None:
        host = source_host(url)
        while host:
            if host in self.bodies:
                return self.bodies[host]
            host = host.partition(".")[2]
        return None

    def unlisted(self, entry: Entry) -> list[str]:
        """Hosts of the entry's sources that are not on the list, in order, once each."""
        hosts = [source_host(s.url) for s in entry.sources if self.body_of(s.url) is None]
        return list(dict.fromkeys(hosts))


def source_host(url: str) -> str:
    found = STRICT_URL.fullmatch(url)
    return found.group("host").lower() if found else ""


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def hidden_character(text: str) -> str | None:
    """The first character that shows as nothing or a blank (other than a plain space)."""
    for ch in text:
        category = unicodedata.category(ch)
        invisible = category in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp", "Mn") and (
            category != "Mn" or ord(ch) in _BLANK_LOOKING or 0xFE00 <= ord(ch) <= 0xFE0F
        )
        if invisible or (category == "Zs" and ch != " ") or ord(ch) in _BLANK_LOOKING:
            return ch
    return None


def url_problem(url: str) -> str | None:
    """Why `url` is not one strict https web address (None when it is)."""
    if STRICT_URL.fullmatch(url) and len(url) <= MAX_URL_CHARS:
        return None
    if len(url) > MAX_URL_CHARS:
        return f"is {len(url)} characters; the limit is {MAX_URL_CHARS}"
    if not url.lower().startswith("https://"):
        return f"must be a web address starting with https:// (got {url[:80]!r})"
    rule = "must be one web address, with no spaces, brackets, parentheses or invisible characters"
    for ch in url:
        if ch.isspace() or hidden_character(ch):
            return f"{rule}; it contains {_describe(ch)}"
        if not ch.isascii() or not re.fullmatch(r"[A-Za-z0-9\-._~!$&'*+,;=:@%/?#]", ch):
            return f"{rule}; it contains {ch!r} (allowed: {URL_CHARACTERS})"
    return f"must be a well-formed https URL with a host name (got {url[:80]!r})"


def title_problem(title: str) -> str | None:
    """Why a source title could mislead (None when it is fine)."""
    if "[" in title or "]" in title:
        # Titles are shown as [title](url): a bracket could smuggle in a second link.
        return "must not contain [ or ]"
    if (ch := hidden_character(title)) is not None:
        return f"must not contain blank or invisible characters ({_describe(ch)})"
    if "://" in title or re.search(r"\bwww\.", title, re.IGNORECASE):
        return "must not contain a web address (put it after the |)"
    return None


def is_https_url(url: str) -> bool:
    return url_problem(url) is None


def validate_entry(
    raw: Any,
    *,
    file: str,
    path: Path = (),
    line_of: LineOf = no_line,
    topic: str = "",
    today: dt.date | None = None,
    source_domains: SourceDomains | None = None,
) -> tuple[Entry | None, list[Problem]]:
    """Check one raw entry; return the Entry (when there are no errors) and every problem found.

    With `source_domains` (the shipped knowledge), a source outside the allow-list is an error;
    a moderator's draft is checked without it and its new domains are called out in review.
    """
    problem = Problems(file, line_of, path)
    problems = problem.found

    if not isinstance(raw, dict):
        problem((), "an entry must be a mapping of fields")
        return None, problems

    for key in raw:
        if key not in ENTRY_FIELDS:
            problem((key,), f"unknown field (allowed: {', '.join(ENTRY_FIELDS)})")
    for key in REQUIRED_FIELDS:
        if key not in raw or raw[key] in (None, "", []):
            problem((key,), "is required")

    def text(key: str, limit: int) -> str:
        value = raw.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            problem((key,), "must be text")
            return ""
        value = value.strip()
        if len(value) > limit:
            problem((key,), f"is {len(value)} characters; the limit is {limit}")
        if MENTION_PATTERN.search(value):
            problem((key,), "must not contain mentions (@everyone, @here, <@...>)")
        if MASKED_LINK.search(value):
            problem((key,), "must not contain masked links ([text](url)); put links in sources")
        return value

    entry_id = text("id", 64)
    if entry_id and not ID_PATTERN.match(entry_id):
        problem(("id",), "must be kebab-case: lowercase letters, digits and single hyphens")
    question = text("question", MAX_QUESTION_CHARS)
    answer = text("answer", MAX_ANSWER_CHARS)
    for message in content_problems(answer):
        problem(("answer",), message)
    reviewer = text("reviewer", 100)

    alternates: list[str] = []
    raw_alternates = raw.get("alternates", [])
    if not isinstance(raw_alternates, list):
        problem(("alternates",), "must be a list of phrasings")
    else:
        if len(raw_alternates) > MAX_ALTERNATES:
            problem(
                ("alternates",), f"has {len(raw_alternates)} items; the limit is {MAX_ALTERNATES}"
            )
        for i, alt in enumerate(raw_alternates):
            if not isinstance(alt, str) or not alt.strip():
                problem(("alternates", i), "must be non-empty text")
                continue
            if len(alt) > MAX_ALTERNATE_CHARS:
                problem(("alternates", i), f"is longer than {MAX_ALTERNATE_CHARS} characters")
            if MENTION_PATTERN.search(alt):
                problem(("alternates", i), "must not contain mentions")
            if MASKED_LINK.search(alt):
                problem(("alternates", i), "must not contain masked links")
            alternates.append(alt.strip())
        if len(alternates_text(alternates)) > MAX_ALTERNATES_TEXT:
            problem(
                ("alternates",),
                f"together (one a line) they are {len(alternates_text(alternates))} characters; "
                f"the limit is {MAX_ALTERNATES_TEXT}, what the edit form can hold",
            )

    sources: list[Source] = []
    raw_sources = raw.get("sources", [])
    if not isinstance(raw_sources, list):
        problem(("sources",), "must be a list of {title, url}")
    else:
        if len(raw_sources) > MAX_SOURCES:
            problem(("sources",), f"has {len(raw_sources)} items; the limit is {MAX_SOURCES}")
        for i, src in enumerate(raw_sources):
            if not isinstance(src, dict) or set(src) != {"title", "url"}:
                problem(("sources", i), "must have exactly the fields title and url")
                continue
            title, url = src["title"], src["url"]
            if (
                not isinstance(title, str)
                or not title.strip()
                or len(title) > MAX_SOURCE_TITLE_CHARS
            ):
                problem(
                    ("sources", i, "title"),
                    f"must be text of 1-{MAX_SOURCE_TITLE_CHARS} characters",
                )
                continue
            if not isinstance(url, str):
                problem(("sources", i, "url"), "must be a web address starting with https://")
                continue
            if (why := url_problem(url.strip())) is not None:
                problem(("sources", i, "url"), why)
                continue
            if MENTION_PATTERN.search(title):
                problem(("sources", i, "title"), "must not contain mentions")
            if (why := title_problem(title.strip())) is not None:
                problem(("sources", i, "title"), why)
            if source_domains is not None and source_domains.body_of(url.strip()) is None:
                problem(
                    ("sources", i, "url"),
                    f"{source_host(url.strip())} is not on the allow-list of authoritative source "
                    "domains (knowledge/source_domains.yaml); add it there only for an "
                    "authoritative body",
                )
            sources.append(Source(title.strip(), url.strip()))
        if len(sources_text(sources)) > MAX_SOURCES_TEXT:
            problem(
                ("sources",),
                f"together (one 'Title | URL' a line) they are {len(sources_text(sources))} "
                f"characters; the limit is {MAX_SOURCES_TEXT}, what the edit form can hold",
            )

    tags: list[str] = []
    raw_tags = raw.get("tags", [])
    if not isinstance(raw_tags, list):
        problem(("tags",), "must be a list")
    else:
        if len(raw_tags) > MAX_TAGS:
            problem(("tags",), f"has {len(raw_tags)} items; the limit is {MAX_TAGS}")
        for i, tag in enumerate(raw_tags):
            if not isinstance(tag, str) or not TAG_PATTERN.match(tag):
                problem(("tags", i), "must be lowercase letters, digits and hyphens")
            else:
                tags.append(tag)

    clinical = raw.get("clinical", False)
    if not isinstance(clinical, bool):
        problem(("clinical",), "must be true or false")
        clinical = False

    reviewed = ""
    raw_reviewed = raw.get("reviewed")
    if isinstance(raw_reviewed, dt.datetime):
        raw_reviewed = raw_reviewed.date()
    if isinstance(raw_reviewed, str):
        try:
            raw_reviewed = dt.date.fromisoformat(raw_reviewed.strip())
        except ValueError:
            problem(("reviewed",), "must be an ISO date such as 2026-01-31")
    if isinstance(raw_reviewed, dt.date):
        reviewed = raw_reviewed.isoformat()
        now = today or dt.date.today()
        if raw_reviewed > now:
            problem(("reviewed",), "is in the future", "warning")
        elif (now - raw_reviewed).days > 365:
            problem(("reviewed",), "is more than 12 months old: please re-review", "warning")
    elif raw_reviewed not in (None, "") and not isinstance(raw_reviewed, str):
        problem(("reviewed",), "must be an ISO date such as 2026-01-31")

    if any(p.severity == "error" for p in problems):
        return None, problems
    return (
        Entry(
            id=entry_id,
            question=question,
            alternates=tuple(alternates),
            answer=answer,
            sources=tuple(sources),
            tags=tuple(tags),
            clinical=clinical,
            reviewed=reviewed,
            reviewer=reviewer,
            topic=topic,
        ),
        problems,
    )
