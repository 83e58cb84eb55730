"""The README's two commands stay true: CI runs the second one verbatim."""

from __future__ import annotations

from tests.conftest import REPO


def _commands() -> list[str]:
    lines = (REPO / "README.md").read_text().splitlines()[:12]
    return [line.strip() for line in lines if line.startswith("    python3 -m venv")]


def test_readme_opens_with_run_and_test_commands() -> None:
    run, test = _commands()
    assert run.endswith(".venv/bin/faqbot")
    assert "pytest" in test


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci_lines = (REPO / ".ci" / "run").read_text().splitlines()
    assert _commands()[1] in ci_lines


def test_readme_stays_short() -> None:
    # The README is the first screen a newcomer reads; everything else lives in docs/ by audience.
    lines = (REPO / "README.md").read_text().splitlines()
    assert len(lines) <= 80, f"README.md has {len(lines)} lines: move detail into docs/"
