"""The run's plan, decided and printed before training starts, so that a user knows what they
started: the precision and the effective batch, and the expected time and peak memory.

Precision: bf16 on GPUs that support it, fp16 on other GPUs; on the CPU bf16 autocast where AMX
runs it in hardware (Sapphire Rapids and later), else fp32; TF32 matmuls on
Ampere and later GPUs (compute capability 8+). `train.precision` overrides the automatic
choice; asking for bf16 or fp16 where they cannot run is a config error with a message, not a
crash inside the Trainer.

Time and memory: from a short measured warm-up on the real data, device and precision: one
batch to warm up (the length-grouped sampler serves the longest batch first, which also shows
the peak memory), then a few timed forward and backward passes. Nothing is updated and the
random state is restored, so the run is the same as without the estimate. Time = the timed
batches' seconds per token × the tokens the run will train on, plus evaluation of the
validation split after each epoch at a third of that rate (a forward pass costs about a third
of forward and backward).
"""

from __future__ import annotations

import math
import random
import resource
import time

import numpy as np
import torch

from train.config import ConfigError

TIMED_BATCHES = 3


def estimate_training(trainer, *, eval_sentences: int) -> dict:
    """{"minutes", "peak_gb", "seconds_per_step", "steps", "memory"} for `trainer.train()`."""
    args, model = trainer.args, trainer.model
    states = (random.getstate(), np.random.get_state(), torch.get_rng_state(),
              torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None)
    cuda = model.device.type == "cuda"
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    times, tokens, was_training = [], [], model.training
    model.train()
    for i, batch in enumerate(trainer.get_train_dataloader()):
        if i > TIMED_BATCHES:
            break
        batch = {k: v.to(model.device) for k, v in batch.items()}
        start = time.perf_counter()
        with torch.autocast(model.device.type, dtype=torch.bfloat16 if args.bf16 else torch.float16, enabled=args.bf16 or args.fp16):
            loss = model(**batch).loss
        loss.backward()
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
        tokens.append(batch["input_ids"].numel())
        model.zero_grad(set_to_none=True)
    model.train(was_training)
    random.setstate(states[0])
    np.random.set_state(states[1])
    torch.set_rng_state(states[2])
    if states[3] is not None:
        torch.cuda.set_rng_state_all(states[3])
    # Cost per padded token of the timed batches, times the tokens of an epoch: batches are
    # grouped by length, so an epoch's padded tokens are close to its real ones.
    per_token = sum(times[1:] or times) / sum(tokens[1:] or tokens)
    epoch_tokens = sum(len(ids) for ids in trainer.train_dataset["input_ids"]) / args.world_size
    batches_per_epoch = math.ceil(len(trainer.train_dataset) / (args.per_device_train_batch_size * args.world_size))
    steps_per_epoch = math.ceil(batches_per_epoch / args.gradient_accumulation_steps)
    steps = args.max_steps if args.max_steps > 0 else math.ceil(steps_per_epoch * args.num_train_epochs)
    epochs = steps / steps_per_epoch
    train_seconds = per_token * epoch_tokens * epochs
    mean_length = epoch_tokens * args.world_size / len(trainer.train_dataset)
    eval_seconds = math.ceil(epochs) * eval_sentences * mean_length * per_token / 3
    per_step = train_seconds / steps
    # AdamW's two fp32 moments per trainable weight do not exist yet during the warm-up
    optimizer_state = 8 * sum(p.numel() for p in model.parameters() if p.requires_grad) / 1e9
    if cuda:
        peak, memory = torch.cuda.max_memory_allocated() / 1e9 + optimizer_state, "GPU memory allocated"
    else:  # the process so far (data, tokenizer, model) plus what the measured steps needed
        peak, memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6 + optimizer_state, "process RSS"
    return {"minutes": (train_seconds + eval_seconds) / 60, "peak_gb": peak, "seconds_per_step": per_step, "steps": steps, "memory": memory}


def describe_estimate(estimate: dict, device: str) -> str:
    return (f"Expected: about {estimate['minutes']:.1f} minutes of training on {device} "
            f"({estimate['steps']} steps at {estimate['seconds_per_step']:.2f} s, plus evaluation), "
            f"peak {estimate['memory']} about {estimate['peak_gb']:.1f} GB")


def cpu_has_fast_bf16() -> bool:
    """Intel AMX (Sapphire Rapids and later) runs bf16 matmuls in hardware: a training step of the
    e5-small backbone (batch 32) took 0.44 s against fp32's 0.77 s. Elsewhere the CPU emulates
    bf16, slower than fp32. torch has no public check yet, hence the guarded private one."""
    check = getattr(torch.cpu, "_is_amx_tile_supported", None)
    return bool(check and check())


def choose_precision(requested: str) -> dict:
    """{"precision", "bf16", "fp16", "tf32", "device", "why"} for `train.precision` = auto,
    bf16, fp16 or fp32 on this machine."""
    cuda = torch.cuda.is_available()
    device = torch.cuda.get_device_name(0) if cuda else "cpu"
    bf16_ok = torch.cuda.is_bf16_supported() if cuda else cpu_has_fast_bf16()
    if not cuda and (requested == "fp16" or requested == "bf16" and not bf16_ok):
        why = f"this torch ({torch.__version__}) is built without CUDA" if torch.version.cuda is None else "no GPU is visible"
        needs = "a CUDA GPU" if requested == "fp16" else "a CUDA GPU or a CPU with AMX"
        auto = "bf16" if bf16_ok else "fp32"
        raise ConfigError(f"train.precision={requested} needs {needs}, but {why}; use train.precision=auto ({auto} on this CPU)")
    if requested == "bf16" and not bf16_ok:
        raise ConfigError(f"train.precision=bf16: {device} does not support bf16; use train.precision=fp16 or auto")
    if requested == "auto":
        precision = "bf16" if bf16_ok else "fp16" if cuda else "fp32"
        if cuda:
            why = f"auto: {device} " + ("supports bf16" if bf16_ok else "has no bf16")
        else:
            why = "auto: this CPU " + ("has AMX bf16 matmuls" if bf16_ok else "has no AMX bf16 and no GPU")
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
