"""What a checkpoint was made from: the exact config, the data files' hashes, library versions,
the code's git commit and the launch. Written as run_info.json beside the weights, and used to
check that a resumed run is the same run as the one that was interrupted."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import indosec
from train.data.validation import SPLITS

LIBRARIES = ("torch", "transformers", "datasets", "accelerate", "huggingface_hub", "tokenizers", "safetensors", "numpy", "scikit-learn")
CODE_ROOT = Path(__file__).resolve().parents[1]


def run_info(cfg) -> dict:
    """Everything needed to say exactly how a checkpoint was produced."""
    return {
        "config": cfg.to_dict(),
        "data": {split: file_record(cfg.data.path(split)) for split in SPLITS}
        | ({f"articles_{split}": file_record(Path(cfg.data.article_dir) / f"{split}.jsonl") for split in SPLITS} if cfg.data.article_dir else {}),
        "versions": library_versions(),
        "git": git_state(CODE_ROOT),
        "launch": {
            "command": [sys.executable, *sys.argv],
            "world_size": int(os.environ.get("WORLD_SIZE", "1")),
            "device": _device_name(),
        },
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def add_resume_record(first: dict, now: dict, checkpoint: str) -> dict:
    """The interrupted run's provenance (its config, data, versions, commit, first launch and
    start time stay as they were), with one more entry in `resumes`: when this start resumed,
    from which checkpoint step, with which code, libraries and launch."""
    record = {
        "resumed_utc": now["created_utc"], "from_step": int(Path(checkpoint).name.rsplit("-", 1)[-1]),
        "git": now["git"], "versions": now["versions"], "launch": now["launch"],
    }
    return {**first, "resumes": [*first.get("resumes", []), record]}


def file_record(path: Path) -> dict:
    return {"path": str(path), "sha256": sha256_file(path), "bytes": path.stat().st_size}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_versions() -> dict[str, str | None]:
    versions = {"python": platform.python_version(), "indosec": indosec.__version__}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_state(folder: Path) -> dict | None:
    """Commit and dirty flag of the repository holding the training code; None outside git
    (an installed package) or where git is missing."""
    try:
        commit = _git(folder, "rev-parse", "HEAD")
        dirty = bool(_git(folder, "status", "--porcelain"))  # untracked code counts too
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": commit, "dirty": dirty}


def _git(folder: Path, *args: str) -> str:
    out = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True, timeout=30)
    return out.stdout.strip()


def _device_name() -> str:
    import torch

    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"


def resume_differences(before: dict, now: dict, *, before_name: str = "interrupted run", world_size: bool = True) -> list[str]:
    """What would make continuing or replacing `before` with `now` a different run: config
    values (other than train.resume and train.overwrite, which say what to do, not what to
    train), data file contents, and (unless world_size=False) the number of processes."""
    ignored = {"config.train.resume", "config.train.overwrite"} | (set() if world_size else {"world_size"})
    old = _flatten({"config": before.get("config", {}), "data": _hashes(before), "world_size": before.get("launch", {}).get("world_size")})
    new = _flatten({"config": now["config"], "data": _hashes(now), "world_size": now["launch"]["world_size"]})
    keys = sorted((set(old) | set(new)) - ignored)
    return [f"{key}: {old.get(key)!r} ({before_name}) vs {new.get(key)!r} (now)" for key in keys if old.get(key) != new.get(key)]


def _hashes(info: dict) -> dict:
    return {split: rec.get("sha256") for split, rec in info.get("data", {}).items()}


def _flatten(tree: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat
