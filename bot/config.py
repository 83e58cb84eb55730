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
        env = dict(os.environ) if env is None else env
        knowledge = env.get("FAQBOT_KNOWLEDGE")
        return cls(
            discord_token=env.get("DISCORD_TOKEN") or None,
            db_path=Path(env.get("FAQBOT_DB") or default_data_dir() / "faqbot.db"),
            knowledge_dir=Path(knowledge) if knowledge else SHIPPED_KNOWLEDGE,
            locale=env.get("FAQBOT_LOCALE") or None,
            default_region=env.get("FAQBOT_REGION") or None,
            public_replies=_flag(env.get("FAQBOT_PUBLIC_REPLIES")),
            sync_on_start=_flag(env.get("FAQBOT_SYNC_ON_START")),
            discord_api_base=env.get("FAQBOT_DISCORD_API") or None,
            discord_gateway=env.get("FAQBOT_DISCORD_GATEWAY") or None,
            log_format="json" if (env.get("FAQBOT_LOG_FORMAT") or "").lower() == "json" else "text",
            log_level=(env.get("FAQBOT_LOG_LEVEL") or "info").lower(),
            health_port=int(env["FAQBOT_HEALTH_PORT"]) if env.get("FAQBOT_HEALTH_PORT") else None,
            shards=(env.get("FAQBOT_SHARDS") or "").strip().lower() or None,
            model=(env.get("FAQBOT_MODEL") or "on").strip().lower() not in _OFF,
            cache_dir=Path(env["FAQBOT_CACHE"]) if env.get("FAQBOT_CACHE") else default_cache_dir(),
            editor_guilds=frozenset(
                int(part)
                for part in re.split(r"[,\s]+", env.get("FAQBOT_EDITOR_GUILDS") or "")
                if part.isdigit()
            ),
        )

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_OFF = frozenset({"0", "off", "false", "no"})


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}
