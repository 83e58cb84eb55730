"""Counts and timings for /metrics (Prometheus text format). Nothing about members: no text,
no ids. The bot counts (`FaqBot.engine_answer`, `on_interaction`); the health feature serves.

The exposition format is a few lines of text, so it is written here rather than adding a
client library.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field

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
