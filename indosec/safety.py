"""Refuse checkpoints that could run code (`indosec.locate` finds the folder first).

Pickle weights (`pytorch_model.bin`, `.pt`, `.ckpt`...) can execute arbitrary code when they
are unpickled, and `trust_remote_code` runs Python shipped with the model. indosec loads
weights from safetensors only and never runs a checkpoint's code.
"""

from __future__ import annotations

import json
from pathlib import Path

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")
# What a classifier needs from a Hub repo: configs, safetensors weights, tokenizer vocabularies.
# Anything else (pickles, custom code, images) is never downloaded.
HUB_FILES = ["*.json", "*.safetensors", "*.txt", "*.model"]


class UnsafeCheckpointError(ValueError):
    """The checkpoint could only be loaded by unpickling or by running its own code."""


def check_safe_folder(folder: Path) -> None:
    """UnsafeCheckpointError unless `folder` holds safetensors weights and asks for no code of its own."""
    folder = Path(folder)
    weights = sorted(p.name for p in folder.glob("*.safetensors"))
    if not weights:
        pickles = sorted(p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES)
        if pickles:
            raise UnsafeCheckpointError(
                f"{folder} holds only pickle weights ({', '.join(pickles)}). indosec loads safetensors only: "
                "unpickling a file can run arbitrary code. Convert them where you trust the file, e.g. "
                "AutoModelForSequenceClassification.from_pretrained(folder).save_pretrained(folder) writes model.safetensors"
            )
        raise UnsafeCheckpointError(
            f"{folder} holds no safetensors weights (model.safetensors); pickle weights such as pytorch_model.bin "
            "are never downloaded or loaded, because unpickling can run arbitrary code"
        )
    for name in ("config.json", "tokenizer_config.json"):
        auto_map = _read_json(folder / name).get("auto_map")
        if auto_map:
            raise UnsafeCheckpointError(
                f"{folder / name} asks for the checkpoint's own Python code (auto_map: {auto_map}). "
                "indosec never enables trust_remote_code; use a checkpoint built on a standard transformers architecture"
            )


def _read_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}
