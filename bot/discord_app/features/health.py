"""Optional /healthz and Prometheus /metrics on 127.0.0.1 (off unless FAQBOT_HEALTH_PORT is set).

Started when the feature loads and stopped when it unloads (the bot closing unloads it).
Nothing about members is exported: counts and timings only (`bot.discord_app.metrics`).
"""

from __future__ import annotations

from aiohttp import web
from discord.ext import commands

from bot.discord_app.client import FaqBot


class Health(commands.Cog):
    def __init__(self, bot: FaqBot) -> None:
        self.bot = bot
        self.runner: web.AppRunner | None = None

    async def cog_load(self) -> None:
        port = self.bot.settings.health_port
        if port is None:
            return
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()  # never on a public interface

    async def cog_unload(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def healthz(self, _: web.Request) -> web.Response:
        database_ok = True
        try:
            await self.bot.runtime.store.schema_version()
        except Exception:
            database_ok = False
        ready = self.bot.is_ready() and not self.bot.is_closed()
        status = 200 if ready and database_ok else 503
        return web.json_response(
            {
                "status": "ok" if status == 200 else "unhealthy",
                "discord": "connected" if ready else "disconnected",
                "database": "ok" if database_ok else "error",
            },
            status=status,
        )

    async def metrics(self, _: web.Request) -> web.Response:
        latency = self.bot.latency if self.bot.is_ready() else None
        return web.Response(
            text=self.bot.metrics.exposition(latency), content_type="text/plain", charset="utf-8"
        )


async def setup(bot: FaqBot) -> None:
    await bot.add_cog(Health(bot))
