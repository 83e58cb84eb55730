"""Per-member (or per-server) limits on actions that post publicly or ping people."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable

PRUNE_ABOVE = 1024  # keys remembered before stale ones are dropped: memory stays flat


class Limit:
    """At most `rate` uses per `per` seconds for each key, over a sliding window."""

    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.per, self.clock = rate, per, clock
        self.uses: dict[Hashable, deque[float]] = {}

    def claim(self, key: Hashable) -> float:
        """0 when allowed (and counted as a use); else the seconds until it would be."""
        now = self.clock()
        if len(self.uses) > PRUNE_ABOVE:
            for stale in [k for k, d in self.uses.items() if now - d[-1] >= self.per]:
                del self.uses[stale]
        used = self.uses.setdefault(key, deque())
        while used and now - used[0] >= self.per:
            used.popleft()
        if len(used) >= self.rate:
            return max(self.per - (now - used[0]), 0.1)
        used.append(now)
        return 0.0
