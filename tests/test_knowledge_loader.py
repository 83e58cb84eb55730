"""Broken knowledge is refused whole, and every error names file, line and field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.knowledge.loader import load_knowledge
from bot.knowledge.schema import validate_entry
from bot.knowledge.yamlsource import KnowledgeError, parse_yaml
from tests.conftest import RunCli

GOOD_ENTRY = """\
title: Test
entries:
  - id: test-entry
    question: What is a test entry?
    alternates: [what is a test, test entry please, explain the test, "test?", a test]
    answer: A test.
    sources:
      - title: NIMH
        url: https://www.nimh.nih.gov/health/topics/depression
    tags: [test]
    clinical: false
    reviewed: 2026-11-01
    reviewer: tester
"""


def write_faq(root: Path, name: str, text: str) -> Path:
    path = root / "faq" / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(root, today=dt.date(2026, 11, 24))
    return [str(p) for p in info.value.problems]


def test_shipped_knowledge_loads(knowledge_copy: Path) -> None:
    loaded = load_knowledge(knowledge_copy)
    assert len(loaded.entries) >= 55


def test_invalid_yaml_names_file_and_line(knowledge_copy: Path) -> None:
    write_faq(knowledge_copy, "broken.yaml", "entries:\n  - id: x\n    question: [unclosed\n")
    problems = errors_of(knowledge_copy)
    assert any(p.startswith("knowledge/faq/broken.yaml:") and "invalid YAML" in p for p in problems)


def test_missing_field_names_field_and_line(knowledge_copy: Path) -> None:
    text = GOOD_ENTRY.replace("    answer: A test.\n", "")
    write_faq(knowledge_copy, "extra.yaml", text)
    problems = errors_of(knowledge_copy)
    assert "knowledge/faq/extra.yaml:3: error: entries[0].answer: is required" in problems


def test_http_url_and_mentions_are_rejected_with_lines(knowledge_copy: Path) -> None:
    text = GOOD_ENTRY.replace("https://www.nimh", "http://www.nimh").replace(
        "A test.", "A test @everyone"
    )
    write_faq(knowledge_copy, "extra.yaml", text)
    problems = errors_of(knowledge_copy)
    assert any(
        ":9: error: entries[0].sources[0].url: must be a web address starting with https://" in p
        for p in problems
    )
    assert any(":6: error: entries[0].answer: must not contain mentions" in p for p in problems)


def test_duplicate_id_across_files(knowledge_copy: Path) -> None:
    write_faq(knowledge_copy, "extra.yaml", GOOD_ENTRY.replace("test-entry", "kratom-what-is"))
    problems = errors_of(knowledge_copy)
    # Whichever file loads second is flagged, and the message names the other one.
    assert any(
        "duplicate id 'kratom-what-is'" in p and "extra.yaml" in p and "kratom.yaml" in p
        for p in problems
    )


def test_phrasing_claimed_by_two_entries(knowledge_copy: Path) -> None:
    # "zz-" sorts after kratom.yaml, so the new file's phrasing is the one flagged.
    write_faq(
        knowledge_copy, "zz-extra.yaml", GOOD_ENTRY.replace("what is a test,", '"What is kratom?",')
    )
    problems = errors_of(knowledge_copy)
    assert any(
        "zz-extra.yaml" in p and "'What is kratom?' is also claimed by entry 'kratom-what-is'" in p
        for p in problems
    )


def test_yaml_aliases_are_refused() -> None:
    bomb = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"
    with pytest.raises(KnowledgeError) as info:
        parse_yaml(bomb, "bomb.yaml")
    assert "anchors and aliases are not allowed" in str(info.value)


def test_answer_too_long_and_bad_id() -> None:
    raw = {
        "id": "Bad_ID",
        "question": "q?",
        "answer": "x" * 1501,
        "sources": [{"title": "t", "url": "https://example.org"}],
        "reviewed": "2026-01-01",
        "reviewer": "r",
    }
    entry, problems = validate_entry(raw, file="f.yaml")
    assert entry is None
    messages = {p.field: p.message for p in problems}
    assert "kebab-case" in messages["id"]
    assert "limit is 1500" in messages["answer"]


def test_review_dates_in_future_or_stale_are_warnings() -> None:
    base = {
        "id": "x",
        "question": "q?",
        "answer": "a",
        "sources": [{"title": "t", "url": "https://example.org"}],
        "reviewer": "r",
    }
    today = dt.date(2026, 11, 24)
    future, problems = validate_entry({**base, "reviewed": "2027-01-01"}, file="f", today=today)
    assert future is not None and [p.message for p in problems] == ["is in the future"]
    stale, problems = validate_entry({**base, "reviewed": "2025-01-01"}, file="f", today=today)
    assert stale is not None and "more than 12 months old" in problems[0].message


def test_safety_rule_with_bad_regex_is_reported(knowledge_copy: Path) -> None:
    safety = knowledge_copy / "safety.yaml"
    safety.write_text(safety.read_text() + "\n  - id: broken\n    pattern: '(unclosed'\n")
    problems = errors_of(knowledge_copy)
    assert any("safety.yaml" in p and "invalid regular expression" in p for p in problems)


SMUGGLED = (
    "https://nida.nih.gov/research-topics/kratom)"
    "[FDA\u2800official\u2800notice](https://evil.example/fda"
)


def with_source(title: str, url: str) -> str:
    return GOOD_ENTRY.replace("title: NIMH", f"title: {json.dumps(title)}").replace(
        "url: https://www.nimh.nih.gov/health/topics/depression", f"url: {json.dumps(url)}"
    )


def test_a_second_link_smuggled_into_a_source_url_is_refused(knowledge_copy: Path) -> None:
    write_faq(knowledge_copy, "extra.yaml", with_source("NIDA", SMUGGLED))
    problems = errors_of(knowledge_copy)
    assert any(
        ":9: error: entries[0].sources[0].url: must be one web address, with no spaces, "
        "brackets, parentheses or invisible characters; it contains ')'" in p
        for p in problems
    )


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("FDA\u2800official\u2800notice", "U+2800 BRAILLE PATTERN BLANK"),
        ("NIDA\u200b", "U+200B ZERO WIDTH SPACE"),
        ("NIDA \u202eadivorp", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("NIDA\u3164notice", "U+3164 HANGUL FILLER"),
    ],
)
def test_invisible_characters_in_a_source_title_are_refused(
    knowledge_copy: Path, title: str, shown: str
) -> None:
    write_faq(
        knowledge_copy, "extra.yaml", with_source(title, "https://nida.nih.gov/research-topics")
    )
    problems = errors_of(knowledge_copy)
    assert any(
        "sources[0].title: must not contain blank or invisible characters" in p and shown in p
        for p in problems
    )


def test_a_shipped_source_outside_the_allow_list_is_an_error(knowledge_copy: Path) -> None:
    write_faq(knowledge_copy, "extra.yaml", with_source("Kratom facts", "https://evil.example/a"))
    problems = errors_of(knowledge_copy)
    assert any(
        ":9: error: entries[0].sources[0].url: evil.example is not on the allow-list of "
        "authoritative source domains (knowledge/source_domains.yaml)" in p
        for p in problems
    )
    # Subdomains of a listed domain are allowed (nih.gov covers nida.nih.gov).
    write_faq(knowledge_copy, "extra.yaml", with_source("NIDA", "https://nida.nih.gov/x"))
    assert len(load_knowledge(knowledge_copy, today=dt.date(2026, 11, 24)).entries) >= 56


def test_kb_check_names_a_source_outside_the_allow_list(
    knowledge_copy: Path, run_cli: RunCli
) -> None:
    write_faq(
        knowledge_copy, "extra.yaml", with_source("Lookalike", "https://nih.gov.evil.example/")
    )
    result = run_cli("kb", "check", "--knowledge", str(knowledge_copy))
    assert result.returncode != 0
    assert "nih.gov.evil.example is not on the allow-list" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
