"""The Trainer's arguments. A config's train: keys that are not this project's own options
(train/config.py, TrainArgs) are `transformers.TrainingArguments` fields: they pass through over
the project's defaults below, and TrainingArguments checks them. A few arguments the project
sets itself; a config that sets one is refused with the reason."""

from __future__ import annotations

import dataclasses
import typing

import torch
from transformers import TrainingArguments

# TrainingArguments values this project starts from; a config's train: section overrides any of
# them, and sets any other TrainingArguments field the same way.
TRAINING_DEFAULTS = {
    "seed": 42,
    "num_train_epochs": 5.0,
    "learning_rate": 3e-5,
    "per_device_train_batch_size": 32,
    "per_device_eval_batch_size": 64,
    "weight_decay": 0.01,
    "warmup_steps": 0.1,  # below 1: a fraction of the total steps (transformers 5 has no warmup_ratio)
    "logging_steps": 10,
    "save_total_limit": 2,
    "eval_strategy": "epoch",  # train.eval_steps=N switches evaluation and checkpoints to every N steps
    "save_strategy": "epoch",
    "train_sampling_strategy": "group_by_length",  # batches of similar lengths: less padding
    "report_to": "none",
    "ddp_find_unused_parameters": False,  # every weight gets a gradient: no unused-parameter scan
}
# Set by the project in trainer_kwargs; the reasons are what a config that sets one is told.
BEST_BY_MACRO_F1 = "the published model is always the checkpoint with the best validation macro-F1"
FIXED = {
    "load_best_model_at_end": BEST_BY_MACRO_F1,
    "metric_for_best_model": BEST_BY_MACRO_F1,
    "greater_is_better": BEST_BY_MACRO_F1,
    "bf16": "set train.precision (auto, bf16, fp16 or fp32) instead",
    "fp16": "set train.precision (auto, bf16, fp16 or fp32) instead",
    "tf32": "TF32 matmuls follow train.precision (on for Ampere and later GPUs)",
    "average_tokens_across_devices": "the classification loss is already a batch mean; averaging tokens "
    "across devices would multiply it by the number of processes",
    "resume_from_checkpoint": "set train.resume: a run continues from the last checkpoint of an interrupted run with the same run_name",
}
TRAINING_FIELDS = {f.name: f for f in dataclasses.fields(TrainingArguments) if f.init}
TRAINING_HINTS = typing.get_type_hints(TrainingArguments)


def trainer_kwargs(options, output_dir: str, precision: dict | None = None) -> dict:
    """The keyword arguments of the run's TrainingArguments for `options` (a config's TrainArgs):
    project defaults, then the config's keys, then what the project fixes. `precision` is
    train/precision.py's choice; without it (checking a config) bf16 and fp16 are off."""
    cuda = torch.cuda.is_available()
    # use_cpu without CUDA: otherwise torchrun on a CPU box trains N separate copies
    kwargs = TRAINING_DEFAULTS | {"use_cpu": not cuda, "dataloader_pin_memory": cuda}
    if options.training_arguments.get("eval_steps"):  # evaluate (and checkpoint) every N steps
        kwargs.update(eval_strategy="steps", save_strategy="steps", save_steps=options.training_arguments["eval_steps"])
    kwargs.update(options.training_arguments)
    kwargs.setdefault("data_seed", kwargs["seed"])
    precision = precision or {}
    return kwargs | {
        "output_dir": output_dir, "run_name": options.run_name,
        "load_best_model_at_end": True, "metric_for_best_model": "macro_f1", "greater_is_better": True,
        "bf16": precision.get("bf16", False), "fp16": precision.get("fp16", False), "tf32": precision.get("tf32") or None,
        "average_tokens_across_devices": False,
    }


def transformers_default(name: str):
    """What TrainingArguments gives `name` when nobody sets it."""
    field = TRAINING_FIELDS[name]
    return field.default_factory() if field.default is dataclasses.MISSING else field.default
