"""Fast CPU mode: the checkpoint exported to ONNX, its weights quantized to int8 per channel,
run by ONNX Runtime. Chosen by `indosec.load(..., fast=True)`; needs `pip install indosec[fast]`.

Why this and not `torch.ao.quantization.quantize_dynamic`: both run at the same speed on a
2-core CPU, but ONNX Runtime's per-channel int8 stays closer to the fp32 model (on the
quickstart checkpoint's 455 sentences, 97% of labels unchanged against 91% for torch's
per-tensor default), and torch's API is deprecated and announced for removal. Optimum, the
usual wrapper for this, pins transformers < 4.58, so the export uses `torch.onnx.export`
(the maintained dynamo exporter) and `onnxruntime.quantization` directly.

Activations are quantized on the fly with one scale per batch, so a sentence's
probabilities can move in the second or third decimal with the sentences it is batched with.

The export takes tens of seconds, so the quantized model is cached on disk, keyed by the
weights file (path, size, modification time): `$INDOSEC_CACHE`, else `~/.cache/indosec`.
A cached load reads only the ONNX file, never the fp32 weights (`indosec.load` reads
config.json, as for the torch backend).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
import sys
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification

from indosec.backends import quiet_loading
from indosec.files import cache_root, staged_dir

FAST_EXTRA_HINT = "fast=True needs ONNX Runtime and the ONNX exporter: pip install 'indosec[fast]'"
_MODEL_FILE = "model.int8.onnx"
_QUANTIZATION = "int8-per-channel-matmul"  # part of the cache key: a new recipe never reuses an old file


class OnnxBackend:
    """Logits from an int8 ONNX model on the CPU: the `indosec.backends.Backend` interface."""

    device = torch.device("cpu")

    def __init__(self, path: str | Path, *, threads: int | None = None):
        ort = _import_onnxruntime()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        # Laptops run other programs: threads that busy-wait between calls steal their CPU
        # and, measured on a shared 2-core machine, slow everything down more than they gain.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.path = Path(path)

    def logits(self, encoding: Mapping[str, torch.Tensor]) -> np.ndarray:
        feed = {name: encoding[name].numpy() for name in self.input_names}
        return self.session.run(None, feed)[0].astype(np.float32, copy=False)


def load_fast(name_or_path: str, tokenizer, config, *, revision: str | None = None) -> OnnxBackend:
    """The int8 ONNX twin of a checkpoint, from the cache or exported now (`config`: the
    checkpoint's, as `indosec.load` read it; needed only to export)."""
    _import_onnxruntime()
    cache = _cache_dir(_weights_file(name_or_path, revision))
    if cache is not None and (cache / _MODEL_FILE).is_file():
        return OnnxBackend(cache / _MODEL_FILE)
    # the export takes tens of seconds: say why the first call waits (once: later loads hit the cache)
    print("indosec: preparing the fast model (int8 ONNX export, once per checkpoint; about half a minute)", file=sys.stderr, flush=True)
    with quiet_loading():
        model = AutoModelForSequenceClassification.from_pretrained(
            name_or_path, config=config, revision=revision, use_safetensors=True, trust_remote_code=False
        )
    with tempfile.TemporaryDirectory(prefix="indosec-onnx-") as tmp:
        built = export_int8(model, tokenizer, Path(tmp))
        if cache is None:  # nothing to key a cache on: load before the temporary file goes
            return OnnxBackend(built)
        # one rename into the cache: a crash or a second process never sees half a model, and
        # when another process published first, theirs is as good as ours
        with staged_dir(cache, replace=False) as staging:
            shutil.move(str(built), str(staging / _MODEL_FILE))
    return OnnxBackend(cache / _MODEL_FILE)


def export_int8(model, tokenizer, out_dir: Path) -> Path:
    """Export `model` to ONNX (dynamic batch and sequence length) and quantize its weights."""
    try:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as e:
        raise ImportError(FAST_EXTRA_HINT) from e
    fp32_path, int8_path = out_dir / "model.fp32.onnx", out_dir / _MODEL_FILE
    # batch 2 and several tokens: torch.export would specialise a dimension of size 1
    example = tokenizer(["contoh kalimat pendek", "contoh kalimat yang sedikit lebih panjang"], padding=True, return_tensors="pt")
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence")
    model = model.float().cpu().eval()
    with _quiet():
        program = torch.onnx.export(
            model, (), kwargs=dict(example), input_names=list(example), output_names=["logits"],
            dynamic_shapes={name: {0: batch, 1: sequence} for name in example},
            dynamo=True, external_data=False, verbose=False,
        )
        graph = program.model_proto
        # The exporter records intermediate shapes that onnx's shape inference (run by the
        # quantizer) then contradicts; the quantizer only needs them recomputed.
        del graph.graph.value_info[:]
        onnx.save(graph, fp32_path)
        # MatMul weights only: they carry the compute. Quantizing the embedding tables (Gather)
        # as well buys no speed and, on the quickstart checkpoint, moved test macro-F1 by -0.011
        # instead of -0.006 (scripts/compare_fast.py).
        quantize_dynamic(fp32_path, int8_path, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"])
    fp32_path.unlink()
    return int8_path


def _weights_file(name_or_path: str, revision: str | None) -> Path | None:
    """The checkpoint's model.safetensors on disk, or None (then nothing is cached)."""
    local = Path(name_or_path) / "model.safetensors"
    if local.is_file():
        return local
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(name_or_path, "model.safetensors", revision=revision)
    except Exception:  # not a Hub id, or a sharded checkpoint: export each time
        return None
    return Path(found) if isinstance(found, str) else None


def _cache_dir(weights_file: Path | None) -> Path | None:
    if weights_file is None or not weights_file.is_file():
        return None
    real = weights_file.resolve()  # a Hub snapshot links to a blob named by its hash
    stat = real.stat()
    key = f"{real}|{stat.st_size}|{stat.st_mtime_ns}|torch {torch.__version__}|{_QUANTIZATION}"
    return cache_root() / "onnx-int8" / hashlib.sha256(key.encode()).hexdigest()[:24]


@contextlib.contextmanager
def _quiet():
    """The exporter and the quantizer log notes (missing torchvision, "consider
    pre-processing") that mean nothing to a user asking for fast predictions."""
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(logging.NOTSET)


def _import_onnxruntime():
    try:
        import onnxruntime
    except ImportError as e:
        raise ImportError(FAST_EXTRA_HINT) from e
    return onnxruntime
