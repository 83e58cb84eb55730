"""Moderators' heavy commands under load: do other members' /ask answers wait for them?

    .venv/bin/python -m tests.bench.bench_moderation_load               # with the model
    .venv/bin/python -m tests.bench.bench_moderation_load --no-model    # rules alone

The real `faqbot run` process against the fake Discord (127.0.0.1), on a database prepared
before it starts: a 2,000-entry FAQ (the shipped entries and copies of them under their own ids
and phrasings), 5,000 stored unanswered questions in the server, and drafts ready to approve.
Members ask (/ask, many members, dev-set questions) at --rate a second throughout. Phases: a
quiet one (nothing else), then one for each heavy command on its own, `/faq gaps`, `/faq import`
of a 100-entry topic file, Approve (which rebuilds the 2,000-entry engine), then all three
together; the commands start a second into their phase. Each phase lasts --seconds, and at
least until its commands have replied. Printed per phase: /ask time from dispatch to the answer
(p50, p99, max, how many took over Discord's 3 s) and each command's time to its final reply (a
deferred command: its follow-up), and the round trip of the bot's /metrics, polled ten times a
second: it needs only the event loop, so it shows how long the loop was blocked, apart from the
answers' wait for the model thread. At the end, the machine's load average (the figures depend on
what else runs: the load generator and the fake share the machine with the bot).

With the model, the copies' phrasings are embedded once (a minute or two) into a vector cache
kept in ~/.cache/faqbot/bench-moderation/, not in the bot's own cache.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import os
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.config import SHIPPED_KNOWLEDGE, default_cache_dir
from bot.core.entry import Entry
from bot.knowledge.loader import LoadedKnowledge, load_knowledge
from bot.knowledge.moderation import Moderation, dump_topic
from bot.knowledge.store import KnowledgeStore, now_iso
from tests.bench.bot_process import bot_process, summary
from tests.fake_discord import GUILD_ID, FakeDiscord, Recorded, slash_command
from tests.matcher_metrics import load_devset
from tests.test_discord_moderation import ALICE, BOB, click, faq
from tests.test_run_process import free_port

FAQ_SIZE = 2_000
GAPS = 5_000
IMPORTED = 100
SPREAD = 23  # the phase's nth question is the dev set's (23 n)th: 150 of them span it
PHASES = ("quiet", "gaps", "import", "approve", "all three")


def tag(n: int, prefix: str = "zy") -> str:
    """A made-up word per copy, so every copy's phrasings are its own (kb check's rule)."""
    letters = "bcdfghjklmnpqrstvwxz"
    word = ""
    while True:
        n, digit = divmod(n, len(letters))
        word += letters[digit]
        if not n:
            return prefix + word


def copies(source: Sequence[Entry], count: int, first: int) -> list[Entry]:
    """`count` entries copied from `source`, each with its own id and phrasings."""
    made = []
    for n, entry in zip(range(first, first + count), itertools.cycle(source)):
        word = tag(n)
        made.append(
            dataclasses.replace(
                entry,
                id=f"{entry.id}-{word}",
                question=f"{entry.question.rstrip('?')} {word}?",
                # Fewer phrasings than the originals: embedding them is the setup's cost.
                alternates=tuple(f"{a} {word}" for a in entry.alternates[:3]),
            )
        )
    return made


def gap_questions(count: int) -> list[str]:
    """Unanswered questions as members write them: many near-repeats, many one-offs."""
    # fmt: off
    things = [
        "a weighted blanket", "cbd oil", "magnesium", "ashwagandha", "melatonin", "a sunlamp",
        "kava", "blue lotus", "phenibut", "an emotional support dog", "cold showers", "fasting",
        "yoga nidra", "a therapy app", "ketamine clinics", "microdosing", "a journaling course",
        "tapping", "breathwork", "a mood ring", "saffron", "st johns wort", "creatine",
        "omega 3", "vitamin d", "a vagus nerve stimulator", "red light therapy", "sauna",
        "ice baths", "grounding mats",
    ]
    asks = [
        "where can i buy {}", "is {} any good", "does {} help with sleep",
        "can i take {} with my meds", "how much does {} cost", "what do you think of {}",
        "is {} legal in {}", "has anyone tried {} in {}", "best {} shop near {}",
    ]
    # fmt: on
    places = ["texas", "ohio", "the uk", "germany", "canada", "my town", "florida", "sydney"]
    out = []
    for n in range(count):
        template = asks[n % len(asks)]
        thing = things[(n * 7) % len(things)]
        place = places[(n * 3) % len(places)]
        text = (
            template.format(thing, place) if template.count("{}") == 2 else template.format(thing)
        )
        out.append(f"{text} {tag(n // 3, 'qv')}" if n % 5 else text)  # some exact repeats
    return out


async def prepare(db: Path, loaded: LoadedKnowledge) -> list[int]:
    """The database the bot starts on; returns the drafts to approve (one per phase)."""
    extra = copies(loaded.entries, FAQ_SIZE - len(loaded.entries), 0)
    async with await KnowledgeStore.open(db) as store:
        await store.sync_shipped([*loaded.entries, *extra])
        at = now_iso()
        await store.db.executemany(
            "INSERT INTO gaps (guild_id, text, at) VALUES (?, ?, ?)",
            [(GUILD_ID, text, at) for text in gap_questions(GAPS)],
        )
        await store.db.commit()
        moderation = Moderation(store, loaded.matching, loaded.topics)
        drafts = []
        for entry in loaded.entries[:2]:
            live = await moderation.live(entry.id)
            assert live is not None
            changed = dataclasses.replace(entry, answer=f"Revised. {entry.answer}"[:1500])
            draft = await moderation.save_draft(changed, based_on=live.rev, author="shell:bench")
            drafts.append(draft.rev)
    return drafts


def import_file(loaded: LoadedKnowledge, first: int) -> bytes:
    """A kratom topic file with `IMPORTED` new entries (each becomes a draft)."""
    kratom = [e for e in loaded.entries if e.topic == "kratom"]
    return dump_topic("Kratom", copies(kratom, IMPORTED, first)).encode()


def final_reply(token: str) -> Any:
    """The request that answers an interaction for good (a defer is not an answer)."""

    def matches(r: Recorded) -> bool:
        if f"/{token}/callback" in r.path:
            body = r.body if isinstance(r.body, dict) else {}
            return body.get("type") not in (5, 6)  # deferred: the answer follows
        return "/webhooks/" in r.path and f"/{token}" in r.path

    return matches


@dataclass
class Session:
    """Members asking, moderators' commands, and what the fake Discord saw of them."""

    fake: FakeDiscord
    loaded: LoadedKnowledge
    drafts: list[int]
    health_port: int
    questions: list[str] = field(default_factory=lambda: [i.text for i in load_devset()])
    members: Iterator[int] = field(default_factory=lambda: itertools.count(1_700_000_000 * 10**9))
    # Made before the phases: writing the YAML takes the load generator's loop ~0.2 s, which
    # would delay the fake Discord's timestamps of the bot's replies.
    import_files: list[bytes] = field(default_factory=list)

    async def ask(self, number: int) -> tuple[str, float]:
        """The phase's `number`th /ask, from a new member (so no cooldown); returns (token, when
        sent). Every phase asks the same questions in the same order, spread over the whole
        dev set so that long posts come in their usual share (one in eight): they cost the model
        several times a short question, so a phase with more of them would look slower."""
        member = next(self.members)
        payload = slash_command(
            "ask",
            [
                {
                    "type": 3,
                    "name": "question",
                    "value": self.questions[number * SPREAD % len(self.questions)],
                }
            ],
            user_id=str(member),
        )
        sent = time.perf_counter()
        await self.fake.dispatch("INTERACTION_CREATE", payload)
        return payload["token"], sent

    async def command(self, name: str) -> tuple[str, str, float]:
        """Dispatch one moderator command; returns (name, token, when sent)."""
        if name == "gaps":
            payload = faq("gaps", ALICE)
        elif name == "import":
            content = self.import_files.pop()
            attachment = self.fake.attach("kratom.yaml", content)
            payload = faq(
                "import",
                ALICE,
                [{"type": 11, "name": "file", "value": attachment["id"]}],
                resolved={"attachments": {attachment["id"]: attachment}},
            )
        else:  # a second moderator approves a draft
            payload = click(f"mod:approve:{self.drafts.pop()}", BOB)
        sent = time.perf_counter()
        await self.fake.dispatch("INTERACTION_CREATE", payload)
        return name, payload["token"], sent

    async def answer_times(self) -> dict[float, int]:
        """The bot's histogram of `runtime.answer` times (the model thread's queue and work),
        from /metrics: upper bound in seconds -> answers that took at most that long."""
        url = f"http://127.0.0.1:{self.health_port}/metrics"
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            text = await response.text()
        found = re.findall(r'faqbot_reply_seconds_bucket\{le="([^"]+)"\} (\d+)', text)
        return {float(bound): int(count) for bound, count in found}

    def reply_to(self, token: str, first: int) -> Recorded | None:
        return next((r for r in self.fake.requests[first:] if final_reply(token)(r)), None)

    async def probe_loop(self, lags: list[float]) -> None:
        """/metrics ten times a second: it needs nothing but the bot's event loop, so its
        round trip is how long the loop was busy (the answers also wait for the model thread)."""
        url = f"http://127.0.0.1:{self.health_port}/metrics"
        async with aiohttp.ClientSession() as http:
            while True:
                sent = time.perf_counter()
                async with http.get(url) as response:
                    await response.read()
                lags.append((time.perf_counter() - sent) * 1000)
                await asyncio.sleep(0.1)

    async def phase(self, name: str, rate: int, seconds: float) -> None:
        """Members ask at `rate`/s for `seconds` at least, and until the commands replied."""
        first = len(self.fake.requests)
        answered_before = await self.answer_times()
        lags: list[float] = []
        probing = asyncio.create_task(self.probe_loop(lags))
        asked: list[tuple[str, float]] = []
        commands: list[tuple[str, str, float]] = []
        start = time.perf_counter()
        pending = sorted(
            {"gaps", "import", "approve"} if name == "all three" else {name} - {"quiet"}
        )
        while True:
            now = time.perf_counter()
            if pending and now >= start + 1:  # after a second of undisturbed asking
                commands += [await self.command(command) for command in pending]
                pending = []
            replied = all(self.reply_to(token, first) for _, token, _ in commands)
            if now >= start + seconds and replied:
                break
            asked.append(await self.ask(len(asked)))
            delay = start + len(asked) / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        probing.cancel()
        await asyncio.sleep(10)  # the last answers, however late
        answers = [(self.reply_to(token, first), sent) for token, sent in asked]
        latencies = [(found.at - sent) * 1000 for found, sent in answers if found]
        unanswered = sum(found is None for found, _ in answers)
        late = sum(ms > 3000 for ms in latencies)  # past Discord's 3 s: the member saw a failure
        print(
            summary(f"[{name}] /ask", latencies)
            + (f", {late} over 3 s" if late else "")
            + (f", {unanswered} unanswered" if unanswered else ""),
            flush=True,
        )
        print("    " + summary("event loop (/metrics round trip)", lags), flush=True)
        print("    " + quantiles(answered_before, await self.answer_times()), flush=True)
        for command, token, sent in commands:
            found = self.reply_to(token, first)
            took = f"{(found.at - sent) * 1000:.0f} ms" if found else "no reply"
            said = str(found.body)[:160] if found else ""
            print(f"    /{command}: final reply after {took}: {said}", flush=True)


def quantiles(before: dict[float, int], after: dict[float, int]) -> str:
    """p50 and p99 of the phase's `runtime.answer` times, as the histogram bucket they fall in:
    the answers' own time in the bot, apart from Discord's and the machine's."""
    counts = {bound: after[bound] - before.get(bound, 0) for bound in sorted(after)}
    total = counts.get(float("inf"), 0)
    if not total:
        return "answers in the bot: none"

    def bucket(share: float) -> str:
        bound = next(b for b, n in counts.items() if n >= share * total)
        return "over 2.5 s" if bound == float("inf") else f"<= {bound * 1000:.0f} ms"

    return f"answers in the bot (runtime.answer): n={total} p50 {bucket(0.5)}, p99 {bucket(0.99)}"


async def run(rate: int, seconds: float, model: bool) -> None:
    loaded = load_knowledge(SHIPPED_KNOWLEDGE)
    workdir = Path(tempfile.mkdtemp(prefix="faqbot-modload-"))
    db = workdir / "load.db"
    started = time.perf_counter()
    drafts = await prepare(db, loaded)
    print(
        f"prepared: {FAQ_SIZE} entries, {GAPS} gaps, {len(drafts)} drafts "
        f"({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    cache = default_cache_dir() / "bench-moderation"
    cache.mkdir(parents=True, exist_ok=True)
    for built in default_cache_dir().glob("minilm-*"):  # the model, built once, shared
        link = cache / built.name
        if not link.exists():
            link.symlink_to(built)

    fake = FakeDiscord()
    await fake.start()
    health_port = free_port()
    env = fake.bot_env(
        db,
        FAQBOT_LOG_LEVEL="warning",
        FAQBOT_MODEL="on" if model else "off",
        FAQBOT_CACHE=str(cache),
        FAQBOT_HEALTH_PORT=str(health_port),
    )
    try:
        async with bot_process(env) as running:
            started = time.perf_counter()
            await running.until(fake.identified, 900)
            print(f"bot ready in {time.perf_counter() - started:.0f} s", flush=True)
            files = [import_file(loaded, n * IMPORTED) for n in (100_000, 100_001)]
            session = Session(fake, loaded, drafts, health_port, import_files=files)
            for number in range(20):  # warm-up: the first answers fill caches
                token, _ = await session.ask(number)
                await fake.wait_for_request(final_reply(token), timeout=120)
            for phase in PHASES:
                await session.phase(phase, rate, seconds)
            running.print_trouble()
            print("machine load (1, 5, 15 min): " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    finally:
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=10, help="/ask interactions per second")
    parser.add_argument("--seconds", type=float, default=15, help="each phase, at least")
    parser.add_argument(
        "--no-model", action="store_true", help="rules and lexical matcher alone (FAQBOT_MODEL=off)"
    )
    args = parser.parse_args()
    asyncio.run(run(args.rate, args.seconds, model=not args.no_model))


if __name__ == "__main__":
    main()
