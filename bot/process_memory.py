"""Giving freed heap memory back to the operating system, so a long-running bot stays flat.

Under steady load the bot allocates and frees many short-lived buffers (gateway events, JSON,
replies, SQLite rows) between a few long-lived ones. glibc's malloc keeps what is freed for
reuse and only returns memory from the top of the heap, so resident memory crept up even though
the bytes in use did not: in the 30-minute load benchmark the heap in use was flat at 15 MB after
six minutes while free-but-resident heap grew about 0.4 MB a minute. `malloc_trim(0)` hands every
whole free page back (glibc 2.8+). Elsewhere (macOS, musl) there is no such call and this is a
no-op.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import sys
from collections.abc import Callable

log = logging.getLogger("faqbot.memory")

# Often enough that the creep never builds up; a trim of a ~20 MB heap takes well under a
# millisecond, so this costs nothing noticeable.
RELEASE_EVERY_SECONDS = 60.0


def _find_malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library this process already uses
    except (OSError, AttributeError):  # musl and other C libraries have no malloc_trim
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_malloc_trim = _find_malloc_trim()


def can_release_free_memory() -> bool:
    return _malloc_trim is not None


def release_free_memory() -> bool:
    """Return free heap pages to the OS; True if any were returned."""
    return _malloc_trim is not None and _malloc_trim(0) == 1


async def release_free_memory_periodically(every: float = RELEASE_EVERY_SECONDS) -> None:
    """Run for the life of the process (cancel to stop)."""
    if not can_release_free_memory():
        log.debug("no malloc_trim in this C library; not releasing free memory")
        return
    while True:
        await asyncio.sleep(every)
        release_free_memory()
