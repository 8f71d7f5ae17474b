"""The one evaluation: from a model's logits on labelled sentences to every number the
report, the card and the Hub check show (`evaluate_predictions`); scores come from
train.metrics. Training calls it on its test split; this command calls it on any file:

    python -m train.evaluate --model outputs/quickstart --data data/test.jsonl --out outputs/quickstart-eval

writes metrics.json, report.md, confusion_matrix.png, reliability.png and predictions.jsonl
(see train.report). The TF-IDF baseline is trained on `--train` (default: train.jsonl beside
`--data`) and tuned on `--validation` (default: validation.jsonl beside it). A training run
writes the same metrics.json at the top of its checkpoint and the other files into `report/`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from indosec.safety import check_hub_model, check_local_path
from train.baseline import baseline_probabilities, baseline_summary, fit_baseline
from train.calibration import calibrated_probabilities, calibration_summary
from train.checkpoint import read_config
from train.data import DataError, to_examples, validate_files
from train.metrics import CONFIDENCE, N_RESAMPLES, bootstrap_ci, breakdown, classification_report

BREAKDOWN_FIELDS = ("theatre", "register", "hard")
BOOTSTRAP_SEED = 0


def score_predictions(pred, examples: list[dict], labels: list[str], *, seed: int = BOOTSTRAP_SEED, n_resamples: int = N_RESAMPLES) -> dict:
    """Classification metrics of one set of predictions, with bootstrap intervals and a
    breakdown by every metadata field all examples carry (see `train.metrics.breakdown`)."""
    gold = [e["label"] for e in examples]
    scores = classification_report(pred, gold, labels)
    scores["ci"] = bootstrap_ci(gold, pred, n_resamples=n_resamples, seed=seed)
    scores["by_field"] = {
        name: breakdown(gold, pred, [e[name] for e in examples], labels)
        for name in BREAKDOWN_FIELDS if examples and all(name in e for e in examples)
    }
    return scores


def evaluate_predictions(
    logits, examples: list[dict], labels: list[str], *, temperature: float = 1.0, baseline_probs=None,
    fit_logits=None, fit_gold=None, seed: int = BOOTSTRAP_SEED, n_resamples: int = N_RESAMPLES,
) -> tuple[dict, list[dict]]:
    """Everything the report shows, from the model's raw logits on `examples` (rows in the same
    order). Returns (metrics, one prediction row per sentence)."""
    gold = [e["label"] for e in examples]
    probs = calibrated_probabilities(logits, temperature)
    metrics = {
        "n": len(examples),
        "labels": list(labels),
        "bootstrap": {"resamples": n_resamples, "seed": seed, "confidence": CONFIDENCE, "method": "percentile"},
        "model": score_predictions(probs.argmax(-1), examples, labels, seed=seed, n_resamples=n_resamples),
        "calibration": calibration_summary(logits, gold, temperature, fit_logits=fit_logits, fit_gold=fit_gold),
    }
    if baseline_probs is not None:
        metrics["baseline"] = score_predictions(np.asarray(baseline_probs).argmax(-1), examples, labels, seed=seed, n_resamples=n_resamples)
    return metrics, prediction_rows(examples, labels, probs, baseline_probs)


def prediction_rows(examples: list[dict], labels: list[str], probs, baseline_probs=None) -> list[dict]:
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


def label_counts(examples: list[dict], labels: list[str]) -> dict[str, int]:
    counts = Counter(e["label"] for e in examples)
    return {lab: counts[i] for i, lab in enumerate(labels)}


def evaluate_checkpoint(model: str, data: str | Path, out: str | Path, *, train_data=None, validation_data=None, seed: int = BOOTSTRAP_SEED) -> dict:
    """Evaluate a checkpoint folder or Hub id on a .jsonl/.csv file, with the baseline when
    `train_data` is given, and write the report folder `out` (atomically). Returns the metrics."""
    from transformers import AutoConfig

    import indosec
    from train.report import write_report

    # 1. labels from the checkpoint's config.json (the model itself loads after the data passed)
    if not Path(model).is_dir():
        try:
            check_local_path(model)
            check_hub_model(model, local_hint="--model")  # in seconds, not after a minute of retries
        except FileNotFoundError as e:
            raise DataError(str(e)) from None
    id2label = AutoConfig.from_pretrained(model).id2label
    labels = [id2label[i] for i in range(len(id2label))]

    # 2. data: validated against the checkpoint's labels; the baseline's splits must not overlap it
    paths = {"evaluated": Path(data)}
    if train_data:
        paths["train"] = Path(train_data)
        if validation_data:
            paths["validation"] = Path(validation_data)
    if len({p.resolve() for p in paths.values()}) < len(paths):
        raise DataError(f"the evaluated data and the baseline's training data must be different files: {', '.join(map(str, paths.values()))}")
    examples = {split: to_examples(rows, labels) for split, rows in validate_files(paths, labels).items()}

    # 3. the baseline, when there is training data for it
    evaluated = examples["evaluated"]
    texts = [e["text"] for e in evaluated]
    baseline_probs, baseline_info = None, None
    if "train" in examples:
        train, val = examples["train"], examples.get("validation", [])
        baseline = fit_baseline([e["text"] for e in train], [e["label"] for e in train], [e["text"] for e in val], [e["label"] for e in val])
        baseline_probs = baseline_probabilities(baseline, texts, len(labels))
        baseline_info = baseline_summary(baseline)

    # 4. the model (with the temperature its config.json carries), metrics and report
    clf = indosec.load(model)
    metrics, rows = evaluate_predictions(clf.logits(texts), evaluated, labels, temperature=clf.temperature, baseline_probs=baseline_probs, seed=seed)
    config = read_config(model)  # shown in report.md; the checkpoint's run_info.json keeps it
    metrics["run"] = {
        "model": model, "evaluated_on": str(data), "backbone": config["model"]["model_name_or_path"] if config else None,
        "data_counts": {split: label_counts(ex, labels) for split, ex in examples.items()},
        "baseline": baseline_info,
        "calibration_fitted_on": "validation split of the training run" if clf.temperature != 1.0 else None,
    }
    write_report(out, metrics, rows, config=config)
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
