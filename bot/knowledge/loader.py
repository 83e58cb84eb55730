"""Load and validate the knowledge directory: FAQ files, resources, safety rules, matching data.

All-or-nothing: if any file has an error, `load_knowledge` raises KnowledgeError with every
problem found (file, line, field), and nothing half-loaded is returned to go live.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.analysis import MatchingConfig, phrasing_key
from bot.core.crisis_model import CrisisClassifier, parse_classifier
from bot.core.entry import Entry
from bot.core.entry_model import EntryClassifier, parse_entry_classifier
from bot.core.resources import ResourceDirectory
from bot.core.safety import SafetyConfig
from bot.knowledge.matching_yaml import parse_matching
from bot.knowledge.resources_yaml import parse_resources
from bot.knowledge.safety_yaml import parse_safety
from bot.knowledge.schema import (
    STRICT_URL,
    TAG_PATTERN,
    SourceDomains,
    validate_entry,
)
from bot.knowledge.yamlsource import (
    KnowledgeError,
    Located,
    Problem,
    Problems,
    field_name,
    parse_yaml,
)

FAQ_DIR = "faq"
RESOURCES_FILE = "resources.yaml"
SAFETY_FILE = "safety.yaml"
MATCHING_FILE = "matching.yaml"
SOURCE_DOMAINS_FILE = "source_domains.yaml"
# Optional: without it (or without the model it was trained for) the rules screen alone.
CLASSIFIER_FILE = "crisis_classifier.json"
# Optional too: without it the matcher fuses the lexical score and cosine alone.
ENTRY_CLASSIFIER_FILE = "entry_classifier.json"


@dataclass
class LoadedKnowledge:
    entries: list[Entry]
    resources: ResourceDirectory
    safety: SafetyConfig
    matching: MatchingConfig
    topics: dict[str, str]  # topic slug -> display title
    warnings: list[Problem] = field(default_factory=list)
    classifier: CrisisClassifier | None = None
    entry_classifier: EntryClassifier | None = None
    source_domains: SourceDomains = field(default_factory=lambda: SourceDomains({}))


def _read(path: Path, root: Path) -> Located:
    shown = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeError([Problem(shown, None, "", "file is missing")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError([Problem(shown, None, "", f"cannot read: {exc}")]) from None
    return parse_yaml(text, shown)


def parse_source_domains(src: Located) -> tuple[SourceDomains | None, list[Problem]]:
    """The allow-list: `domains:` mapping each domain to the body it belongs to."""
    domains = src.data.get("domains") if isinstance(src.data, dict) else None
    if not isinstance(domains, dict) or not domains:
        return None, [Problem(src.file, src.line(()), "domains", "must map domains to bodies")]
    problems = []
    for domain, body in domains.items():
        where = src.line(("domains", domain))
        if not isinstance(domain, str) or not STRICT_URL.fullmatch(f"https://{domain}"):
            problems.append(Problem(src.file, where, str(domain), "is not a domain name"))
        elif domain != domain.lower() or domain.startswith("www."):
            problems.append(Problem(src.file, where, domain, "write it lowercase, without www."))
        if not isinstance(body, str) or not body.strip():
            problems.append(Problem(src.file, where, str(domain), "name the body it belongs to"))
    return SourceDomains({str(d): str(b) for d, b in domains.items()}), problems


def parse_faq_file(
    src: Located,
    topic: str,
    today: dt.date | None = None,
    source_domains: SourceDomains | None = None,
) -> tuple[list[Entry], str, list[Problem]]:
    """Entries of one FAQ file (topic = file stem), its display title, and its problems.

    With `source_domains`, a source from a domain not on the allow-list is an error."""
    problem = Problems.of(src)
    problems = problem.found
    data: Any = src.data
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        problem(("entries",), "must be a list of entries")
        return [], topic, problems
    unknown = set(data) - {"title", "entries"}
    for key in sorted(unknown):
        problem((key,), "unknown top-level field")
    title = data.get("title") or topic.replace("-", " ").title()
    if not isinstance(title, str):
        problem(("title",), "must be text")
        title = topic
    if not TAG_PATTERN.match(topic):
        problems.append(Problem(src.file, None, "", "file name must be lowercase kebab-case"))
    entries: list[Entry] = []
    for i, raw in enumerate(data["entries"]):
        entry, found = validate_entry(
            raw,
            file=src.file,
            path=("entries", i),
            line_of=src.line,
            topic=topic,
            today=today,
            source_domains=source_domains,
        )
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
    return entries, title, problems


# Phrasing keys by (config, phrasings): a moderator's check compares one entry with every live
# one, and analysing every phrasing again each time cost seconds at a few thousand entries.
# Bounded; safe to share between threads (dict operations are atomic).
Keys = tuple[tuple[str, str], ...]
_KEYS: dict[tuple[int, tuple[str, ...]], tuple[MatchingConfig | None, Keys]] = {}
MAX_KEYED_ENTRIES = 6_000  # a FAQ of a few thousand entries, plus drafts


def phrasing_keys(entry: Entry, matching: MatchingConfig | None) -> Keys:
    """Per phrasing: its key under `matching` and its plain key, remembered for the next check."""
    cache_key = (id(matching), entry.phrasings)
    found = _KEYS.get(cache_key)
    if found is not None and found[0] is matching:
        return found[1]
    keys = tuple((phrasing_key(p, matching), phrasing_key(p)) for p in entry.phrasings)
    if len(_KEYS) >= MAX_KEYED_ENTRIES:
        _KEYS.clear()
    _KEYS[cache_key] = (matching, keys)
    return keys


def cross_check(
    located: Sequence[tuple[Entry, str, int | None]], matching: MatchingConfig | None
) -> list[Problem]:
    """Checks across entries: unique ids, and no phrasing claimed by two entries.

    `located` pairs each entry with the file and line of its id.
    """
    problems: list[Problem] = []
    seen_ids: dict[str, str] = {}
    claimed: dict[str, str] = {}
    for entry, file, line in located:
        if entry.id in seen_ids:
            problems.append(
                Problem(
                    file, line, "id", f"duplicate id {entry.id!r} (also in {seen_ids[entry.id]})"
                )
            )
            continue
        seen_ids[entry.id] = file
        own: set[str] = set()
        keys = phrasing_keys(entry, matching)
        for phrasing, (key, plain) in zip(entry.phrasings, keys, strict=True):
            if key in claimed and claimed[key] != entry.id:
                problems.append(
                    Problem(
                        file,
                        line,
                        f"{entry.id}.alternates",
                        f"phrasing {phrasing!r} is also claimed by entry {claimed[key]!r}",
                    )
                )
            elif plain in own:
                problems.append(
                    Problem(
                        file, line, f"{entry.id}.alternates", f"{phrasing!r} is repeated", "warning"
                    )
                )
            claimed.setdefault(key, entry.id)
            own.add(plain)
    return problems


def id_lines(src: Located) -> dict[str, int | None]:
    """Line of each entry's id in one file (last wins, so a duplicate points at itself)."""
    out: dict[str, int | None] = {}
    raw_entries = src.data.get("entries") if isinstance(src.data, dict) else None
    for i, raw in enumerate(raw_entries or []):
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            out[raw["id"]] = src.line(("entries", i, "id"))
    return out


def load_knowledge(root: Path, today: dt.date | None = None) -> LoadedKnowledge:
    """Load everything under `root`; raise KnowledgeError listing every error."""
    root = root.resolve()
    problems: list[Problem] = []

    def attempt(name: str) -> Located | None:
        try:
            return _read(root / name, root)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
            return None

    resources = safety = matching = None
    if (src := attempt(RESOURCES_FILE)) is not None:
        resources, found = parse_resources(src)
        problems.extend(found)
    if (src := attempt(SAFETY_FILE)) is not None:
        safety, found = parse_safety(src)
        problems.extend(found)
    if (src := attempt(MATCHING_FILE)) is not None:
        matching, found = parse_matching(src)
        problems.extend(found)
    source_domains = None
    if (src := attempt(SOURCE_DOMAINS_FILE)) is not None:
        source_domains, found = parse_source_domains(src)
        problems.extend(found)

    classifier = None
    classifier_file = root / CLASSIFIER_FILE
    if classifier_file.is_file():
        try:
            classifier, reasons = parse_classifier(json.loads(classifier_file.read_text()))
        except (OSError, ValueError) as exc:
            classifier, reasons = None, [f"cannot read: {exc}"]
        problems.extend(Problem(CLASSIFIER_FILE, None, "", reason) for reason in reasons)
    entry_classifier = None
    entry_classifier_file = root / ENTRY_CLASSIFIER_FILE
    if entry_classifier_file.is_file():
        try:
            data = json.loads(entry_classifier_file.read_text())
            entry_classifier, reasons = parse_entry_classifier(data)
        except (OSError, ValueError) as exc:
            entry_classifier, reasons = None, [f"cannot read: {exc}"]
        problems.extend(Problem(ENTRY_CLASSIFIER_FILE, None, "", r) for r in reasons)

    faq_dir = root / FAQ_DIR
    files = sorted(faq_dir.glob("*.yaml")) if faq_dir.is_dir() else []
    if not files:
        problems.append(Problem(f"{root.name}/{FAQ_DIR}", None, "", "no FAQ files (*.yaml) found"))
    entries: list[Entry] = []
    located: list[tuple[Entry, str, int | None]] = []
    topics: dict[str, str] = {}
    for path in files:
        src = attempt(str(path.relative_to(root)))
        if src is None:
            continue
        # (Without a readable allow-list its own error is reported, not one per source.)
        found_entries, title, found = parse_faq_file(src, path.stem, today, source_domains)
        problems.extend(found)
        topics[path.stem] = title
        lines = id_lines(src)
        located.extend((e, src.file, lines.get(e.id)) for e in found_entries)
        entries.extend(found_entries)
    problems.extend(cross_check(located, matching))

    errors = [p for p in problems if p.severity == "error"]
    if errors or resources is None or safety is None or matching is None:
        raise KnowledgeError(errors or problems)
    assert source_domains is not None  # else its problem is an error
    return LoadedKnowledge(
        entries=entries,
        resources=resources,
        safety=safety,
        matching=matching,
        topics=topics,
        warnings=[p for p in problems if p.severity == "warning"],
        classifier=classifier,
        entry_classifier=entry_classifier,
        source_domains=source_domains,
    )


__all__ = ["KnowledgeError", "LoadedKnowledge", "Problem", "field_name", "load_knowledge"]
