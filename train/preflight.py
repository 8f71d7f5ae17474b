"""Checks that run before any model is loaded, so a run that cannot finish fails in seconds,
not after hours of training: transformers is recent enough, the output folder is writable,
its disk has room for the checkpoints, and a multi-process launch really trains as one
distributed job."""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from pathlib import Path

from train.config import ConfigError

# Used when the backbone is a Hub id not yet in the local cache: IndoBERT-base in fp32.
DEFAULT_WEIGHTS_BYTES = 500 * 10**6
# Room for the tokenizer, metrics, logs and the filesystem's own rounding.
MARGIN_BYTES = 200 * 10**6
GB = 10**9
# The first transformers with TrainingArguments(train_sampling_strategy=...); pyproject.toml's
# floor, checked equal by tests/test_preflight.py.
MIN_TRANSFORMERS = "5.2"


class PreflightError(ConfigError):
    """The environment cannot hold this run. A ConfigError, so `python -m train` reports it
    as a one-line error: the fix is usually another `train.output_dir`."""


def preflight(cfg, backbone: str) -> None:
    """Fail early if transformers is too old, `<output_dir>` is not writable or its disk lacks
    room for the run."""
    check_transformers_version()
    out = Path(cfg.train.output_dir)
    check_writable(out)
    need = required_bytes(cfg, backbone)
    check_free_space(out, need, where="train.min_free_disk_gb" if cfg.train.min_free_disk_gb is not None else None)


def check_transformers_version(installed: str | None = None) -> None:
    """An older transformers would fail on TrainingArguments after the data and model loaded."""
    from packaging.version import Version

    if installed is None:
        import transformers

        installed = transformers.__version__
    if Version(installed) < Version(MIN_TRANSFORMERS):
        raise PreflightError(
            f"transformers {installed} is installed; training needs transformers>={MIN_TRANSFORMERS} "
            f"(TrainingArguments' train_sampling_strategy): pip install -U 'transformers>={MIN_TRANSFORMERS},<6'"
        )


def check_writable(folder: Path) -> None:
    """Create `folder` if needed, then write, sync and remove a small file in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".indosec-write-check-")
        try:
            os.write(fd, b"ok")
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as e:
        raise PreflightError(
            f"train.output_dir={str(folder)!r} is not writable ({e.strerror or e}); "
            "choose a folder you can write to, e.g. train.output_dir=outputs"
        ) from None


def check_free_space(folder: Path, need: int, *, where: str | None = None) -> None:
    free = shutil.disk_usage(folder).free
    if free < need:
        source = f"set by {where}" if where else "estimated from the backbone's size and train.save_total_limit"
        raise PreflightError(
            f"not enough free disk for train.output_dir={str(folder)!r}: {free / GB:.2f} GB free, "
            f"{need / GB:.2f} GB needed ({source}). Free some space, choose another train.output_dir, "
            "lower train.save_total_limit, or set train.min_free_disk_gb"
        )


def required_bytes(cfg, backbone: str) -> int:
    """Disk a run needs at its peak.

    Each Trainer checkpoint holds the fp32 weights plus AdamW's two moment tensors (3x the
    weights); up to save_total_limit of them are kept, plus the one being written and the best
    one, then the final folder holds the weights once more. A run capped by train.max_steps
    saves at most once per step (once per eval_steps when set), so a short run needs fewer.
    """
    if cfg.train.min_free_disk_gb is not None:
        return int(cfg.train.min_free_disk_gb * GB)
    weights = fp32_weights_bytes(backbone)
    checkpoints = cfg.train.save_total_limit + 2
    if cfg.train.max_steps > 0:
        checkpoints = min(checkpoints, math.ceil(cfg.train.max_steps / (cfg.train.eval_steps or 1)))
    return weights * (3 * checkpoints + 1) + MARGIN_BYTES


def fp32_weights_bytes(backbone: str) -> int:
    """Size of the backbone's weights in fp32, read from safetensors headers (nothing is
    loaded); a Hub id that is not cached yet counts as IndoBERT-base."""
    folder = Path(backbone)
    files = sorted(folder.glob("*.safetensors")) if folder.is_dir() else _cached_safetensors(backbone)
    if not files:
        return DEFAULT_WEIGHTS_BYTES
    from safetensors import safe_open

    params = 0
    for path in files:
        with safe_open(str(path), framework="pt") as f:
            for name in f.keys():
                shape = f.get_slice(name).get_shape()
                n = 1
                for dim in shape:
                    n *= dim
                params += n
    return 4 * params


def _cached_safetensors(repo_id: str) -> list[Path]:
    from huggingface_hub import try_to_load_from_cache

    try:
        hit = try_to_load_from_cache(repo_id, "model.safetensors")
    except Exception:  # not a valid repo id: the loader will say so with a better message
        return []
    return [Path(hit)] if isinstance(hit, str) else []


def check_distributed(world_size: int) -> None:
    """A launcher (torchrun, accelerate launch) that starts N processes sets WORLD_SIZE=N; if
    the Trainer still sees one process, each would train alone and overwrite the others."""
    launched = int(os.environ.get("WORLD_SIZE", "1"))
    if launched > 1 and world_size != launched:
        raise PreflightError(
            f"launched as {launched} processes (WORLD_SIZE={launched}) but the Trainer sees {world_size}: "
            "the processes would train separately and overwrite each other's checkpoint. "
            "Check the launcher's settings (MASTER_ADDR, MASTER_PORT, --nnodes, --node_rank)"
        )
