"""Precision and batch, chosen once per run and printed at start: bf16 on GPUs that support it,
fp16 on other GPUs, fp32 on the CPU; TF32 matmuls on Ampere and later GPUs (compute capability
8+). `train.precision` overrides the automatic choice; asking for bf16 or fp16 where they
cannot run is a config error with a message, not a crash inside the Trainer."""

from __future__ import annotations

import torch

from train.config import ConfigError


def choose_precision(requested: str) -> dict:
    """{"precision", "bf16", "fp16", "tf32", "device", "why"} for `train.precision` = auto,
    bf16, fp16 or fp32 on this machine."""
    cuda = torch.cuda.is_available()
    device = torch.cuda.get_device_name(0) if cuda else "cpu"
    bf16_ok = cuda and torch.cuda.is_bf16_supported()
    if requested in ("bf16", "fp16") and not cuda:
        why = f"this torch ({torch.__version__}) is built without CUDA" if torch.version.cuda is None else "no GPU is visible"
        raise ConfigError(f"train.precision={requested} needs a CUDA GPU, but {why}; use train.precision=auto (fp32 on the CPU)")
    if requested == "bf16" and not bf16_ok:
        raise ConfigError(f"train.precision=bf16: {device} does not support bf16; use train.precision=fp16 or auto")
    if requested == "auto":
        precision = "bf16" if bf16_ok else "fp16" if cuda else "fp32"
        why = f"auto: {device} " + ("supports bf16" if bf16_ok else "has no bf16" if cuda else "has no GPU")
    else:
        precision, why = requested, "set by train.precision"
    tf32 = cuda and torch.cuda.get_device_capability(0)[0] >= 8
    return {"precision": precision, "bf16": precision == "bf16", "fp16": precision == "fp16", "tf32": tf32, "device": device, "why": why}


def describe_run_shape(choice: dict, per_device: int, processes: int, accumulation: int, checkpointing: bool) -> str:
    """The line printed before training starts."""
    effective = per_device * processes * accumulation
    return (
        f"Precision {choice['precision']} ({choice['why']}), TF32 matmuls {'on' if choice['tf32'] else 'off'}; "
        f"effective batch {effective} = {per_device} per device × {processes} process(es) × {accumulation} accumulation step(s); "
        f"gradient checkpointing {'on' if checkpointing else 'off'}"
    )
