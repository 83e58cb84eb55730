"""Deciding drafts from the shell: `faqbot kb drafts` and `faqbot kb review`, with the same
two-person rule as /faq review in Discord."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import RunCli

OFF = {"FAQBOT_MODEL": "off"}
OLD, NEW = "Kratom isn't proven safe", "Kratom is not proven safe"


def draft_a_change(run_cli: RunCli, tmp_path: Path, author: str, reason: str) -> int:
    out = tmp_path / f"export-{author}"
    assert run_cli("kb", "export", str(out), env=OFF).returncode == 0
    kratom = out / "faq" / "kratom.yaml"
    kratom.write_text(kratom.read_text().replace(OLD, NEW, 1))
    imported = run_cli("kb", "import", str(kratom), "--author", author, "--reason", reason, env=OFF)
    assert "1 draft(s) for review" in imported.stdout, imported.stderr
    listed = run_cli("kb", "drafts", env=OFF).stdout
    row = rf"(?m)^\s+(\d+)  kratom-safety  by shell:{author}  \d{{4}}-\d\d-\d\d  "
    found = re.search(row, listed)
    assert found and reason in listed, listed
    return int(found.group(1))


def live_text(run_cli: RunCli) -> str:
    return run_cli("ask", "--json", "is kratom safe", env=OFF).stdout


def test_the_shell_lists_shows_and_approves_drafts_but_not_ones_own(
    run_cli: RunCli, tmp_path: Path
) -> None:
    assert "No drafts are waiting" in run_cli("kb", "drafts", env=OFF).stdout
    rev = draft_a_change(run_cli, tmp_path, "sam", "plainer wording")

    shown = run_cli("kb", "review", str(rev), env=OFF)
    assert shown.returncode == 0, shown.stderr
    assert f"Draft {rev} of kratom-safety" in shown.stdout and "By shell:sam" in shown.stdout
    assert re.search(rf"(?m)^-.*{OLD}", shown.stdout)
    assert re.search(rf"(?m)^\+.*{NEW}", shown.stdout)

    own = run_cli("kb", "review", str(rev), "--approve", "--as", "sam", env=OFF)
    assert own.returncode == 1 and "another person must approve it" in own.stderr
    assert "Traceback" not in own.stderr and OLD in live_text(run_cli)
    assert f"{rev}  kratom-safety" in run_cli("kb", "drafts", env=OFF).stdout  # still waiting

    anonymous = run_cli("kb", "review", str(rev), "--approve", env=OFF)
    assert anonymous.returncode == 2 and "--as NAME" in anonymous.stderr

    approved = run_cli("kb", "review", str(rev), "--approve", "--as", "alex", env=OFF)
    assert approved.returncode == 0, approved.stderr
    assert f"published draft {rev}" in approved.stdout
    assert NEW in live_text(run_cli)
    assert "No drafts are waiting" in run_cli("kb", "drafts", env=OFF).stdout
    again = run_cli("kb", "review", str(rev), "--reject", "--as", "alex", env=OFF)
    assert again.returncode == 1 and "already published" in again.stderr


def test_the_shell_rejects_a_draft_with_a_reason(run_cli: RunCli, tmp_path: Path) -> None:
    rev = draft_a_change(run_cli, tmp_path, "sam", "wording")
    # The author may withdraw their own draft, as in Discord.
    rejected = run_cli(
        "kb", "review", str(rev), "--reject", "--as", "sam", "--reason", "keep it", env=OFF
    )
    assert rejected.returncode == 0 and f"rejected draft {rev}" in rejected.stdout
    assert OLD in live_text(run_cli)
    assert "No drafts are waiting" in run_cli("kb", "drafts", env=OFF).stdout
    for bad in ("abc", "99999999999999999999"):
        result = run_cli("kb", "review", bad, env=OFF)
        assert result.returncode == 2 and "not a draft number" in result.stderr
    missing = run_cli("kb", "review", "424242", env=OFF)
    assert missing.returncode == 1 and "no draft 424242" in missing.stderr
