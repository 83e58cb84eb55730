"""Optional /healthz and Prometheus /metrics on 127.0.0.1 (off unless FAQBOT_HEALTH_PORT is set).

The exposition format is a few lines of text, so it is written here rather than adding a
client library. Nothing about members is exported: counts and timings only.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.discord_app.client import FaqBot

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


@dataclass
class Metrics:
    interactions: Counter[str] = field(default_factory=Counter)  # by interaction type
    replies: Counter[str] = field(default_factory=Counter)  # answer | no_match | crisis
    latency_counts: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS) + 1))
    latency_sum: float = 0.0

    def interaction(self, kind: str) -> None:
        self.interactions[kind] += 1

    def reply(self, kind: str, seconds: float) -> None:
        self.replies[kind] += 1
        self.latency_counts[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.latency_sum += seconds

    def exposition(self, gateway_latency: float | None) -> str:
        out = [
            "# HELP faqbot_interactions_total Interactions received, by type.",
            "# TYPE faqbot_interactions_total counter",
        ]
        out += [
            f'faqbot_interactions_total{{type="{k}"}} {v}'
            for k, v in sorted(self.interactions.items())
        ]
        out += [
            "# HELP faqbot_replies_total Replies to questions, by kind (answer, no_match, crisis).",
            "# TYPE faqbot_replies_total counter",
        ]
        out += [f'faqbot_replies_total{{kind="{k}"}} {v}' for k, v in sorted(self.replies.items())]
        out += [
            "# HELP faqbot_reply_seconds Time from receiving a question to sending the reply.",
            "# TYPE faqbot_reply_seconds histogram",
        ]
        running = 0
        for bound, count in zip((*LATENCY_BUCKETS, float("inf")), self.latency_counts, strict=True):
            running += count
            label = "+Inf" if bound == float("inf") else f"{bound}"
            out.append(f'faqbot_reply_seconds_bucket{{le="{label}"}} {running}')
        out.append(f"faqbot_reply_seconds_sum {self.latency_sum:.6f}")
        out.append(f"faqbot_reply_seconds_count {running}")
        if gateway_latency is not None and gateway_latency == gateway_latency:  # not NaN
            out += [
                "# HELP faqbot_gateway_latency_seconds Discord heartbeat round trip.",
                "# TYPE faqbot_gateway_latency_seconds gauge",
                f"faqbot_gateway_latency_seconds {gateway_latency:.6f}",
            ]
        return "\n".join(out) + "\n"


async def start_health_server(bot: FaqBot, port: int) -> web.AppRunner:
    """Serve /healthz and /metrics on 127.0.0.1:port; returns the runner to clean up."""

    async def healthz(_: web.Request) -> web.Response:
        database_ok = True
        try:
            await bot.runtime.store.schema_version()
        except Exception:
            database_ok = False
        ready = bot.is_ready() and not bot.is_closed()
        status = 200 if ready and database_ok else 503
        return web.json_response(
            {
                "status": "ok" if status == 200 else "unhealthy",
                "discord": "connected" if ready else "disconnected",
                "database": "ok" if database_ok else "error",
            },
            status=status,
        )

    async def metrics(_: web.Request) -> web.Response:
        latency = bot.latency if bot.is_ready() else None
        return web.Response(
            text=bot.metrics.exposition(latency), content_type="text/plain", charset="utf-8"
        )

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()  # never on a public interface
    return runner
