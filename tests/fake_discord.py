"""A fake Discord on 127.0.0.1 that the real discord.py client connects to.

REST (aiohttp) and a websocket gateway speak just enough of Discord's API for faqbot: login,
gateway discovery, HELLO -> IDENTIFY -> READY -> GUILD_CREATE, heartbeats and RESUME, command
sync, interaction callbacks, webhook follow-ups and channel messages. Every request the bot makes
is recorded, so tests assert on exactly what the bot sent to Discord. Tests dispatch gateway
events (INTERACTION_CREATE, MESSAGE_CREATE, ...) shaped like Discord's.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

APPLICATION_ID = "1100000000000000001"
BOT_USER_ID = APPLICATION_ID
GUILD_ID = "1200000000000000001"
CHANNEL_ID = "1300000000000000001"
MOD_LOG_CHANNEL_ID = "1300000000000000002"
FORUM_CHANNEL_ID = "1300000000000000003"
ALERT_CHANNEL_ID = "1300000000000000004"
MESSAGE_CONTENT_INTENT = 1 << 15
MODERATOR_ROLE_ID = "1250000000000000001"
HELPER_ROLE_ID = "1250000000000000002"
DISCORD_EPOCH_MS = 1_420_070_400_000
_sequence = itertools.count()


def snowflake() -> str:
    """A Discord id for now: milliseconds since Discord's epoch, then a sequence number.

    discord.py reads creation times from ids (cooldowns expire by them), so they must be real.
    """
    now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return str((now_ms << 22) | (next(_sequence) % (1 << 22)))


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    at: float = field(default_factory=time.perf_counter)  # when it arrived (for benchmarks)


@dataclass
class Fault:
    """Answer matching requests with an error, `times` times (Discord's shapes, for fault tests)."""

    method: str
    path_prefix: str
    status: int  # 429 (rate limited, honours retry_after) or a 5xx
    times: int = 1
    retry_after: float = 0.25


@dataclass
class FakeDiscord:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[Recorded] = field(default_factory=list)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    sequence: int = 0
    identified: asyncio.Event = field(default_factory=asyncio.Event)
    resumed: asyncio.Event = field(default_factory=asyncio.Event)
    new_request: asyncio.Condition = field(default_factory=asyncio.Condition)
    guild_locale: str = "en-US"
    files: dict[str, bytes] = field(default_factory=dict)
    # False: refuse the Message Content intent, as Discord does when the portal switch is off.
    allow_message_content: bool = True
    identifies: list[int] = field(default_factory=list)  # the intents of each IDENTIFY
    faults: list[Fault] = field(default_factory=list)
    failed: list[Recorded] = field(default_factory=list)  # requests answered with a fault
    # Requests refused as Discord refuses them (400, 50035 Invalid Form Body), with the errors.
    rejected: list[tuple[Recorded, dict[str, Any]]] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        app.router.add_get("/attachments/{name}", self._attachment)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def attach(self, filename: str, content: bytes) -> dict[str, Any]:
        """An attachment object (as in an interaction's resolved data) served by this fake."""
        attachment_id = snowflake()
        self.files[attachment_id] = content
        url = f"http://{self.host}:{self.port}/attachments/{attachment_id}"
        return {
            "id": attachment_id,
            "filename": filename,
            "size": len(content),
            "url": url,
            "proxy_url": url,
            "content_type": "application/x-yaml",
        }

    async def _attachment(self, request: web.Request) -> web.Response:
        content = self.files.get(request.match_info["name"])
        return web.Response(status=404) if content is None else web.Response(body=content)

    @property
    def api_base(self) -> str:
        return f"http://{self.host}:{self.port}/api/v10"

    def bot_env(self, db: Path, **settings: str) -> dict[str, str]:
        """Environment for a `faqbot run` process pointed at this fake and database `db`."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FAQBOT_", "DISCORD_"))}
        env.update(
            {
                "DISCORD_TOKEN": "fake-token",
                "FAQBOT_DB": str(db),
                "FAQBOT_DISCORD_API": self.api_base,
                "FAQBOT_DISCORD_GATEWAY": f"ws://{self.host}:{self.port}/gateway",
                "FAQBOT_MODEL": "off",  # pass FAQBOT_MODEL="on" to test with the model
            }
        )
        env.update(settings)
        return env

    # --- REST ----------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
            elif request.content_type.startswith("multipart/"):
                reader = await request.multipart()
                parts: dict[str, Any] = {}
                async for part in reader:
                    if part.name == "payload_json":  # type: ignore[union-attr]
                        parts["payload_json"] = json.loads(await part.text())  # type: ignore[union-attr]
                    else:
                        parts[part.name or "file"] = await part.read()  # type: ignore[union-attr]
                body = parts.get("payload_json", parts)
                if isinstance(body, dict) and body is not parts:
                    body = {
                        **body,
                        "_files": {k: v for k, v in parts.items() if k != "payload_json"},
                    }
        fault = next(
            (
                f
                for f in self.faults
                if f.times > 0 and f.method == request.method and path.startswith(f.path_prefix)
            ),
            None,
        )
        if fault is not None:
            fault.times -= 1
            self.failed.append(Recorded(request.method, path, body))
            if fault.status == 429:
                limited = {"message": "You are being rate limited.", "global": False}
                limited["retry_after"] = fault.retry_after  # type: ignore[assignment]
                return web.Response(
                    status=429,
                    body=json.dumps(limited).encode(),
                    headers={
                        "Content-Type": "application/json",
                        "Via": "1.1 google",  # Discord's edge; discord.py checks for it
                        "Retry-After": str(fault.retry_after),
                        "X-RateLimit-Scope": "user",
                    },
                )
            return web.Response(status=fault.status, text="upstream error")
        errors = form_errors(request.method, path, body)
        if errors:
            self.rejected.append((Recorded(request.method, path, body), errors))
            invalid = {"code": 50035, "errors": errors, "message": "Invalid Form Body"}
            return web.Response(status=400, body=json.dumps(invalid).encode(), headers=JSON_HEADERS)
        async with self.new_request:
            self.requests.append(Recorded(request.method, path, body))
            self.new_request.notify_all()
        answer = self._answer(request.method, path, body)
        if answer is None:
            return web.Response(status=204)
        # discord.py compares the content type exactly; aiohttp's json_response adds a charset.
        return web.Response(
            body=json.dumps(answer).encode(), headers={"Content-Type": "application/json"}
        )

    def _answer(self, method: str, path: str, body: Any) -> Any:
        if path == "/users/@me":
            return bot_user()
        if path in ("/oauth2/applications/@me", "/applications/@me"):
            return {
                "id": APPLICATION_ID,
                "name": "faqbot",
                "icon": None,
                "description": "",
                "rpc_origins": [],
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": member_user("1000000000000000001", "owner"),
                "team": None,
                "flags": 0,
                "summary": "",
            }
        if path == "/gateway/bot":
            return {
                "url": f"ws://{self.host}:{self.port}/gateway",
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        if path.startswith(f"/applications/{APPLICATION_ID}/") and "/commands" in path:
            if method == "PUT":
                return [
                    {
                        "description": "",
                        **command,
                        "id": snowflake(),
                        "application_id": APPLICATION_ID,
                        "version": "1",
                    }
                    for command in body or []
                ]
            return []
        if path.startswith("/channels/") and path.endswith("/threads") and method == "POST":
            parent = path.split("/")[2]
            name = (body or {}).get("name", "")
            return thread_payload(snowflake(), parent, name, kind=12, owner=BOT_USER_ID)
        if "/thread-members/" in path:
            return None
        if path.startswith("/webhooks/") or path.startswith("/channels/"):
            sent = message(body if isinstance(body, dict) else {})
            if path.startswith("/channels/"):
                sent["channel_id"] = path.split("/")[2]
            return sent
        if path.startswith("/interactions/"):
            # discord.py asks for the callback response (with_response=true).
            data = (body or {}).get("data") or {}
            sent = message(data)
            return {
                "interaction": {
                    "id": path.split("/")[2],
                    "type": 2,
                    "response_message_id": sent["id"],
                    "response_message_loading": body.get("type") == 5,
                    "response_message_ephemeral": bool(data.get("flags", 0) & 64),
                },
                "resource": {"type": body.get("type"), "message": sent},
            }
        return {}

    async def wait_for_request(
        self, predicate: Any, timeout: float = 60.0, start: int = 0
    ) -> Recorded:
        """The first recorded request (from index `start`) that matches `predicate`."""

        async def find() -> Recorded:
            async with self.new_request:
                while True:
                    for found in self.requests[start:]:
                        if predicate(found):
                            return found
                    await self.new_request.wait()

        return await asyncio.wait_for(find(), timeout)

    # --- gateway -------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41_250}})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                op = payload.get("op")
                if op == 1:  # heartbeat
                    await ws.send_json({"op": 11})
                elif op == 2:  # identify
                    intents = int(payload["d"].get("intents", 0))
                    self.identifies.append(intents)
                    if intents & MESSAGE_CONTENT_INTENT and not self.allow_message_content:
                        await ws.close(code=4014, message=b"Disallowed intent(s).")
                        break
                    await self._dispatch(ws, "READY", ready_payload(self.port))
                    await self._dispatch(ws, "GUILD_CREATE", guild_payload(self.guild_locale))
                    self.identified.set()
                elif op == 6:  # resume
                    await self._dispatch(ws, "RESUMED", {})
                    self.resumed.set()
        finally:
            if ws in self.sockets:
                self.sockets.remove(ws)
        return ws

    async def _dispatch(self, ws: web.WebSocketResponse, event: str, data: Any) -> None:
        self.sequence += 1
        await ws.send_json({"op": 0, "t": event, "s": self.sequence, "d": data})

    async def dispatch(self, event: str, data: Any) -> None:
        """Send a gateway event to the connected bot."""
        if not self.sockets:
            raise RuntimeError("no bot is connected to the fake gateway")
        await self._dispatch(self.sockets[-1], event, data)

    async def drop_connection(self) -> None:
        """Close the websocket the way a network blip would (the bot should resume)."""
        self.resumed.clear()
        for ws in list(self.sockets):
            await ws.close(code=4000)


# --- what Discord refuses ----------------------------------------------------------------------
# Discord's documented limits (Message, Embed, Components and Interactions references); a request
# over one is refused whole with HTTP 400, code 50035, and the path of each offending field.
JSON_HEADERS = {"Content-Type": "application/json"}
MESSAGE_LIMITS = {"content": 2000, "embeds": 10, "components": 5}
EMBED_LIMITS = {"title": 256, "description": 4096, "fields": 25, "footer": 2048, "author": 256}
FIELD_LIMITS = {"name": 256, "value": 1024}
EMBEDS_TOTAL = 6000  # title, description, field names and values, footer and author, all embeds
MODAL_LIMITS = {"title": 45, "custom_id": 100, "components": 5}
TEXT_INPUT_LIMITS = {"label": 45, "placeholder": 100, "value": 4000, "custom_id": 100}
TEXT_INPUT_LENGTH = 4000  # min_length 0..4000, max_length 1..4000
BUTTON_LIMITS = {"label": 80, "custom_id": 100}
SELECT_LIMITS = {"custom_id": 100, "placeholder": 150, "options": 25}
OPTION_LIMITS = {"label": 100, "value": 100, "description": 100}


class _Errors:
    """Collects errors in Discord's nested shape: {"data": {"content": {"_errors": [...]}}}."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def longest(self, path: tuple[str | int, ...], value: Any, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def count(self, path: tuple[str | int, ...], items: Any, low: int, high: int) -> None:
        if isinstance(items, list) and not low <= len(items) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


def form_errors(method: str, path: str, body: Any) -> dict[str, Any]:
    """What Discord would refuse in this request (empty: nothing)."""
    if method not in ("POST", "PATCH") or not isinstance(body, dict):
        return {}
    errors = _Errors()
    if path.startswith("/interactions/") and path.endswith("/callback"):
        data = body.get("data")
        if isinstance(data, dict) and body.get("type") == 9:
            _check_modal(errors, ("data",), data)
        elif isinstance(data, dict):
            _check_message(errors, ("data",), data)
    elif path.startswith(("/webhooks/", "/channels/")) and not path.endswith("/threads"):
        _check_message(errors, (), body)
    elif path.endswith("/threads") and isinstance(body.get("message"), dict):
        _check_message(errors, ("message",), body["message"])
    return errors.tree


def _check_message(errors: _Errors, at: tuple[str | int, ...], message: dict[str, Any]) -> None:
    errors.longest((*at, "content"), message.get("content"), MESSAGE_LIMITS["content"])
    embeds = message.get("embeds") or []
    errors.count((*at, "embeds"), embeds, 0, MESSAGE_LIMITS["embeds"])
    total = 0
    for i, embed in enumerate(embeds):
        where = (*at, "embeds", i)
        for key in ("title", "description"):
            errors.longest((*where, key), embed.get(key), EMBED_LIMITS[key])
            total += len(embed.get(key) or "")
        for key in ("footer", "author"):
            text = (embed.get(key) or {}).get("text" if key == "footer" else "name")
            errors.longest(
                (*where, key, "text" if key == "footer" else "name"), text, EMBED_LIMITS[key]
            )
            total += len(text or "")
        fields = embed.get("fields") or []
        errors.count((*where, "fields"), fields, 0, EMBED_LIMITS["fields"])
        for j, item in enumerate(fields):
            for key, limit in FIELD_LIMITS.items():
                value = item.get(key)
                if not value:
                    errors.add(
                        (*where, "fields", j, key), "BASE_TYPE_REQUIRED", "This field is required"
                    )
                errors.longest((*where, "fields", j, key), value, limit)
                total += len(value or "")
    if total > EMBEDS_TOTAL:
        errors.add(
            (*at, "embeds"),
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {EMBEDS_TOTAL}",
        )
    rows = message.get("components") or []
    errors.count((*at, "components"), rows, 0, MESSAGE_LIMITS["components"])
    for i, row in enumerate(rows):
        items = row.get("components") or []
        errors.count((*at, "components", i, "components"), items, 1, 5)
        for j, item in enumerate(items):
            where = (*at, "components", i, "components", j)
            limits = BUTTON_LIMITS if item.get("type") == 2 else SELECT_LIMITS
            for key, limit in limits.items():
                if key == "options":
                    errors.count((*where, key), item.get(key), 1, limit)
                else:
                    errors.longest((*where, key), item.get(key), limit)
            for k, option in enumerate(item.get("options") or []):
                for key, limit in OPTION_LIMITS.items():
                    errors.longest((*where, "options", k, key), option.get(key), limit)


def _check_modal(errors: _Errors, at: tuple[str | int, ...], modal: dict[str, Any]) -> None:
    for key in ("title", "custom_id"):
        errors.longest((*at, key), modal.get(key), MODAL_LIMITS[key])
    rows = modal.get("components") or []
    errors.count((*at, "components"), rows, 1, MODAL_LIMITS["components"])
    for i, row in enumerate(rows):
        items = row.get("components") or ([row["component"]] if "component" in row else [])
        errors.longest(
            (*at, "components", i, "label"), row.get("label"), TEXT_INPUT_LIMITS["label"]
        )
        for j, item in enumerate(items):
            where = (*at, "components", i, "components", j)
            for key, limit in TEXT_INPUT_LIMITS.items():
                errors.longest((*where, key), item.get(key), limit)
            for key, low in (("min_length", 0), ("max_length", 1)):
                value = item.get(key)
                if value is not None and not low <= int(value) <= TEXT_INPUT_LENGTH:
                    errors.add(
                        (*where, key),
                        "NUMBER_TYPE_MAX" if int(value) > TEXT_INPUT_LENGTH else "NUMBER_TYPE_MIN",
                        f"int value should be between {low} and {TEXT_INPUT_LENGTH}.",
                    )


def bot_user() -> dict[str, Any]:
    return {
        "id": BOT_USER_ID,
        "username": "faqbot",
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": True,
        "flags": 0,
    }


def member_user(user_id: str = "1500000000000000001", name: str = "member") -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
    }


def ready_payload(port: int) -> dict[str, Any]:
    return {
        "v": 10,
        "user": bot_user(),
        "guilds": [{"id": GUILD_ID, "unavailable": True}],
        "session_id": "fake-session",
        "resume_gateway_url": f"ws://127.0.0.1:{port}/gateway",
        "shard": [0, 1],
        "application": {"id": APPLICATION_ID, "flags": 0},
    }


def guild_payload(locale: str = "en-US") -> dict[str, Any]:
    return {
        "id": GUILD_ID,
        "name": "Support Server",
        "icon": None,
        "owner_id": "1",
        "preferred_locale": locale,
        "features": [],
        "roles": [
            {
                "id": GUILD_ID,
                "name": "@everyone",
                "permissions": "0",
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
            },
            role_payload(MODERATOR_ROLE_ID, "FAQ moderators"),
            role_payload(HELPER_ROLE_ID, "helpers"),
        ],
        "channels": [
            {
                "id": channel_id,
                "type": kind,
                "name": name,
                "position": position,
                "permission_overwrites": [],
            }
            for position, (channel_id, kind, name) in enumerate(
                (
                    (CHANNEL_ID, 0, "help"),
                    (MOD_LOG_CHANNEL_ID, 0, "mod-log"),
                    (FORUM_CHANNEL_ID, 15, "ask-for-help"),
                    (ALERT_CHANNEL_ID, 0, "helper-alerts"),
                )
            )
        ],
        "members": [],
        "threads": [],
        "emojis": [],
        "stickers": [],
        "voice_states": [],
        "presences": [],
        "member_count": 2,
        "large": False,
        "unavailable": False,
        "joined_at": "2026-01-01T00:00:00+00:00",
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "system_channel_flags": 0,
    }


def thread_payload(
    thread_id: str, parent_id: str, name: str, kind: int = 11, owner: str = "1500000000000000001"
) -> dict[str, Any]:
    """A thread channel: a forum post (11, public) or a private thread (12)."""
    return {
        "id": thread_id,
        "type": kind,
        "guild_id": GUILD_ID,
        "parent_id": parent_id,
        "owner_id": owner,
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": "2026-11-24T00:00:00+00:00",
            "locked": False,
            "invitable": kind != 12,
        },
    }


def member_message(
    content: str,
    channel_id: str,
    *,
    message_id: str | None = None,
    user_id: str = "1500000000000000001",
    roles: list[str] | None = None,
    bot: bool = False,
) -> dict[str, Any]:
    """A MESSAGE_CREATE payload: a member (or a bot) posting in a guild channel."""
    author = member_user(user_id)
    if bot:
        author["bot"] = True
    return {
        **message({"id": message_id or snowflake(), "content": content}, author=author),
        "channel_id": channel_id,
        "guild_id": GUILD_ID,
        "member": {
            "roles": roles or [],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
        },
    }


def role_payload(role_id: str, name: str) -> dict[str, Any]:
    return {
        "id": role_id,
        "name": name,
        "permissions": "0",
        "position": 1,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": True,
    }


def message(body: dict[str, Any], author: dict[str, Any] | None = None) -> dict[str, Any]:
    """A message object as Discord returns it, built from what was sent (or typed)."""
    return {
        "id": str(body.get("id") or snowflake()),
        "channel_id": CHANNEL_ID,
        "author": author or bot_user(),
        "content": body.get("content") or "",
        "timestamp": "2026-11-24T00:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "pinned": False,
        "type": 0,
        "flags": body.get("flags", 0),
        "components": body.get("components") or [],
    }


def slash_command(
    name: str,
    options: list[dict[str, Any]] | None = None,
    *,
    locale: str = "en-US",
    user_id: str = "1500000000000000001",
    permissions: str = "0",
    interaction_type: int = 2,
    subcommand: str | None = None,
    roles: list[str] | None = None,
    resolved: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload for a chat-input command, as Discord sends it."""
    data: dict[str, Any] = {"id": snowflake(), "name": name, "type": 1}
    if subcommand:
        data["options"] = [{"type": 1, "name": subcommand, "options": options or []}]
    elif options:
        data["options"] = options
    if resolved:
        data["resolved"] = resolved
    return interaction(
        interaction_type, data, locale=locale, user_id=user_id, permissions=permissions, roles=roles
    )


def message_command(name: str, target: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """An INTERACTION_CREATE payload for a message context-menu command used on `target`."""
    data = {
        "id": snowflake(),
        "name": name,
        "type": 3,
        "target_id": target["id"],
        "resolved": {"messages": {target["id"]: target}},
    }
    return interaction(2, data, **kw)


def interaction(
    kind: int,
    data: dict[str, Any],
    *,
    locale: str = "en-US",
    user_id: str = "1500000000000000001",
    permissions: str = "0",
    message_payload: dict[str, Any] | None = None,
    roles: list[str] | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": snowflake(),
        "application_id": APPLICATION_ID,
        "type": kind,
        "data": data,
        "guild_id": GUILD_ID,
        "channel_id": CHANNEL_ID,
        "channel": {"id": CHANNEL_ID, "type": 0, "guild_id": GUILD_ID, "name": "help"},
        "member": {
            "user": member_user(user_id),
            "roles": roles or [],
            "permissions": permissions,
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
        },
        "token": f"token-{snowflake()}",
        "version": 1,
        "locale": locale,
        "guild_locale": "en-US",
        "app_permissions": "0",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0,
        "attachment_size_limit": 10_485_760,
    }
    if kind == 3:
        # Discord sends a press with the message it is on, and that message holds the
        # component pressed (discord.py's DynamicItem finds it there).
        message_payload = dict(message_payload or message({"flags": 64}))
        if not message_payload.get("components"):
            component: dict[str, Any] = {
                "type": data.get("component_type", 2),
                "custom_id": data.get("custom_id", ""),
            }
            if component["type"] == 2:
                component |= {"style": 2, "label": "button"}
            else:
                component["options"] = [
                    {"label": str(v), "value": str(v)} for v in data.get("values") or []
                ]
            message_payload["components"] = [{"type": 1, "components": [component]}]
    if message_payload is not None:
        payload["message"] = message_payload
    return payload
