"""The hard rules of the vetted FAQ, checked over every entry and every safety text."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from bot.knowledge.content_rules import SUICIDE_METHODS, content_problems
from bot.knowledge.loader import LoadedKnowledge
from bot.knowledge.schema import MENTION_PATTERN, Entry, validate_entry

REQUIRED_IDS = {
    # kratom
    "kratom-what-is",
    "kratom-how-it-works",
    "kratom-depression",
    "kratom-anxiety",
    "kratom-safety",
    "kratom-dependence",
    "kratom-withdrawal",
    "kratom-dosage",
    "kratom-interactions",
    "kratom-legal",
    "kratom-overdose",
    "kratom-7oh",
    "kratom-opioids",
    "kratom-liver",
    "kratom-pregnancy",
    "kratom-product-quality",
    "kratom-tell-doctor",
    # depression
    "depression-what-is",
    "depression-vs-sadness",
    "depression-causes",
    "depression-treatment",
    "depression-antidepressants",
    "depression-stopping-medication",
    "depression-self-care",
    "depression-natural-remedies",
    "depression-support-someone",
    # trauma
    "trauma-what-is",
    "trauma-stress-response",
    "ptsd-what-is",
    "ptsd-treatment",
    "trauma-coping",
    "trauma-depression-link",
    "trauma-support-someone",
    "trauma-substance-use",
    # help
    "help-find-professional",
    "help-crisis-resources",
    "help-about-bot",
    "help-privacy",
}
# Inherently clinical topics must say so, so their replies always lead with the pointer.
CLINICAL_IDS = {
    "kratom-dosage",
    "kratom-interactions",
    "kratom-withdrawal",
    "kratom-pregnancy",
    "kratom-liver",
    "kratom-depression",
    "kratom-opioids",
    "depression-antidepressants",
    "depression-stopping-medication",
    "depression-natural-remedies",
    "ptsd-treatment",
}
AUTHORITATIVE_HOSTS = (
    "fda.gov",
    "nih.gov",
    "cdc.gov",
    "who.int",
    "samhsa.gov",
    "nhs.uk",
    "va.gov",
    "hhs.gov",
    "medlineplus.gov",
    "findtreatment.gov",
    "dea.gov",
)


def all_text(entry: Entry) -> str:
    return "\n".join(
        [entry.question, *entry.alternates, entry.answer, *(s.title for s in entry.sources)]
    )


def test_every_required_id_exists_and_there_are_enough(loaded: LoadedKnowledge) -> None:
    ids = {e.id for e in loaded.entries}
    assert ids >= REQUIRED_IDS, sorted(REQUIRED_IDS - ids)
    assert len(ids) >= 55


def test_every_entry_meets_the_review_standard(loaded: LoadedKnowledge) -> None:
    for entry in loaded.entries:
        assert len(entry.alternates) >= 5, entry.id
        assert len(entry.answer) <= 1500, entry.id
        assert entry.reviewed and entry.reviewer, entry.id
        hosts = [urlparse(s.url).hostname or "" for s in entry.sources]
        assert any(h == a or h.endswith("." + a) for h in hosts for a in AUTHORITATIVE_HOSTS), (
            f"{entry.id} needs a source from an authoritative body"
        )


def test_clinical_topics_are_marked(loaded: LoadedKnowledge) -> None:
    clinical = {e.id for e in loaded.entries if e.clinical}
    assert clinical >= CLINICAL_IDS, sorted(CLINICAL_IDS - clinical)


def test_hard_content_rules_hold_for_every_shipped_entry(loaded: LoadedKnowledge) -> None:
    for entry in loaded.entries:
        assert content_problems(entry.answer) == [], entry.id


@pytest.mark.parametrize(
    ("answer", "rule"),
    [
        ("Most people take 2 to 4 g of powder.", "doses"),
        ("Start with 1 teaspoon.", "doses"),
        ("Kratom is an effective treatment for depression.", "treatment"),
        ("Many find kratom helps with anxiety.", "treatment"),
        ("He jumped off a bridge.", "methods"),
        ("Her brother committed suicide.", "died by suicide"),
    ],
)
def test_hard_content_rules_refuse_entries_from_anywhere(answer: str, rule: str) -> None:
    raw = {
        "id": "x",
        "question": "q?",
        "answer": answer,
        "sources": [{"title": "NIDA", "url": "https://nida.nih.gov/research-topics/kratom"}],
        "reviewed": "2026-11-01",
        "reviewer": "r",
    }
    entry, problems = validate_entry(raw, file="form")
    assert entry is None and any(rule in p.message for p in problems if p.field == "answer")
    assert content_problems("Kratom is not an approved or proven treatment for depression.") == []


def test_kratom_depression_entry_rejects_the_safer_alternative_claim(
    loaded: LoadedKnowledge,
) -> None:
    entry = next(e for e in loaded.entries if e.id == "kratom-depression")
    assert '**not** a proven or "safer" alternative to antidepressants' in entry.answer


def test_nothing_describes_suicide_methods(loaded: LoadedKnowledge) -> None:
    texts = [e.answer for e in loaded.entries] + list(loaded.safety.crisis_messages.values())
    for text in texts:
        assert not SUICIDE_METHODS.search(text), SUICIDE_METHODS.search(text)
        assert "committed suicide" not in text.lower()


def test_no_mentions_anywhere(loaded: LoadedKnowledge) -> None:
    safety = loaded.safety
    texts = [all_text(e) for e in loaded.entries] + [
        safety.safety_note,
        safety.clinical_pointer,
        safety.no_match_message,
        *safety.crisis_messages.values(),
    ]
    for region in loaded.resources.regions.values():
        texts += [f"{line.name} {line.reach}" for line in region.lines]
    for text in texts:
        assert not MENTION_PATTERN.search(text)
        assert "@" not in text


def test_every_url_is_https(loaded: LoadedKnowledge) -> None:
    urls = [s.url for e in loaded.entries for s in e.sources]
    urls += [line.url for r in loaded.resources.regions.values() for line in r.lines if line.url]
    assert urls and all(urlparse(u).scheme == "https" for u in urls)


@pytest.mark.parametrize(
    "region", ["US", "CA", "GB", "IE", "AU", "NZ", "IN", "DE", "FR", "ES", "BR"]
)
def test_every_required_region_has_a_crisis_line_and_emergency_number(
    loaded: LoadedKnowledge, region: str
) -> None:
    found = loaded.resources.regions[region]
    assert found.emergency and found.of_kinds(["crisis"])


DISCORD_LOCALES = [
    "id",
    "da",
    "de",
    "en-GB",
    "en-US",
    "es-ES",
    "es-419",
    "fr",
    "hr",
    "it",
    "lt",
    "hu",
    "nl",
    "no",
    "pl",
    "pt-BR",
    "ro",
    "fi",
    "sv-SE",
    "vi",
    "tr",
    "cs",
    "el",
    "bg",
    "ru",
    "uk",
    "hi",
    "th",
    "zh-CN",
    "ja",
    "zh-TW",
    "ko",
]


def test_every_discord_locale_maps_to_a_region(loaded: LoadedKnowledge) -> None:
    assert set(DISCORD_LOCALES) <= set(loaded.resources.locales)
    assert loaded.resources.region_for("en-US").code == "US"
    assert loaded.resources.region_for("hi").code == "IN"
    assert loaded.resources.region_for("es-419").code == "INTL"


def test_us_has_substance_use_and_poison_lines(loaded: LoadedKnowledge) -> None:
    us = loaded.resources.regions["US"]
    assert us.of_kinds(["substance_use"]) and us.of_kinds(["poison"])
