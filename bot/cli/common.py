"""What every faqbot command shares: exit codes and the one-line failure."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class CommandFailed(Exception):
    """Something the user can fix, said in one line (what is wrong, what to do): no traceback."""
