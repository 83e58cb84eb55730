"""Deploy files: what can be checked without a Docker engine or a systemd host."""

from __future__ import annotations

import configparser
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

DEPLOY = REPO / "deploy"


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_dockerfile_runs_faqbot_as_a_non_root_user_with_data_on_a_volume() -> None:
    steps = dockerfile_instructions()
    kinds = [k for k, _ in steps]
    users = [v.strip() for k, v in steps if k == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert kinds.index("USER") > max(i for i, k in enumerate(kinds) if k == "RUN")
    assert any(k == "VOLUME" and "/data" in v for k, v in steps)
    env = " ".join(v for k, v in steps if k == "ENV")
    assert "FAQBOT_DB=/data/faqbot.db" in env
    port = re.search(r"FAQBOT_HEALTH_PORT=(\d+)", env)
    health = next(v for k, v in steps if k == "HEALTHCHECK")
    assert port and f"127.0.0.1:{port.group(1)}/healthz" in health
    for k, v in steps:
        if k == "COPY":
            for source in v.split()[:-1]:
                assert (REPO / source).exists(), source


def test_dockerfile_entrypoint_is_a_real_faqbot_command() -> None:
    steps = dict(dockerfile_instructions())
    entrypoint, command = json.loads(steps["ENTRYPOINT"]), json.loads(steps["CMD"])
    assert entrypoint == ["faqbot"]
    result = subprocess.run(
        [sys.executable, "-m", "bot", *command, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "Discord" in result.stdout


def test_compose_file_builds_the_image_and_keeps_data() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    service = compose["services"]["faqbot"]
    context = (DEPLOY / service["build"]["context"]).resolve()
    assert (context / service["build"]["dockerfile"]).is_file()
    assert any(str(v).endswith(":/data") for v in service["volumes"])
    assert service["restart"] == "unless-stopped"
    assert service["env_file"] == ".env" and (DEPLOY / ".env.example").is_file()
    assert service["stop_signal"] == "SIGTERM"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "faqbot.service")
    return parser


def test_systemd_unit_is_hardened_and_restarts() -> None:
    service = unit()["Service"]
    assert service["User"] == "faqbot" and service["ProtectSystem"] == "strict"
    assert service["NoNewPrivileges"] == "true" and service["Restart"] == "on-failure"
    assert service["ExecStart"].endswith("faqbot run") and service["KillSignal"] == "SIGTERM"
    assert service["ReadWritePaths"] == "/var/lib/faqbot"
    assert service["CapabilityBoundingSet"] == ""


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    faqbot = Path(sys.executable).parent / "faqbot"
    text = (DEPLOY / "faqbot.service").read_text()
    text = text.replace("/opt/faqbot/.venv/bin/faqbot", str(faqbot))
    text = text.replace("WorkingDirectory=/opt/faqbot", f"WorkingDirectory={REPO}")
    copy = tmp_path / "faqbot.service"
    copy.write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=false", str(copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
