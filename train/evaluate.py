"""Stage 2, evaluate: the only producer of metrics.json. Training runs it on the checkpoint it has
just trained (fitting the calibration temperature on validation); this command runs it on any
checkpoint and labelled file, then renders the report as training does:

    python -m train.evaluate --model outputs/quickstart --data data/test.jsonl --out outputs/quickstart-eval

writes metrics.json, predictions.jsonl, report.md, confusion_matrix.png and reliability.png
into `--out` (replaced as a whole). The TF-IDF baseline is trained on `--train` (default:
train.jsonl beside `--data`) and tuned on `--validation` (default: validation.jsonl beside it).

metrics.json has one key per section, each written by one call in `evaluate`:

    n, labels, bootstrap   the evaluated sentences, and how intervals are drawn
    model                  the model's scores on them, by metadata field (train.scores.metrics)
    calibration            the temperature; ECE and NLL before and after it
    baseline               the TF-IDF baseline's scores (when there is data to train it on)
    documents              whole articles in document mode (when the data has articles)
    run                    what was evaluated on what, the data counts, the baseline's settings
    training               validation scores and the Trainer's choice of checkpoint (training only)

A new section (a contrast suite, a user's own data) is one more call writing one more key; the
report then renders that key (train/render/report.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from indosec.files import staged_dir, write_json_atomic, write_jsonl_atomic
from indosec.labels import label_names
from train.data.splits import Splits, label_counts
from train.data.validation import DataError
from train.run_folder import Layout
from train.scores.baseline import baseline_probabilities, baseline_summary, fit_baseline
from train.scores.calibration import calibrated_probabilities, calibration_summary, fit_temperature
from train.scores.documents import evaluate_documents
from train.scores.metrics import BOOTSTRAP_SEED, BREAKDOWN_FIELDS, CONFIDENCE, N_RESAMPLES, score_predictions


def evaluate(
    model: str | Path, data: Splits, layout: Layout, *, name: str, backbone: str | None, evaluated_on: str,
    calibrate: bool = False, training: dict | None = None, seed: int = BOOTSTRAP_SEED, batch_size: int | None = None,
) -> dict:
    """Score the checkpoint `model` (folder or Hub id, loaded as `indosec.load` loads it) on
    `data`, write metrics.json and predictions.jsonl where `layout` says, and return the metrics.
    `calibrate`: fit the temperature on the validation split and store it in the checkpoint's
    config.json (training); otherwise the checkpoint's own temperature is used. `training`: the
    Trainer's figures from fit, for the `training` section."""
    import indosec

    labels, split = data.labels, data.evaluated
    examples, gold = data.sentences[split], data.gold(split)

    # 1. the model's logits; calibrated, its temperature fitted on validation and kept in config.json
    clf = indosec.load(str(model), **({"batch_size": batch_size} if batch_size else {}))
    validation = clf.logits(data.texts("validation")) if calibrate or training is not None else None
    logits = clf.logits(data.texts(split))
    if calibrate:
        clf.temperature = _store_temperature(model, fit_temperature(validation, data.gold("validation")))
    probs = calibrated_probabilities(logits, clf.temperature)

    # 2. the baseline, trained on the train split and tuned on validation, when there is one
    baseline = fit_baseline(data.texts("train"), data.gold("train"), data.texts("validation"), data.gold("validation")) if data.sentences.get("train") else None
    baseline_probs = baseline_probabilities(baseline, data.texts(split), len(labels)) if baseline else None

    # 3. the sections of metrics.json, one key each
    metrics = {
        "n": len(examples), "labels": list(labels),
        "bootstrap": {"resamples": N_RESAMPLES, "seed": seed, "confidence": CONFIDENCE, "method": "percentile"},
    }
    metrics["model"] = score_predictions(probs.argmax(-1), examples, labels, seed=seed)
    metrics["calibration"] = calibration_summary(logits, gold, clf.temperature, fit_logits=validation if calibrate else None, fit_gold=data.gold("validation"))
    if baseline:
        metrics["baseline"] = score_predictions(baseline_probs.argmax(-1), examples, labels, seed=seed)
    if data.articles:
        predict = (lambda texts: baseline_probabilities(baseline, texts, len(labels)).argmax(-1)) if baseline else None
        metrics["documents"] = evaluate_documents(clf, data.articles["test"], labels, baseline_predict=predict)
    metrics["run"] = {
        "model": name, "evaluated_on": evaluated_on, "backbone": backbone,
        "data_counts": {s: label_counts(ex, labels) for s, ex in data.sentences.items()},
        "baseline": baseline_summary(baseline) if baseline else None,
        "calibration_fitted_on": f"validation split ({data.paths['validation']})" if calibrate
        else "validation split of the training run" if clf.temperature != 1.0 else None,
    }
    if training is not None:
        metrics["training"] = {**training, "validation": score_predictions(validation.argmax(-1), data.sentences["validation"], labels)}

    # 4. the files
    write_json_atomic(layout.metrics, metrics)
    write_jsonl_atomic(layout.predictions, prediction_rows(examples, labels, probs, baseline_probs))
    return metrics


def _store_temperature(model: str | Path, temperature: float) -> float:
    """`calibration_temperature` in the checkpoint's config.json, where indosec reads it."""
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(model)
    config.calibration_temperature = temperature
    config.save_pretrained(model)
    return temperature


def prediction_rows(examples: list[dict], labels: list[str], probs, baseline_probs=None) -> list[dict]:
    """predictions.jsonl: one row per evaluated sentence, gold beside predicted."""
    rows = []
    for i, e in enumerate(examples):
        best = int(np.argmax(probs[i]))
        row = {
            "id": e["id"], "text": e["text"], "gold": labels[e["label"]], "predicted": labels[best],
            "confidence": round(float(probs[i][best]), 6),
            "probabilities": {lab: round(float(p), 6) for lab, p in zip(labels, probs[i])},
            **{k: e[k] for k in BREAKDOWN_FIELDS if k in e},
        }
        if baseline_probs is not None:
            row["baseline_predicted"] = labels[int(np.argmax(baseline_probs[i]))]
        rows.append(row)
    return rows


def evaluate_checkpoint(model: str, data: str | Path, out: str | Path, *, train_data=None, validation_data=None, seed: int = BOOTSTRAP_SEED) -> dict:
    """`python -m train.evaluate`: evaluate a checkpoint folder or Hub id on a .jsonl/.csv file,
    with the baseline when `train_data` is given, and render the report; `out` appears whole."""
    from transformers import AutoConfig

    from indosec.locate import check_model_source
    from train.data.sentences import to_examples, validate_files
    from train.render.report import write_report
    from train.run_folder import read_config

    # 1. labels from the checkpoint's config.json (the model itself loads after the data passed)
    try:
        check_model_source(model, local_hint="--model")  # a Hub id: in seconds, not after a minute of retries
    except FileNotFoundError as e:
        raise DataError(str(e)) from None
    labels = label_names(AutoConfig.from_pretrained(model).id2label)

    # 2. data: validated against the checkpoint's labels; the baseline's splits must not overlap it
    paths = {"evaluated": Path(data)}
    if train_data:
        paths["train"] = Path(train_data)
        if validation_data:
            paths["validation"] = Path(validation_data)
    if len({p.resolve() for p in paths.values()}) < len(paths):
        raise DataError(f"the evaluated data and the baseline's training data must be different files: {', '.join(map(str, paths.values()))}")
    sentences = {split: to_examples(rows, labels) for split, rows in validate_files(paths, labels).items()}

    # 3. evaluate and render into a folder that replaces `out` in one rename
    config = read_config(model)  # shown in report.md; the checkpoint's run_info.json keeps it
    with staged_dir(out) as staging:
        layout = Layout.flat(staging)
        metrics = evaluate(model, Splits(labels, sentences, paths, evaluated="evaluated"), layout, name=model, evaluated_on=str(data),
                           backbone=config["model"]["model_name_or_path"] if config else None, seed=seed)
        write_report(layout, config=config)
    return metrics


def _sibling(data: Path, name: str) -> Path | None:
    path = data.with_name(name)
    return path if path.is_file() and path.resolve() != data.resolve() else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m train.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="checkpoint folder or Hub id")
    parser.add_argument("--data", required=True, type=Path, help="labelled sentences (.jsonl or .csv)")
    parser.add_argument("--out", required=True, type=Path, help="report folder (replaced as a whole)")
    parser.add_argument("--train", type=Path, help="baseline training data (default: train.jsonl beside --data)")
    parser.add_argument("--validation", type=Path, help="baseline tuning data (default: validation.jsonl beside --data)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--bootstrap-seed", type=int, default=BOOTSTRAP_SEED)
    args = parser.parse_args(argv)
    train_data = None if args.no_baseline else (args.train or _sibling(args.data, "train.jsonl"))
    validation_data = None if args.no_baseline else (args.validation or _sibling(args.data, "validation.jsonl"))
    try:
        metrics = evaluate_checkpoint(args.model, args.data, args.out, train_data=train_data, validation_data=validation_data, seed=args.bootstrap_seed)
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    summary = {"report": str(args.out), "n": metrics["n"], "accuracy": round(metrics["model"]["accuracy"], 4), "macro_f1": round(metrics["model"]["macro_f1"], 4)}
    if "baseline" in metrics:
        summary["baseline_macro_f1"] = round(metrics["baseline"]["macro_f1"], 4)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
