"""The real CLI as a subprocess: the JSON contract, batch streaming, exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import RunCli

CONTRACT_FIELDS = {
    "question",
    "kind",
    "entry_id",
    "score",
    "clinical",
    "crisis",
    "possible_crisis",
    "crisis_score",
    "suggestions",
    "safety_note",
    "text",
}


def test_help_documents_every_command(run_cli: RunCli) -> None:
    out = run_cli("--help").stdout
    for command in ("chat", "ask", "kb", "run", "DISCORD_TOKEN", "FAQBOT_DB", "FAQBOT_KNOWLEDGE"):
        assert command in out


def test_version_from_the_package_metadata(run_cli: RunCli) -> None:
    from importlib.metadata import version

    for flag in ("--version", "-V"):
        result = run_cli(flag)
        assert result.returncode == 0 and result.stdout == f"faqbot {version('faqbot')}\n"


def test_ask_json_contract_field_by_field(run_cli: RunCli) -> None:
    result = run_cli("ask", "--json", "is kratom addictive", "--locale", "en-US")
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert set(reply) == CONTRACT_FIELDS
    assert reply["question"] == "is kratom addictive"
    assert reply["kind"] == "answer" and reply["entry_id"] == "kratom-dependence"
    assert isinstance(reply["score"], float) and 0 <= reply["score"] <= 100
    assert reply["clinical"] is False and reply["crisis"] is None
    assert isinstance(reply["suggestions"], list)
    assert reply["safety_note"] and reply["text"].endswith(reply["safety_note"])


def test_ask_json_crisis(run_cli: RunCli) -> None:
    reply = json.loads(run_cli("ask", "--json", "i want to end it all tonight").stdout)
    assert reply["kind"] == "crisis" and reply["crisis"] == "self_harm"
    assert reply["entry_id"] is None and reply["score"] is None


def test_batch_mode_keeps_order_one_line_each(run_cli: RunCli) -> None:
    questions = ["what is ptsd", "", "kms", "best pizza topping", "kratom dose?"]
    result = run_cli("ask", "--json", "-", input="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in replies] == questions
    assert [r["kind"] for r in replies] == ["answer", "no_match", "crisis", "no_match", "answer"]
    assert replies[4]["clinical"] is True


def test_batch_mode_streams_each_answer_before_the_next_question(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAQBOT_")}
    env["FAQBOT_DB"] = str(tmp_path / "stream.db")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--json", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdin and proc.stdout
    try:
        for question in ("what is kratom", "what is depression"):
            proc.stdin.write(question + "\n")
            proc.stdin.flush()
            # Reading before writing the next line proves the process answered and flushed.
            assert json.loads(proc.stdout.readline())["question"] == question
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=120) == 0


def test_ask_human_readable(run_cli: RunCli) -> None:
    out = run_cli("ask", "what is complex ptsd").stdout
    assert "What is PTSD" in out and "Sources:" in out


def test_ask_without_question_is_a_usage_error(run_cli: RunCli) -> None:
    result = run_cli("ask")
    assert result.returncode == 2 and "give a QUESTION" in result.stderr


def test_kb_check_passes_on_shipped_knowledge(run_cli: RunCli) -> None:
    result = run_cli("kb", "check")
    assert result.returncode == 0 and "kb check: OK" in result.stdout


def test_broken_knowledge_fails_with_file_line_and_nothing_loads(
    run_cli: RunCli, knowledge_copy: Path
) -> None:
    faq = knowledge_copy / "faq" / "kratom.yaml"
    faq.write_text(faq.read_text().replace("reviewer: faqbot maintainers", "reviewer: [x", 1))
    check = run_cli("kb", "check", "--knowledge", str(knowledge_copy))
    assert check.returncode == 1 and "knowledge/faq/kratom.yaml:" in check.stdout
    ask = run_cli("ask", "what is kratom", env={"FAQBOT_KNOWLEDGE": str(knowledge_copy)})
    assert ask.returncode == 1 and "nothing was loaded" in ask.stderr


def test_chat_answers_and_quits(run_cli: RunCli) -> None:
    result = run_cli("chat", "--locale", "en-GB", input="what is kratom\n/resources\n/quit\n")
    assert result.returncode == 0
    assert "faqbot> What is kratom?" in result.stdout
    assert "Samaritans" in result.stdout  # /resources for en-GB


def test_no_token_starts_the_terminal_chat(run_cli: RunCli) -> None:
    result = run_cli(input="hi\n")  # stdin closes after one line: chat ends cleanly
    assert result.returncode == 0 and "vetted answers" in result.stdout


def test_run_without_token_explains(run_cli: RunCli) -> None:
    result = run_cli("run")
    assert result.returncode == 2 and "DISCORD_TOKEN" in result.stderr


def test_kb_export_and_import_from_the_shell(run_cli: RunCli, tmp_path: Path) -> None:
    exported = run_cli("kb", "export", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr
    kratom = tmp_path / "out" / "faq" / "kratom.yaml"
    assert {p.name for p in (tmp_path / "out" / "faq").iterdir()} == {
        "depression.yaml",
        "help.yaml",
        "kratom.yaml",
        "trauma.yaml",
    }
    same = run_cli("kb", "import", str(kratom))
    assert same.returncode == 0 and "0 draft(s) for review" in same.stdout
    text = kratom.read_text()
    kratom.write_text(text.replace("Kratom isn't proven safe", "Kratom is not proven safe", 1))
    changed = run_cli("kb", "import", str(kratom), "--author", "sam", "--reason", "wording")
    assert changed.returncode == 0 and "1 draft(s) for review" in changed.stdout
    kratom.write_text(text.replace("https://nida.nih.gov", "http://nida.nih.gov", 1))
    broken = run_cli("kb", "import", str(kratom))
    assert broken.returncode == 1 and "nothing was drafted" in broken.stderr
    assert re.search(r"kratom\.yaml:\d+: error: entries\[\d+\]\.sources\[\d+\]\.url", broken.stderr)
    # The live FAQ is unchanged: drafts wait for review.
    answer = run_cli("ask", "--json", "is kratom safe")
    assert "Kratom isn't proven safe" in answer.stdout


def test_invite_url_asks_for_exactly_what_the_bot_uses(run_cli: RunCli) -> None:
    out = run_cli("invite-url", "--app-id", "1100000000000000001").stdout
    permissions = int(re.search(r"permissions=(\d+)", out).group(1))  # type: ignore[union-attr]
    wanted = {10: "view", 11: "send", 14: "embed", 15: "attach", 16: "history", 31: "commands"}
    wanted |= {36: "private threads", 38: "send in threads"}
    assert permissions == sum(1 << bit for bit in wanted)
    assert not permissions & (1 << 3 | 1 << 17 | 1 << 28)  # administrator, mention everyone, roles


def test_options_before_the_command_are_not_overwritten_by_its_defaults(
    run_cli: RunCli, tmp_path: Path
) -> None:
    assert run_cli("--knowledge", "/nonexistent", "kb", "check").returncode == 1
    assert run_cli("kb", "check", "--knowledge", "/nonexistent").returncode == 1
    chosen = tmp_path / "chosen.db"
    result = run_cli("--db", str(chosen), "ask", "whats kratom", env={"FAQBOT_MODEL": "off"})
    assert result.returncode == 0, result.stderr
    assert chosen.exists() and not (tmp_path / "cli.db").exists()


def test_kb_and_db_without_a_command_and_an_empty_question_are_usage_errors(
    run_cli: RunCli,
) -> None:
    for args in (("kb",), ("db",), ("ask", "   ")):
        result = run_cli(*args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr and result.stderr.strip(), args
