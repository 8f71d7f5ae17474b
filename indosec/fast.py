"""Fast CPU mode: the checkpoint exported to ONNX, its encoder fused into ONNX Runtime's
transformer operators, its weights quantized to int8, run by ONNX Runtime. Chosen by
`indosec.load(..., fast=True)`; needs `pip install indosec[fast]`. How the model is built and
which recipe was chosen on the validation split: `indosec.fast_export`.

The export takes tens of seconds, so the model is cached on disk, keyed by the weights file
(path, size, modification time), the export recipe and the library versions: `$INDOSEC_CACHE`,
else `~/.cache/indosec`. The first load says so on stderr. A cached load reads only the ONNX
file, never the fp32 weights (`indosec.load` reads config.json, as for the torch backend).
`scripts/compare_fast.py --record` writes the measured accuracy beside the cached model.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification

from indosec.backends import quiet_loading
from indosec.files import cache_root, staged_dir
from indosec.fast_export import (  # noqa: F401  (re-exported: the names users and tests reach for)
    EXPORT, FAST_EXTRA_HINT, METADATA_KEY, MODEL_FILE, RECIPE, RECIPES, SLOW_FUSIONS, Recipe, _versions, export_int8,
)

# Sentences per ONNX Runtime call in fast mode unless batch_size= says otherwise: the int8
# kernels run faster on batches that stay in cache (on the 2-core machine, batch 8 labelled
# about 1.2x as many sentences per second as batch 32; scripts/bench_predict.py).
FAST_BATCH_SIZE = 8
_MODEL_FILE = MODEL_FILE


class OnnxBackend:
    """Logits from the fast ONNX model on the CPU: the `indosec.backends.Backend` interface.

    threads: ONNX Runtime's intra-op threads (default: torch's thread count, which follows
    OMP_NUM_THREADS and otherwise the physical cores). The graph is a chain of operators, so
    one inter-op thread: a second pool only competes with the first. disabled_optimizers:
    ONNX Runtime's load-time fusions to skip (default: the slow SkipLayerNormalization; pass
    () to run a model as indosec before issue 21 did, as scripts/bench_predict.py --onnx does).
    """

    device = torch.device("cpu")

    def __init__(self, path: str | Path, *, threads: int | None = None, disabled_optimizers=SLOW_FUSIONS):
        ort = _import_onnxruntime()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # Laptops run other programs: threads that busy-wait between calls steal their CPU
        # and, measured on a shared 2-core machine, slow everything down more than they gain.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"], disabled_optimizers=list(disabled_optimizers),
        )
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.threads = options.intra_op_num_threads
        self.path = Path(path)

    @property
    def recipe(self) -> dict:
        """What was built: the recipe, the fused-operator counts and the versions used."""
        return json.loads(self.session.get_modelmeta().custom_metadata_map.get(METADATA_KEY, "{}"))

    def logits(self, encoding: Mapping[str, torch.Tensor]) -> np.ndarray:
        feed = {name: np.asarray(encoding[name], dtype=np.int64) for name in self.input_names}
        return self.session.run(None, feed)[0].astype(np.float32, copy=False)


def load_fast(name_or_path: str, tokenizer, config, *, revision: str | None = None, threads: int | None = None) -> OnnxBackend:
    """The fast ONNX twin of a checkpoint, from the cache or exported now (`config`: the
    checkpoint's, as `indosec.load` read it; needed only to export)."""
    _import_onnxruntime()
    cache = _cache_dir(_weights_file(name_or_path, revision))
    if cache is not None and (cache / _MODEL_FILE).is_file():
        return OnnxBackend(cache / _MODEL_FILE, threads=threads)
    where = f"; later loads read it from {cache}" if cache is not None else ""
    print(f"indosec: preparing the fast model for {name_or_path} once (tens of seconds){where}", file=sys.stderr, flush=True)
    with quiet_loading():
        model = AutoModelForSequenceClassification.from_pretrained(
            name_or_path, config=config, revision=revision, use_safetensors=True, trust_remote_code=False
        )
    with tempfile.TemporaryDirectory(prefix="indosec-onnx-") as tmp:
        built = export_int8(model, tokenizer, Path(tmp))
        del model
        if cache is None:  # nothing to key a cache on: load before the temporary file goes
            return OnnxBackend(built, threads=threads)
        # one rename into the cache: a crash or a second process never sees half a model, and
        # when another process published first, theirs is as good as ours
        with staged_dir(cache, replace=False) as staging:
            shutil.move(str(built), str(staging / _MODEL_FILE))
    return OnnxBackend(cache / _MODEL_FILE, threads=threads)


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
    key = f"{real}|{stat.st_size}|{stat.st_mtime_ns}|{json.dumps(_versions(), sort_keys=True)}|{EXPORT}|{RECIPE}"
    return cache_root() / "onnx-int8" / hashlib.sha256(key.encode()).hexdigest()[:24]


def _import_onnxruntime():
    try:
        import onnxruntime
    except ImportError as e:
        raise ImportError(FAST_EXTRA_HINT) from e
    return onnxruntime
