"""The runtime's worker process (an import's parsing, /faq gaps' grouping): a worker that dies
fails only the call it was running; the next call gets a new one."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from bot.core.gaps import group_gaps
from bot.runtime import WorkerProcess


def die() -> None:
    os._exit(3)  # as the OOM killer would end it


async def test_a_crashed_worker_is_replaced_at_the_next_call() -> None:
    worker = WorkerProcess()
    try:
        with pytest.raises(BrokenProcessPool):
            await worker(die)
        groups = await worker(group_gaps, ["is kava safe", "is kava safe?", "where to buy cbd"])
        assert [(g.example, g.count) for g in groups] == [
            ("is kava safe", 2),
            ("where to buy cbd", 1),
        ]
    finally:
        worker.close()
