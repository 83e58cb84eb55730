"""Run `faqbot` with memory accounting, for the load benchmark's --trace-memory.

    python -m tests.bench.traced_bot run

Once a minute a background thread writes one line to stderr:

    MEMTRACE rss=.. py_traced=.. heap_used=.. heap_free=.. mmapped=.. top=...

RSS is what the kernel charges the process; py_traced is what Python objects hold
(tracemalloc); heap_used/heap_free come from glibc's mallinfo2 (malloc'd bytes in use, and bytes
the allocator holds but does not use: fragmentation); top lists the source lines whose traced
memory grew most since the first sample. Together they say whether growth is Python objects,
native allocations, or memory malloc keeps but cannot give back.
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


def _mallinfo() -> MallInfo2 | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = MallInfo2
        return libc.mallinfo2()  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _report(interval: float) -> None:
    baseline: tracemalloc.Snapshot | None = None
    while True:
        time.sleep(interval)
        top = ""
        traced = ""
        if tracemalloc.is_tracing():
            traced = f" py_traced={tracemalloc.get_traced_memory()[0] / 2**20:.1f}"
            snapshot = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__)]
            )
        if not tracemalloc.is_tracing():
            pass
        elif baseline is None:
            baseline = snapshot
        else:
            growth = snapshot.compare_to(baseline, "lineno")[:6]
            top = "; ".join(
                f"{stat.traceback[0].filename.rsplit('/', 2)[-1]}:{stat.traceback[0].lineno}"
                f" {stat.size_diff / 1024:+.0f}K"
                for stat in growth
            )
        if os.environ.get("BENCH_MALLOC_TRIM"):
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        info = _mallinfo()
        heap = (
            f"heap_used={info.uordblks / 2**20:.1f} heap_free={info.fordblks / 2**20:.1f} "
            f"mmapped={info.hblkhd / 2**20:.1f}"
            if info
            else "heap=n/a"
        )
        print(
            f"MEMTRACE rss={_rss_mb():.1f} blocks={sys.getallocatedblocks()}"
            f" objects={len(gc.get_objects())}{traced} {heap} top={top}",
            file=sys.stderr,
            flush=True,
        )


def main() -> int:
    if os.environ.get("BENCH_TRACEMALLOC"):  # slows the bot: use a lower --rate
        tracemalloc.start(1)
    threading.Thread(target=_report, args=(60.0,), daemon=True).start()
    from bot.cli import main as faqbot_main

    return faqbot_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
