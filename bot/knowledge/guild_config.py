"""Per-server settings: what each one means, its type and default. One place lists them all.

Stored as key -> JSON text (table `guild_config`), so adding a setting needs no migration. A value
that no longer parses falls back to the default rather than breaking the server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from typing import Any

MIN_RETENTION_DAYS, MAX_RETENTION_DAYS = 1, 365


@dataclass(frozen=True)
class GuildConfig:
    # /ask visibility: None = the deployment default (FAQBOT_PUBLIC_REPLIES).
    public_replies: bool | None = None
    # Members with this role may moderate the FAQ (as well as those with Manage Server).
    moderator_role: int | None = None
    mod_log_channel: int | None = None  # every FAQ change is posted here
    # The review rule: False (default) = a second moderator must approve a draft.
    single_moderator_publish: bool = False
    watched_channels: tuple[int, ...] = ()  # text or forum channels the bot auto-answers in
    helper_role: int | None = None  # pinged (only) in private "Talk to a helper" threads
    alert_channel: int | None = None  # crisis alerts for helpers (a jump link, never a quote)
    crisis_alerts: bool = True
    region: str | None = None  # default region for crisis lines, e.g. "GB"
    # Auto-answers need at least this match score (0-100); None = the matcher's calibrated one.
    auto_answer_threshold: float | None = None
    retention_days: int = 30  # how long unanswered questions are kept for /faq gaps

    @classmethod
    def from_stored(cls, stored: dict[str, str]) -> GuildConfig:
        config = cls()
        for f in fields(cls):
            if f.name not in stored:
                continue
            try:
                value = _checked(f.name, json.loads(stored[f.name]))
            except (ValueError, TypeError):
                continue  # a bad stored value falls back to the default
            config = replace(config, **{f.name: value})
        return config

    @staticmethod
    def to_stored(changes: dict[str, Any]) -> dict[str, str | None]:
        """Validate changes; None resets a setting to its default. Raises ValueError."""
        names = {f.name for f in fields(GuildConfig)}
        out: dict[str, str | None] = {}
        for key, value in changes.items():
            if key not in names:
                raise ValueError(f"unknown server setting {key!r}")
            out[key] = None if value is None else json.dumps(_checked(key, value))
        return out


def _checked(key: str, value: Any) -> Any:
    """The value in its proper type, or ValueError naming the setting."""
    if key in ("public_replies", "single_moderator_publish", "crisis_alerts"):
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false")
        return value
    if key in ("moderator_role", "mod_log_channel", "helper_role", "alert_channel"):
        return _snowflake(key, value)
    if key == "watched_channels":
        if not isinstance(value, list | tuple):
            raise ValueError(f"{key} must be a list of channel ids")
        return tuple(dict.fromkeys(_snowflake(key, v) for v in value))
    if key == "region":
        if not isinstance(value, str) or not value.isalpha() or len(value) > 8:
            raise ValueError("region must be a region code such as US or GB")
        return value.upper()
    if key == "auto_answer_threshold":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise ValueError("auto_answer_threshold must be a number from 0 to 100")
        return float(value)
    if key == "retention_days":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("retention_days must be a whole number of days")
        if not MIN_RETENTION_DAYS <= value <= MAX_RETENTION_DAYS:
            raise ValueError(
                f"retention_days must be from {MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS}"
            )
        return value
    raise ValueError(f"unknown server setting {key!r}")


def _snowflake(key: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{key} must be a Discord id")
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(float("inf"))
        raise ValueError(f"{key} must be a Discord id") from None
    if not 0 < number < 2**64:
        raise ValueError(f"{key} must be a Discord id")
    return number
