"""Things a user does wrong get one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from pathlib import Path

import pytest

from bot.config import SettingError, Settings
from tests.conftest import RunCli
from tests.fake_discord import FakeDiscord, Fault


def closed_port() -> int:
    """A local port nobody listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assert_explained(result: object, *words: str, code: int = 1) -> None:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert result.returncode == code, stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr and "Error:" not in stderr, stderr
    for word in words:
        assert word in stderr, stderr


async def test_a_token_discord_refuses_is_one_line(run_cli: RunCli) -> None:
    fake = FakeDiscord()
    await fake.start()
    # Discord answers a bad token's login with 401 Unauthorized.
    fake.faults.append(Fault("GET", "/users/@me", 401, times=99))
    env = {
        "DISCORD_TOKEN": "bad",
        "FAQBOT_DISCORD_API": fake.api_base,
        "FAQBOT_DISCORD_GATEWAY": f"ws://127.0.0.1:{fake.port}/gateway",
        "FAQBOT_MODEL": "off",
    }
    try:
        for command in ("invite-url", "sync", "run"):
            result = await asyncio.to_thread(run_cli, command, env=env)
            assert_explained(result, "Discord refused the token", "DISCORD_TOKEN")
    finally:
        await fake.stop()


def test_discord_out_of_reach_is_one_line(run_cli: RunCli) -> None:
    port = closed_port()
    env = {
        "DISCORD_TOKEN": "token",
        "FAQBOT_DISCORD_API": f"http://127.0.0.1:{port}/api/v10",
        "FAQBOT_DISCORD_GATEWAY": f"ws://127.0.0.1:{port}/gateway",
        "FAQBOT_MODEL": "off",
    }
    for command in ("invite-url", "sync", "run"):
        result = run_cli(command, env=env)
        assert_explained(result, "cannot reach Discord", "network connection")


def test_run_says_nothing_about_voice(run_cli: RunCli) -> None:
    # discord.py warns when a client is made (before it connects): a refused connection is the
    # quickest way to make one in `faqbot run`.
    port = closed_port()
    env = {"DISCORD_TOKEN": "token", "FAQBOT_DISCORD_API": f"http://127.0.0.1:{port}/api/v10"}
    result = run_cli("run", env=env | {"FAQBOT_MODEL": "off"})
    assert "logging in" in result.stderr  # the client was made, and its logs are shown
    assert "voice" not in result.stderr


def test_kb_export_to_a_file_or_an_unwritable_place(run_cli: RunCli, tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine\n")
    result = run_cli("kb", "export", str(a_file), env={"FAQBOT_MODEL": "off"})
    assert_explained(result, "faqbot kb export:", "is a file: give a folder")
    assert a_file.read_text() == "mine\n"
    # Below a file nothing can be created, even by root (tests may run as root).
    result = run_cli("kb", "export", str(a_file / "out"), env={"FAQBOT_MODEL": "off"})
    assert_explained(result, "cannot write in", "give a folder you can write to")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FAQBOT_HEALTH_PORT", "abc"),
        ("FAQBOT_HEALTH_PORT", "70000"),
        ("FAQBOT_LOG_LEVEL", "loud"),
        ("FAQBOT_LOG_FORMAT", "yaml"),
        ("FAQBOT_SHARDS", "many"),
        ("FAQBOT_PUBLIC_REPLIES", "ture"),
        ("FAQBOT_MODEL", "of"),
        ("FAQBOT_EDITOR_GUILDS", "123,my-server"),
    ],
)
def test_a_setting_faqbot_cannot_use_is_named(name: str, value: str) -> None:
    with pytest.raises(SettingError, match=f"{name}='{value}' is not valid: write"):
        Settings.from_env({name: value})


def test_a_bad_setting_is_one_line_for_every_command(run_cli: RunCli) -> None:
    # The health port only matters to `run`, but a typo is said at once, not as a crash.
    result = run_cli("ask", "what is kratom", env={"FAQBOT_HEALTH_PORT": "abc"})
    assert_explained(result, "FAQBOT_HEALTH_PORT='abc' is not valid", code=2)
    assert len(result.stderr.strip().splitlines()) == 1
    result = run_cli("run", env={"FAQBOT_LOG_LEVEL": "loud", "DISCORD_TOKEN": "token"})
    assert_explained(result, "FAQBOT_LOG_LEVEL='loud'", "debug", code=2)


def test_a_database_another_process_has_locked_is_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    # A first run creates the database; then another process takes its write lock and holds it.
    assert run_cli("ask", "whats kratom").returncode == 0
    holder = sqlite3.connect(tmp_path / "cli.db", timeout=0)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        for args in (("ask", "whats kratom"), ("kb", "export", str(tmp_path / "out"))):
            result = run_cli(*args)
            assert result.returncode == 1, result.stderr
            assert "Traceback" not in result.stderr
            lines = [line for line in result.stderr.splitlines() if line.startswith("faqbot ")]
            assert len(lines) == 1 and "cannot be used right now" in lines[0]
    finally:
        holder.rollback()
        holder.close()
