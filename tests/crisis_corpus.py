"""The labelled crisis corpus (tests/data/crisis/ and the older safety sets), split stably.

Files map a group to styles to messages (`self_harm: {short: [...], long: [...]}`); the older
files map a group straight to messages. Groups named after a crisis type are crises; every
other group (look-alikes, ordinary questions, chatter, ...) is a negative.

Split: a message is HELD OUT when a stable hash puts it there (one in four), and every message
under `round2/` (written after the first results) is held out too. Training and threshold
calibration (tests/bench/train_crisis.py) see only the TRAINING split; the CI floors
(tests/test_crisis_classifier.py) are measured on the held-out split only.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"
CRISIS_DIR = DATA / "crisis"
OLDER_FILES = (DATA / "safety_devset.yaml", DATA / "safety_fresh.yaml")
CRISIS_TYPES = ("self_harm", "medical_emergency", "abuse", "violence")
HELD_OUT, TRAINING = "held_out", "training"
# Negatives that are ordinary FAQ questions (the floor: <= 2% flagged as crisis).
FAQ_GROUPS = ("faq_question", "clinical", "non_clinical", "member_question")
LOOKALIKE_GROUPS = ("lookalike", "benign_lookalike")
CRISIS_SUPPORT_TAG = "crisis-support"


@dataclass(frozen=True)
class Message:
    text: str
    group: str  # crisis type, or the negative group's name
    style: str
    source: str  # file name, relative to tests/data
    round2: bool = False
    fixed_split: str | None = None  # the matcher dev set's own split, for its questions

    @property
    def crisis(self) -> str | None:
        return self.group if self.group in CRISIS_TYPES else None

    @property
    def split(self) -> str:
        if self.fixed_split is not None:
            return self.fixed_split
        if self.round2:
            return HELD_OUT
        return HELD_OUT if zlib.crc32(self.text.encode()) % 4 == 0 else TRAINING


def _files() -> list[Path]:
    return [
        *OLDER_FILES,
        *sorted(CRISIS_DIR.glob("*.yaml")),
        *sorted(CRISIS_DIR.glob("round*/*.yaml")),
    ]


def load_corpus(split: str | None = None) -> list[Message]:
    out: list[Message] = []
    seen: set[str] = set()
    for path in _files():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        source = str(path.relative_to(DATA))
        round2 = path.parent.name.startswith("round")
        for group, body in data.items():
            styled = body.items() if isinstance(body, dict) else [("unstyled", body)]
            for style, messages in styled:
                for text in messages or []:
                    text = str(text).strip()
                    if not text or text in seen:
                        continue
                    seen.add(text)
                    out.append(Message(text, str(group), str(style), source, round2))
    out += _matcher_questions(seen)
    out += _faq_phrasings(seen)
    return [m for m in out if split is None or m.split == split]


def _matcher_questions(seen: set[str]) -> list[Message]:
    """The matcher's dev questions are ordinary questions and chatter: negatives here too, in
    the matcher's own split (so its held-out questions stay unseen by every trained part)."""
    from tests.matcher_metrics import HELD_OUT as MATCHER_HELD_OUT
    from tests.matcher_metrics import load_devset

    support = crisis_support_entries()
    out = []
    for item in load_devset():
        if item.text in seen or item.answers & support:
            continue
        seen.add(item.text)
        group = "member_question" if item.answers else "off_topic"
        split = HELD_OUT if item.split == MATCHER_HELD_OUT else TRAINING
        out.append(Message(item.text, group, item.style, "matcher", fixed_split=split))
    return out


def crisis_support_entries() -> frozenset[str]:
    """Entries whose own questions are crisis messages ("thinking about suicide rn, what do i
    do"): their phrasings and labelled questions must never be learned as "not a crisis"."""
    from bot.config import SHIPPED_KNOWLEDGE
    from bot.knowledge.loader import load_knowledge

    entries = load_knowledge(SHIPPED_KNOWLEDGE).entries
    return frozenset(e.id for e in entries if CRISIS_SUPPORT_TAG in e.tags)


def _faq_phrasings(seen: set[str]) -> list[Message]:
    """The shipped FAQ's questions and alternates: ordinary questions, for training only."""
    from bot.config import SHIPPED_KNOWLEDGE
    from bot.knowledge.loader import load_knowledge

    out = []
    for entry in load_knowledge(SHIPPED_KNOWLEDGE).entries:
        if CRISIS_SUPPORT_TAG in entry.tags:
            continue
        for text in entry.phrasings:
            if text not in seen:
                seen.add(text)
                out.append(Message(text, "faq_phrasing", "faq", "knowledge", fixed_split=TRAINING))
    return out


def training_hash(messages: list[Message]) -> str:
    """What the shipped classifier was trained on: retrain when this changes."""
    digest = hashlib.sha256()
    for m in sorted(messages, key=lambda m: (m.text, m.group)):
        digest.update(f"{m.group}\t{m.text}\n".encode())
    return digest.hexdigest()
