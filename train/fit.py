"""Stage 1, fit: the Trainer fine-tunes the backbone, and the trained model and tokenizer land in
the run folder's staging copy with run_info.json and train_log.json (train.run_folder).

Everything before the Trainer fails in seconds, before a model loads: the backbone is found,
the output folder checked (train.preflight), the data validated (train.data), a finished run
with other settings refused. An interrupted run with the same name resumes from its last
complete checkpoint. Preflight, the time estimate and provenance stay plain calls, not
TrainerCallbacks: the preflight must fail before the model loads, the estimate measures a few
batches before training starts (a callback would run after the Trainer built its optimizer and
sampler), and provenance is a record, not an event.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from datasets import Dataset
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    DataCollatorWithPadding,
    EarlyStoppingCallback,
    Trainer,
    TrainingArguments,
    set_seed,
)

from train.backbones import lowercasing, resolve_backbone
from train.config import Config, ConfigError
from train.data.splits import Splits, load_splits
from train.preflight import check_distributed, preflight
from train.provenance import run_info
from train.run_folder import RunFolder
from train.run_plan import choose_precision, describe_estimate, describe_run_shape, estimate_training
from train.scores.metrics import trainer_metrics


@dataclass
class Fitted:
    """What evaluate needs from fit beyond the files it wrote: the data it trained on, and the
    Trainer's own figures (training sentences, the best checkpoint and the macro-F1 it was
    chosen on)."""

    data: Splits
    training: dict


def fit(cfg: Config, folder: RunFolder) -> Fitted | None:
    """Fine-tune and save into `folder.staging`. Under torchrun/accelerate only the main process
    returns; the others return None once training is done."""
    m, d, t = cfg.model, cfg.data, cfg.train
    labels = list(d.labels)

    # 1. checks and data, before any model loads (bad data fails in seconds)
    backbone = resolve_backbone(m.model_name_or_path, m.revision)
    preflight(cfg, backbone)  # writable output folder, enough free disk
    set_seed(t.seed)
    data = load_splits(d, t.seed)
    info = run_info(cfg)  # config, data hashes, versions, git commit: saved as run_info.json
    folder.check_finished(info, overwrite=t.overwrite)

    # 2. backbone with a fresh classification head that knows the label names
    tokenizer = AutoTokenizer.from_pretrained(backbone, revision=m.revision)
    if m.lowercase:  # headline casing must not change a label (the flip rate is in metrics.json)
        tokenizer = lowercasing(tokenizer)
    model = AutoModelForSequenceClassification.from_pretrained(
        backbone, revision=m.revision, num_labels=len(labels),
        id2label=dict(enumerate(labels)), label2id={lab: i for i, lab in enumerate(labels)},
    )
    if m.freeze_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    if m.freeze_layers:
        encoder = getattr(model, model.base_model_prefix).encoder
        if m.freeze_layers > len(encoder.layer):
            raise ConfigError(f"model.freeze_layers={m.freeze_layers}: the backbone has {len(encoder.layer)} layers")
        encoder.layer[: m.freeze_layers].requires_grad_(False)
    datasets = {s: tokenize(ex, tokenizer, m.max_length) for s, ex in data.sentences.items()}

    # 3. trainer: the config's TrainingArguments over the project's defaults
    #    (train/training_arguments.py), best checkpoint by validation macro-F1
    precision = choose_precision(t.precision)  # chosen once, printed below, kept in run_info.json
    kwargs = t.trainer_kwargs(str(folder.work), precision)
    args = TrainingArguments(**kwargs)
    check_distributed(args.world_size)
    is_main = args.process_index == 0
    info["precision"] = precision
    used = args.to_dict()  # after TrainingArguments' own normalisation, JSON-ready: for the card
    info["training_arguments"] = {k: used[k] for k in kwargs if k != "output_dir"}
    if is_main:
        print(describe_run_shape(precision, args.per_device_train_batch_size, args.world_size, args.gradient_accumulation_steps, args.gradient_checkpointing))
    trainer = Trainer(
        model=model, args=args, train_dataset=datasets["train"], eval_dataset=datasets["validation"],
        processing_class=tokenizer, data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=trainer_metrics(labels),
        compute_loss_func=classification_loss(
            data.gold("train"), len(labels), class_weights=t.class_weights, label_smoothing=args.label_smoothing_factor,
        ),
        callbacks=[EarlyStoppingCallback(t.early_stopping_patience)] if t.early_stopping_patience else [],
    )

    # 4. train, resuming from the last checkpoint of an interrupted run with the same name,
    #    after saying how long it should take (measured on a few batches, nothing updated)
    if is_main:
        info["estimate"] = estimate_training(trainer, eval_sentences=len(data.sentences["validation"]))
        print(describe_estimate(info["estimate"], precision["device"]))
    last, info = folder.prepare(info, resume=t.resume, is_main=is_main)  # a resume keeps the first start's record
    if last:
        print(f"Resuming from {last}")
    trainer.train(resume_from_checkpoint=last)
    if not trainer.is_world_process_zero():
        return None  # under DDP the main process evaluates and writes; the others are done

    # 5. the best model, its tokenizer (cut at the trained length for plain pipeline() users)
    #    and the run's record into the staging copy; the config is kept once, in run_info.json
    staging = folder.fresh_staging()
    trainer.save_model(str(staging))
    (staging / "training_args.bin").unlink(missing_ok=True)  # a pickle; run_info.json says it all
    tokenizer.model_max_length = m.max_length
    tokenizer.save_pretrained(str(staging))
    folder.save_record(info, trainer.state.log_history)
    best = trainer.state.best_model_checkpoint
    return Fitted(data, {
        "train_samples": len(data.sentences["train"]), "best_checkpoint_step": int(best.rsplit("-", 1)[-1]) if best else None,
        "selection_macro_f1": trainer.state.best_metric,  # the Trainer's, on sentences cut at max_length
    })


def classification_loss(train_labels: list[int], num_labels: int, *, class_weights: bool, label_smoothing: float = 0.0):
    """The Trainer's loss: cross-entropy, per sentence weighted by inverse label frequency
    (weights of mean 1) when `class_weights`, else 1, with `label_smoothing` (the
    TrainingArguments field `label_smoothing_factor`: the Trainer applies its own smoother only
    when no loss function is given, so this one must).

    Summed and divided by `num_items_in_batch`, the number of sentences in the whole
    gradient-accumulation step, which the Trainer passes in; it then skips its own division by
    the accumulation steps, so B sentences accumulated twice give the gradient of one batch of
    2B. The models' built-in loss is a per-batch mean that ignores `num_items_in_batch`, yet
    the Trainer skips the division for it too: this loss is used with and without weights."""
    counts = np.bincount(train_labels, minlength=num_labels).astype(np.float64)
    weights = torch.tensor(counts.sum() / (num_labels * np.maximum(counts, 1)) if class_weights else np.ones(num_labels), dtype=torch.float32)

    def loss(outputs, labels, num_items_in_batch=None):
        logits = outputs["logits"] if isinstance(outputs, dict) else outputs[0]
        total = torch.nn.functional.cross_entropy(
            logits.float(), labels, weight=weights.to(logits.device), reduction="sum", label_smoothing=label_smoothing,
        )
        return total / (num_items_in_batch if num_items_in_batch is not None else labels.numel())

    return loss


def tokenize(examples: list[dict], tokenizer, max_length: int) -> Dataset:
    ds = Dataset.from_list([{"text": e["text"], "labels": e["label"]} for e in examples])
    return ds.map(lambda b: tokenizer(b["text"], truncation=True, max_length=max_length), batched=True, remove_columns=["text"])
