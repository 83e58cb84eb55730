"""The hard rules of the vetted FAQ, checked over every entry and every safety text."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from bot.core.entry import Entry
from bot.knowledge.content_rules import content_problems, method_mentions
from bot.knowledge.loader import LoadedKnowledge
from bot.knowledge.schema import MENTION_PATTERN, validate_entry

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
    "nice.org.uk",
    "rcpsych.ac.uk",
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


def validate_answer(answer: str) -> list[str]:
    """The answer's problems as a moderator's form would report them (the real validation)."""
    raw = {
        "id": "x",
        "question": "q?",
        "answer": answer,
        "sources": [{"title": "NIDA", "url": "https://nida.nih.gov/research-topics/kratom"}],
        "reviewed": "2026-11-01",
        "reviewer": "r",
    }
    entry, problems = validate_entry(raw, file="form")
    messages = [p.message for p in problems if p.field == "answer"]
    assert (entry is None) == bool(messages)
    return messages


@pytest.mark.parametrize(
    ("answer", "rule"),
    [
        # Every sentence issue 19 found passing the old rules, and their near relatives.
        ("Kratom effectively treats depression without side effects.", "treatment"),
        ("Kratom lifts depression", "treatment"),
        ("Kratom is a natural antidepressant.", "treatment"),
        ("Many swear by it: kratom, a natural antidepressant.", "treatment"),
        ("Kratom is a safer option than SSRIs.", "treatment"),
        ("7-OH treats pain", "treatment"),
        ("7-OH shots relieve withdrawal fast.", "treatment"),
        ("Kratom extracts ease anxiety.", "treatment"),
        ("MP works for pain like nothing else.", "treatment"),
        ("Kratom has no side effects and cures depression.", "treatment"),
        ("Kratom is better than antidepressants, and it really helps with low mood.", "treatment"),
        ("Use kratom instead of antidepressants.", "treatment"),
        ("Kratom is an effective treatment for depression.", "treatment"),
        ("Many find kratom helps with anxiety.", "treatment"),
        ("Take two grams of kratom in the morning.", "doses"),
        ("take two grams", "doses"),
        ("Most people take 2 to 4 g of powder.", "doses"),
        ("Start with 1 teaspoon.", "doses"),
        ("One to two capsules is plenty.", "doses"),
        ("Half a teaspoon of extract goes a long way.", "doses"),
        ("He jumped off a bridge.", "methods"),
        ("She used a gun.", "methods"),
        ("Her brother committed suicide.", "died by suicide"),
        ("For him, suicide was the only way out.", "suicide as a solution"),
        ("Suicide ended her pain.", "suicide as a solution"),
        ("He finally found peace through suicide.", "suicide as a solution"),
    ],
)
def test_hard_content_rules_refuse_entries_from_anywhere(answer: str, rule: str) -> None:
    assert any(rule in message for message in validate_answer(answer)), answer


@pytest.mark.parametrize(
    "answer",
    [
        # Means-safety advice that suicide-prevention bodies give.
        "Store guns locked away.",
        "If someone is at risk, lock up or remove firearms and keep medicines out of reach.",
        # Claims that are negated, reported as others' claims, or about treating kratom problems.
        "There is no evidence that kratom treats depression.",
        "Kratom is not approved to treat anything.",
        "Kratom is not an approved or proven treatment for depression.",
        "7-OH isn't a treatment for pain, and the FDA has warned sellers who say it is.",
        "Surveys where people who use kratom say it lifts their mood can't show cause.",
        "Clinicians have treated kratom dependence with buprenorphine.",
        "Does kratom treat depression?",
        "In a small study, kratom tea raised the level of a test medicine.",
        # Plain descriptions and amounts that are not doses.
        "Kratom acts on opioid receptors and can affect mood, energy and pain.",
        "It usually takes 4 to 8 weeks for antidepressants to work.",
        "Three lab-made relatives of 7-OH were placed in Schedule I.",
        "He died by suicide. Suicide is never the answer, and help works.",
    ],
)
def test_hard_content_rules_allow_good_advice_and_honest_descriptions(answer: str) -> None:
    assert validate_answer(answer) == []


def test_kratom_depression_entry_rejects_the_safer_alternative_claim(
    loaded: LoadedKnowledge,
) -> None:
    entry = next(e for e in loaded.entries if e.id == "kratom-depression")
    assert '**not** a proven or "safer" alternative to antidepressants' in entry.answer


def test_nothing_describes_suicide_methods(loaded: LoadedKnowledge) -> None:
    texts = [e.answer for e in loaded.entries] + list(loaded.safety.crisis_messages.values())
    for text in texts:
        assert method_mentions(text) == [], method_mentions(text)
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
    assert loaded.resources.choose(member_locale="en-US").code == "US"
    assert loaded.resources.choose(member_locale="hi").code == "IN"
    assert loaded.resources.choose(member_locale="es-419").code == "INTL"


def test_us_has_substance_use_and_poison_lines(loaded: LoadedKnowledge) -> None:
    us = loaded.resources.regions["US"]
    assert us.of_kinds(["substance_use"]) and us.of_kinds(["poison"])
