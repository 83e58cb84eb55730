"""Freed heap memory goes back to the OS, so a long-running bot's resident memory stays flat."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.process_memory import can_release_free_memory

# In a fresh interpreter: fill the C heap with 64 MB of 1 KB buffers (too big for Python's own
# small-object allocator, so they come from malloc), free all but every 16th, which pins the top
# of the heap. glibc keeps the freed pages resident; releasing must give them back.
FRAGMENT_AND_RELEASE = """
from bot.process_memory import release_free_memory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

buffers = [bytes(1024) for _ in range(64 * 1024)]
kept = buffers[::16]
del buffers
before = rss_mb()
released = release_free_memory()
print(released, before, rss_mb())
"""


@pytest.mark.skipif(not can_release_free_memory(), reason="this C library has no malloc_trim")
def test_releasing_gives_freed_heap_pages_back_to_the_os() -> None:
    out = subprocess.run(
        [sys.executable, "-c", FRAGMENT_AND_RELEASE], capture_output=True, text=True, check=True
    ).stdout.split()
    released, before, after = out[0] == "True", float(out[1]), float(out[2])
    assert released
    # 60 of the 64 MB were freed; at least half of that must leave the resident set.
    assert before - after > 30, (before, after)
