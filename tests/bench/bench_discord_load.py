"""Load benchmark: the real `faqbot run` process answering a burst of interactions.

    .venv/bin/python -m tests.bench.bench_discord_load --warmup 0      # burst: 100/s for 60 s
    .venv/bin/python -m tests.bench.bench_discord_load --rate 130 --messages 0.23 --seconds 1800
                                                                       # 30-min soak, mixed
    .venv/bin/python -m tests.bench.bench_discord_load --trace-memory  # Python vs C heap
    .venv/bin/python -m tests.bench.bench_discord_load --no-model      # rules alone

The fake Discord (127.0.0.1) and the load generator run here; the bot runs as its own process,
as in production. Measures every interaction's time from dispatch to the bot's callback, errors,
and the bot's resident memory: when ready, after --warmup seconds of the same load (bounded
caches filled), each minute, and at the end. With --messages, that share of the load is members
posting in a watched help channel (MESSAGE_CREATE): every post is screened and answered or
skipped, and answered posts are timed from dispatch to the bot's reply.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bot.knowledge.store import KnowledgeStore
from tests.bench.bot_process import BotProcess, bot_process, summary
from tests.fake_discord import CHANNEL_ID, GUILD_ID, FakeDiscord, member_message, slash_command
from tests.matcher_metrics import load_devset


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(
    rate: int,
    seconds: int,
    messages: float,
    warmup: int = 0,
    trace_memory: bool = False,
    model: bool = True,
) -> None:
    fake = FakeDiscord()
    await fake.start()
    workdir = Path(tempfile.mkdtemp(prefix="faqbot-load-"))
    if messages:
        async with await KnowledgeStore.open(workdir / "load.db") as store:
            await store.set_guild_config(GUILD_ID, "bench", watched_channels=[int(CHANNEL_ID)])
    env = fake.bot_env(
        workdir / "load.db", FAQBOT_LOG_LEVEL="warning", FAQBOT_MODEL="on" if model else "off"
    )
    module = "tests.bench.traced_bot" if trace_memory else "bot"
    try:
        async with bot_process(env, module) as running:
            await measure(fake, running, rate, seconds, messages, warmup)
    finally:
        await fake.stop()


async def measure(
    fake: FakeDiscord, running: BotProcess, rate: int, seconds: int, messages: float, warmup: int
) -> None:
    bot = running.process
    await running.until(fake.identified, 60)
    await asyncio.sleep(3)  # let discord.py finish its guild-ready wait
    questions = [item.text for item in load_devset()]
    # Warm up (first-use caches), then measure from here.
    for text in questions[:20]:
        await fake.dispatch(
            "INTERACTION_CREATE",
            slash_command(
                "ask",
                [{"type": 3, "name": "question", "value": text}],
                user_id=str(1_600_000_000_000_000_000),
            ),
        )
    await asyncio.sleep(2)
    rss_ready = rss_mb(bot.pid)
    interval = 1 / rate

    async def drive(
        seconds: int,
        first: int,
        sent: dict[str, float],
        posted: dict[str, float],
        samples: list[float],
    ) -> float:
        """Send `rate` events a second; return how long sending took."""
        start = time.perf_counter()
        next_sample = start
        for i in range(rate * seconds):
            n = first + i
            question = questions[n % len(questions)]
            if messages and (n * messages) % 1 + messages >= 1:  # evenly spread share
                post = member_message(question, CHANNEL_ID, user_id=str(1_800_000_000 + n))
                posted[post["id"]] = time.perf_counter()
                await fake.dispatch("MESSAGE_CREATE", post)
            else:
                # Many members (the per-member cooldown is 5 a minute), dev-set questions.
                payload = slash_command(
                    "ask",
                    [{"type": 3, "name": "question", "value": question}],
                    user_id=str(1_700_000_000_000_000_000 + n),
                )
                path = f"/interactions/{payload['id']}/{payload['token']}/callback"
                sent[path] = time.perf_counter()
                await fake.dispatch("INTERACTION_CREATE", payload)
            if time.perf_counter() >= next_sample:
                samples.append(rss_mb(bot.pid))
                next_sample += 60
            delay = start + (i + 1) * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        return time.perf_counter() - start

    # The same load, not measured: bounded caches (cooldown buckets for the last minute's
    # members, SQLite's page cache, allocator pools) fill up before RSS is read.
    await drive(warmup, 0, {}, {}, [])
    await asyncio.sleep(2)
    rss_start = rss_mb(bot.pid)
    sent: dict[str, float] = {}
    posted: dict[str, float] = {}  # help-channel message id -> when dispatched
    samples: list[float] = []  # RSS once a minute: flat, or climbing?
    first_request = len(fake.requests)
    sending = await drive(seconds, rate * warmup, sent, posted, samples)
    await asyncio.sleep(5)  # let the last answers arrive
    rss_end = rss_mb(bot.pid)
    answered = {r.path: r.at for r in fake.requests[first_request:] if r.path in sent}
    latencies = sorted((answered[p] - sent[p]) * 1000 for p in answered)
    print(
        f"sent {len(sent)} interactions ({rate}/s of events) over {sending:.0f} s; "
        f"answered {len(answered)} ({len(sent) - len(answered)} unanswered)"
    )
    print(summary("dispatch -> callback", latencies))
    if posted:
        replies = {
            str(r.body["message_reference"]["message_id"]): r.at
            for r in fake.requests[first_request:]
            if r.method == "POST"
            and r.path == f"/channels/{CHANNEL_ID}/messages"
            and isinstance(r.body, dict)
            and r.body.get("message_reference")
        }
        post_latencies = sorted((replies[m] - posted[m]) * 1000 for m in posted if m in replies)
        print(
            f"help-channel posts: {len(posted)}, answered {len(post_latencies)} "
            f"(the rest were chatter or unsure: silence is right there)"
        )
        print(summary("post -> reply", post_latencies))
    print(
        f"bot RSS: {rss_ready:.0f} MB when ready, {rss_start:.0f} MB after {warmup} s of "
        f"warm-up, {rss_end:.0f} MB at end ({(rss_end - rss_start) / rss_start:+.1%} "
        f"since warm-up, {(rss_end - rss_ready) / rss_ready:+.1%} since ready)"
    )
    print("RSS each minute (MB): " + " ".join(f"{mb:.0f}" for mb in samples))
    running.print_trouble()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=100, help="events per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--messages", type=float, default=0.0, help="share of help-channel posts (0-1)"
    )
    parser.add_argument(
        "--warmup", type=int, default=60, help="seconds of the same load before measuring"
    )
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="run the bot under tests.bench.traced_bot: Python vs native memory each minute",
    )
    parser.add_argument(
        "--no-model", action="store_true", help="rules and lexical matcher alone (FAQBOT_MODEL=off)"
    )
    args = parser.parse_args()
    asyncio.run(
        run(
            args.rate,
            args.seconds,
            args.messages,
            args.warmup,
            args.trace_memory,
            model=not args.no_model,
        )
    )


if __name__ == "__main__":
    main()
