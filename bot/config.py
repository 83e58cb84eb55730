"""Settings from the environment, overridable by command-line flags. One place lists them all."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

PACKAGE_ROOT = Path(__file__).resolve().parent
SHIPPED_KNOWLEDGE = PACKAGE_ROOT.parent / "knowledge"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "faqbot"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "faqbot"


@dataclass(frozen=True)
class Settings:
    discord_token: str | None
    db_path: Path
    knowledge_dir: Path
    locale: str | None  # the terminal's locale for crisis resources, e.g. "en-GB"
    default_region: str | None  # deployment-wide fallback region, e.g. "US"
    public_replies: bool = False  # /ask answers visible to the channel (default: only the asker)
    sync_on_start: bool = False  # register slash commands at every start (default: `faqbot sync`)
    # Where discord.py connects; only changed to point the bot at a test double on 127.0.0.1.
    discord_api_base: str | None = None
    discord_gateway: str | None = None
    health_port: int | None = None  # serve /healthz and /metrics on 127.0.0.1:PORT when set
    shards: str | None = None  # None: one connection; "auto": Discord's recommendation; or a count
    log_format: str = "text"  # "text" (human-readable) or "json" (one object per line)
    log_level: str = "info"
    # Servers whose moderators may edit the (shared) FAQ; empty = every server the bot is in.
    editor_guilds: frozenset[int] = frozenset()
    # The local model of meaning (crisis classifier, semantic matching); off = rules alone.
    model: bool = True
    cache_dir: Path = field(default_factory=default_cache_dir)  # the built model and vectors

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read the settings; a value faqbot cannot use raises SettingError (one line, a fix)."""
        env = dict(os.environ) if env is None else env

        def get(name: str) -> str:
            return (env.get(name) or "").strip()

        knowledge, cache = get("FAQBOT_KNOWLEDGE"), get("FAQBOT_CACHE")
        return cls(
            discord_token=get("DISCORD_TOKEN") or None,
            db_path=Path(get("FAQBOT_DB") or default_data_dir() / "faqbot.db"),
            knowledge_dir=Path(knowledge) if knowledge else SHIPPED_KNOWLEDGE,
            locale=get("FAQBOT_LOCALE") or None,
            default_region=get("FAQBOT_REGION") or None,
            public_replies=_switch("FAQBOT_PUBLIC_REPLIES", get("FAQBOT_PUBLIC_REPLIES"), False),
            sync_on_start=_switch("FAQBOT_SYNC_ON_START", get("FAQBOT_SYNC_ON_START"), False),
            discord_api_base=get("FAQBOT_DISCORD_API") or None,
            discord_gateway=get("FAQBOT_DISCORD_GATEWAY") or None,
            log_format=_choice("FAQBOT_LOG_FORMAT", get("FAQBOT_LOG_FORMAT"), LOG_FORMATS),
            log_level=_choice("FAQBOT_LOG_LEVEL", get("FAQBOT_LOG_LEVEL"), LOG_LEVELS),
            health_port=_port("FAQBOT_HEALTH_PORT", get("FAQBOT_HEALTH_PORT")),
            shards=_shards("FAQBOT_SHARDS", get("FAQBOT_SHARDS")),
            model=_switch("FAQBOT_MODEL", get("FAQBOT_MODEL"), True),
            cache_dir=Path(cache) if cache else default_cache_dir(),
            editor_guilds=_ids("FAQBOT_EDITOR_GUILDS", get("FAQBOT_EDITOR_GUILDS")),
        )

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


class SettingError(ValueError):
    """A setting whose value faqbot cannot use; the message names it and says what to write."""

    def __init__(self, name: str, value: str, wanted: str) -> None:
        super().__init__(f"{name}={value!r} is not valid: {wanted}, or unset it for the default")


LOG_FORMATS = ("text", "json")  # the first is the default
LOG_LEVELS = ("info", "debug", "warning", "error", "critical")
_ON = frozenset({"1", "on", "true", "yes"})
_OFF = frozenset({"0", "off", "false", "no"})


def _switch(name: str, value: str, default: bool) -> bool:
    """on/off, true/false, yes/no, 1/0: anything else is a typo, not silently `off`."""
    if not value:
        return default
    if value.lower() in _ON | _OFF:
        return value.lower() in _ON
    raise SettingError(name, value, "write on or off")


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if not value:
        return choices[0]
    if value.lower() in choices:
        return value.lower()
    raise SettingError(name, value, "write one of " + ", ".join(choices))


def _port(name: str, value: str) -> int | None:
    if not value:
        return None
    if value.isdigit() and 0 < int(value) < 65536:
        return int(value)
    raise SettingError(name, value, "write a port number from 1 to 65535, e.g. 8099")


def _shards(name: str, value: str) -> str | None:
    if not value:
        return None
    if value.lower() == "auto" or (value.isdigit() and int(value) > 0):
        return value.lower()
    raise SettingError(name, value, "write auto or a number of shards, e.g. 2")


def _ids(name: str, value: str) -> frozenset[int]:
    # A typo here must not silently widen who may edit the FAQ to every server.
    parts = [part for part in re.split(r"[,\s]+", value) if part]
    if all(part.isdigit() for part in parts):
        return frozenset(int(part) for part in parts)
    raise SettingError(name, value, "write server ids separated by commas, e.g. 123,456")
