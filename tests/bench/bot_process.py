"""The real `faqbot run` process for the load benchmarks, and how their latencies are summed up."""

from __future__ import annotations

import asyncio
import statistics
import sys
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    # Errors, tracebacks, and discord.py's "heartbeat blocked" (a stalled event loop).
    trouble: list[str] = field(default_factory=list)
    last_lines: deque[str] = field(default_factory=lambda: deque(maxlen=20))

    async def until(self, ready: asyncio.Event, timeout: float) -> None:
        """Wait for `ready`; if the bot exits first, stop with its last words."""
        waiting = asyncio.ensure_future(ready.wait())
        exited = asyncio.ensure_future(self.process.wait())
        done, _ = await asyncio.wait(
            {waiting, exited}, timeout=timeout, return_when="FIRST_COMPLETED"
        )
        waiting.cancel()
        exited.cancel()
        if waiting not in done:
            await asyncio.sleep(0.5)  # the rest of its log
            why = "exited" if exited in done else f"was not ready after {timeout:.0f} s"
            sys.exit(f"the bot {why}:\n" + "\n".join(self.last_lines))

    def print_trouble(self) -> None:
        print(f"errors or stalls logged by the bot: {len(self.trouble)}")
        for line in self.trouble[:5]:
            print(f"  {line[:300]}")


@asynccontextmanager
async def bot_process(env: dict[str, str], module: str = "bot") -> AsyncIterator[BotProcess]:
    """`python -m <module> run`; its log is read as it runs (a full pipe would block it)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, "run", env=env, stderr=asyncio.subprocess.PIPE
    )
    bot = BotProcess(process)

    async def read_log() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            line = raw.decode(errors="replace").rstrip()
            bot.last_lines.append(line)
            if " ERROR " in line or "Traceback" in line or "blocked" in line:
                bot.trouble.append(line)
            elif line.startswith("MEMTRACE"):  # tests.bench.traced_bot's report
                print(line, flush=True)

    reader = asyncio.create_task(read_log())
    try:
        yield bot
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()
        reader.cancel()


def summary(what: str, latencies: list[float]) -> str:
    """'what: n=…, p50 …, p99 …, max …' of latencies in milliseconds."""
    if not latencies:
        return f"{what}: none"
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"{what}: n={len(ordered)} p50 {statistics.median(ordered):.1f} ms, "
        f"p99 {p99:.1f} ms, max {ordered[-1]:.1f} ms"
    )
