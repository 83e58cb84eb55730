"""Run `faqbot` with memory accounting, for the load benchmark's --trace-memory.

    python -m tests.bench.traced_bot run

Once a minute a background thread writes one line to stderr:

    MEMTRACE rss=.. sqlite=.. blocks=.. objects=.. heap_used=.. heap_free=.. mmapped=..

rss is what the kernel charges the process (MB); sqlite is what SQLite holds (page cache,
statements); blocks and objects count Python's allocations and tracked objects; heap_used and
heap_free come from glibc's mallinfo2 (bytes malloc has handed out, and bytes it holds free:
fragmentation). Together they say whether growth is Python objects, native allocations, or memory
malloc keeps but does not use. This is how the soak's creep was found to be heap fragmentation
(fixed in bot/process_memory.py).

BENCH_TRACEMALLOC=1 also starts tracemalloc and lists the source lines whose memory grew most
since the first sample (top=...). It slows the bot several times over: use a lower --rate, or the
bot falls behind and the backlog is all you will see.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path

MB = 2**20


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def heap() -> str:
    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2  # glibc 2.33+
    except AttributeError:
        return "heap=n/a"
    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    return (
        f"heap_used={info.uordblks / MB:.1f} heap_free={info.fordblks / MB:.1f} "
        f"mmapped={info.hblkhd / MB:.1f}"
    )


def sqlite_mb() -> float:
    """SQLite's own allocations, when Python's _sqlite3 uses the shared library."""
    try:
        lib = ctypes.CDLL("libsqlite3.so.0")
    except OSError:
        return float("nan")
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return float(lib.sqlite3_memory_used()) / MB


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def grown_lines(baseline: tracemalloc.Snapshot | None) -> tuple[tracemalloc.Snapshot, str]:
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )
    if baseline is None:
        return snapshot, ""
    top = "; ".join(
        f"{stat.traceback[0].filename.rsplit('/', 2)[-1]}:{stat.traceback[0].lineno}"
        f" {stat.size_diff / 1024:+.0f}K"
        for stat in snapshot.compare_to(baseline, "lineno")[:6]
    )
    return baseline, f" py_traced={tracemalloc.get_traced_memory()[0] / MB:.1f} top={top}"


def report_every(seconds: float) -> None:
    baseline: tracemalloc.Snapshot | None = None
    while True:
        time.sleep(seconds)
        traced = ""
        if tracemalloc.is_tracing():
            baseline, traced = grown_lines(baseline)
        print(
            f"MEMTRACE rss={rss_mb():.1f} sqlite={sqlite_mb():.1f} "
            f"blocks={sys.getallocatedblocks()} objects={len(gc.get_objects())} {heap()}{traced}",
            file=sys.stderr,
            flush=True,
        )


def main() -> int:
    if os.environ.get("BENCH_TRACEMALLOC"):
        tracemalloc.start(1)
    threading.Thread(target=report_every, args=(60.0,), daemon=True).start()
    from bot.cli import main as faqbot_main

    return faqbot_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
