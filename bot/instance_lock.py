"""One faqbot process owns a database: `faqbot run` and `faqbot db restore` hold this lock.

Two bots on one database each cache settings (one kept alerting after the other switched alerts
off), and a restore under a running bot silently drops its later writes. The lock is an
`flock` on `<db>.lock` beside the database: the kernel releases it when the process ends, even
on SIGKILL, so a crash never leaves a stale lock. The file holds the owner's pid, for the error.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class InstanceBusy(Exception):
    """Another process owns the database (or the lock file cannot be made); says which, plainly."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def instance_lock(db_path: Path) -> Iterator[None]:
    """Hold the database's instance lock for the `with` block, or raise InstanceBusy at once."""
    path = lock_path(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by child processes
    except OSError as exc:
        not_a_folder = path.parent.exists() and not path.parent.is_dir()
        why = f"{path.parent} is not a folder" if not_a_folder else exc.strerror
        raise InstanceBusy(f"cannot create the lock file {path}: {why}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode(errors="replace").strip()
            who = f"pid {owner}" if owner.isdigit() else "another process"
            raise InstanceBusy(
                f"another faqbot ({who}) is using {db_path}; stop it first"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            # Emptied rather than deleted: deleting a lock file races with a process that has
            # just opened it. Closing releases the lock.
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)
