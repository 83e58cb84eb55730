"""Settings from the environment, overridable by command-line flags.

One place lists them all: SETTINGS, from which `faqbot --help` and the docs' table are made
and against which deploy/.env.example is checked.
"""

from __future__ import annotations

import os
import re
import textwrap
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


LOG_FORMATS = ("text", "json")  # the first is the default
LOG_LEVELS = ("info", "debug", "warning", "error", "critical")


@dataclass(frozen=True)
class Setting:
    """One environment variable faqbot reads."""

    name: str
    value: str  # the default as deploy/.env.example writes it ("" = unset)
    default: str  # the default in words
    meaning: str
    flag: str = ""  # the command-line option that overrides it


SETTINGS = (
    Setting(
        "DISCORD_TOKEN",
        "",
        "unset",
        "Discord bot token; when set, `faqbot` with no command runs the Discord bot",
    ),
    Setting(
        "FAQBOT_DB",
        "",
        "~/.local/share/faqbot/faqbot.db, or $XDG_DATA_HOME/faqbot/faqbot.db",
        "SQLite database: the FAQ with its history, votes, server settings",
        "--db",
    ),
    Setting(
        "FAQBOT_KNOWLEDGE",
        "",
        "the knowledge/ beside bot/",
        "knowledge directory (FAQ YAML, crisis lines, safety rules)",
        "--knowledge",
    ),
    Setting(
        "FAQBOT_LOCALE",
        "",
        "LC_ALL / LC_MESSAGES / LANG, else international",
        "your country for crisis lines in the terminal: a region code (GB, AU) or a locale (en_GB)",
        "--locale",
    ),
    Setting(
        "FAQBOT_REGION",
        "",
        "unset",
        "region when nobody chose one, e.g. AU; outranks a guess from a language spoken in many "
        "countries (Discord's default en-US)",
    ),
    Setting(
        "FAQBOT_PUBLIC_REPLIES",
        "false",
        "false",
        "/ask answers visible to the channel where a server hasn't chosen with /config replies "
        "(false: only the person who asked sees them)",
    ),
    Setting(
        "FAQBOT_SYNC_ON_START",
        "false",
        "false",
        "register slash commands at every start (normally run `faqbot sync` once)",
    ),
    Setting(
        "FAQBOT_HEALTH_PORT",
        "",
        "unset: off",
        "serve /healthz and Prometheus /metrics on 127.0.0.1 at this port",
    ),
    Setting(
        "FAQBOT_EDITOR_GUILDS",
        "",
        "unset: any server",
        "server ids (comma-separated) whose moderators may edit the shared FAQ with /faq",
    ),
    Setting(
        "FAQBOT_SHARDS",
        "",
        "unset: one connection",
        "auto or a number: shard the gateway connection (discord.py's AutoShardedClient)",
    ),
    Setting(
        "FAQBOT_LOG_FORMAT",
        LOG_FORMATS[0],
        LOG_FORMATS[0],
        "text, or json for one JSON object per log line; members' words are never logged",
    ),
    Setting(
        "FAQBOT_LOG_LEVEL",
        LOG_LEVELS[0],
        LOG_LEVELS[0],
        ", ".join(LOG_LEVELS) + " (discord.py's own logs stay at info or above: its debug "
        "output contains raw messages)",
    ),
    Setting(
        "FAQBOT_MODEL",
        "on",
        "on",
        "off runs on the rules and the lexical matcher alone (also what happens, announced at "
        "start, when the model package is missing)",
    ),
    Setting(
        "FAQBOT_CACHE",
        "",
        "~/.cache/faqbot, or $XDG_CACHE_HOME/faqbot",
        "the model's int8 graph, built once at first start, and cached phrasing vectors",
    ),
    Setting(
        "FAQBOT_DISCORD_API",
        "",
        "Discord's",
        "only for tests: the REST address of the local fake Discord",
    ),
    Setting(
        "FAQBOT_DISCORD_GATEWAY",
        "",
        "Discord's",
        "only for tests: the gateway address of the local fake Discord",
    ),
)
DEFAULTS = {setting.name: setting.value for setting in SETTINGS}


def settings_help(width: int = 100) -> str:
    """The settings part of `faqbot --help`."""
    lines = []
    for setting in SETTINGS:
        flag = f" Flag: {setting.flag}." if setting.flag else ""
        text = f"{setting.meaning.replace('`', '')}. Default: {setting.default}.{flag}"
        lines += textwrap.wrap(
            text,
            width,
            initial_indent=f"  {setting.name:<24}",
            subsequent_indent=" " * 26,
            break_on_hyphens=False,
        )
    return "\n".join(lines)


def settings_table() -> str:
    """The docs' settings table (Markdown); `python -m bot.config` prints it."""
    rows = ["| variable | flag | default | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        flag = f"`{s.flag}`" if s.flag else ""
        rows.append(f"| `{s.name}` | {flag} | {s.default} | {s.meaning} |")
    return "\n".join(rows)


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
            # Unset or empty means the default that SETTINGS (and so .env.example) writes.
            return (env.get(name) or "").strip() or DEFAULTS[name]

        knowledge, cache = get("FAQBOT_KNOWLEDGE"), get("FAQBOT_CACHE")
        return cls(
            discord_token=get("DISCORD_TOKEN") or None,
            db_path=Path(get("FAQBOT_DB") or default_data_dir() / "faqbot.db"),
            knowledge_dir=Path(knowledge) if knowledge else SHIPPED_KNOWLEDGE,
            locale=get("FAQBOT_LOCALE") or None,
            default_region=get("FAQBOT_REGION") or None,
            public_replies=_switch("FAQBOT_PUBLIC_REPLIES", get("FAQBOT_PUBLIC_REPLIES")),
            sync_on_start=_switch("FAQBOT_SYNC_ON_START", get("FAQBOT_SYNC_ON_START")),
            discord_api_base=get("FAQBOT_DISCORD_API") or None,
            discord_gateway=get("FAQBOT_DISCORD_GATEWAY") or None,
            log_format=_choice("FAQBOT_LOG_FORMAT", get("FAQBOT_LOG_FORMAT"), LOG_FORMATS),
            log_level=_choice("FAQBOT_LOG_LEVEL", get("FAQBOT_LOG_LEVEL"), LOG_LEVELS),
            health_port=_port("FAQBOT_HEALTH_PORT", get("FAQBOT_HEALTH_PORT")),
            shards=_shards("FAQBOT_SHARDS", get("FAQBOT_SHARDS")),
            model=_switch("FAQBOT_MODEL", get("FAQBOT_MODEL")),
            cache_dir=Path(cache) if cache else default_cache_dir(),
            editor_guilds=_ids("FAQBOT_EDITOR_GUILDS", get("FAQBOT_EDITOR_GUILDS")),
        )

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


class SettingError(ValueError):
    """A setting whose value faqbot cannot use; the message names it and says what to write."""

    def __init__(self, name: str, value: str, wanted: str) -> None:
        super().__init__(f"{name}={value!r} is not valid: {wanted}, or unset it for the default")


_ON = frozenset({"1", "on", "true", "yes"})
_OFF = frozenset({"0", "off", "false", "no"})


def _switch(name: str, value: str) -> bool:
    """on/off, true/false, yes/no, 1/0: anything else is a typo, not silently `off`."""
    if value.lower() in _ON | _OFF:
        return value.lower() in _ON
    raise SettingError(name, value, "write on or off")


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
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


if __name__ == "__main__":  # regenerate the docs' table: python -m bot.config
    print(settings_table())
