"""Evaluate any checkpoint on any labelled file, with the evaluate and render that training runs:

    python -m train.evaluate --model outputs/quickstart --data data/test.jsonl --out outputs/quickstart-eval

writes metrics.json, predictions.jsonl, report.md, confusion_matrix.png and reliability.png
into `--out` (replaced as a whole). The TF-IDF baseline is trained on `--train` (default:
train.jsonl beside `--data`) and tuned on `--validation` (default: validation.jsonl beside it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from indosec.files import staged_dir
from indosec.labels import label_names
from indosec.locate import check_model_source
from train.data.splits import Splits
from train.data.validation import DataError
from train.evaluate import BOOTSTRAP_SEED, evaluate
from train.render.report import write_report
from train.run_folder import Layout, read_config


def evaluate_checkpoint(model: str, data_path: str | Path, out: str | Path, *, train_data=None, validation_data=None, seed: int = BOOTSTRAP_SEED) -> dict:
    """`python -m train.evaluate`: evaluate a checkpoint folder or Hub id on a .jsonl/.csv file,
    with the baseline when `train_data` is given, and render the report; `out` appears whole."""
    from transformers import AutoConfig

    # 1. labels from the checkpoint's config.json (the model itself loads after the data passed)
    try:
        check_model_source(model, local_hint="--model")  # a Hub id: in seconds, not after a minute of retries
    except FileNotFoundError as e:
        raise DataError(str(e)) from None
    labels = label_names(AutoConfig.from_pretrained(model).id2label)

    # 2. data: validated against the checkpoint's labels; the baseline's splits must not overlap it
    paths = {"evaluated": Path(data_path)}
    if train_data:
        paths["train"] = Path(train_data)
        if validation_data:
            paths["validation"] = Path(validation_data)
    if len({p.resolve() for p in paths.values()}) < len(paths):
        raise DataError(f"the evaluated data and the baseline's training data must be different files: {', '.join(map(str, paths.values()))}")
    data = Splits.from_files(paths, labels, evaluated="evaluated")

    # 3. evaluate and render into a folder that replaces `out` in one rename
    config = read_config(model)  # shown in report.md; the checkpoint's run_info.json keeps it
    with staged_dir(out) as staging:
        layout = Layout.flat(staging)
        metrics = evaluate(model, data, layout, name=model, evaluated_on=str(data_path),
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
