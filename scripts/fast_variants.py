"""Which fast-mode recipe to use: every variant in `indosec.fast.RECIPES`, built from one
checkpoint and compared with its fp32 model on the validation split (never the test split,
which only reports the chosen one: scripts/compare_fast.py).

    python scripts/fast_variants.py outputs/quickstart [--data data/validation.jsonl] [--repeats 3]

Prints, per variant: fused-operator counts, macro-F1 and its change against fp32, labels
unchanged, the largest probability change, and sentences per second (best of --repeats passes
over the split, the variants timed in turn in this one process so that a busy machine slows
all of them alike). --json writes the same as a record.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import indosec
from indosec.backends import quiet_loading
from indosec.files import write_json_atomic
from indosec.fast import FAST_BATCH_SIZE, RECIPES, OnnxBackend, export_int8
from indosec.records import read_objects
from train.scores.metrics import macro_f1

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = "torch-fp32"  # what every variant is compared with


def build_variants(model_path: str, names: list[str], folder: Path, threads: int | None, batch_size: int) -> dict[str, indosec.Classifier]:
    from transformers import AutoModelForSequenceClassification

    fp32 = indosec.load(model_path, device="cpu")
    out = {}
    for name in names:
        with quiet_loading():
            model = AutoModelForSequenceClassification.from_pretrained(model_path, use_safetensors=True)
        start = time.perf_counter()
        (folder / name).mkdir()
        path = export_int8(model, fp32.tokenizer, folder / name, RECIPES[name])
        print(f"built {name} in {time.perf_counter() - start:.0f} s ({path.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)
        out[name] = indosec.Classifier(OnnxBackend(path, threads=threads), fp32.tokenizer, fp32.config, batch_size=batch_size)
    return {REFERENCE: fp32} | out  # the recipe named fp32 is the fused ONNX graph, not this


def compare(classifiers: dict, texts: list[str], gold: list[str], repeats: int) -> list[dict]:
    probs = {name: clf.predict_proba(texts) for name, clf in classifiers.items()}
    labels = classifiers[REFERENCE].labels
    preds = {name: [labels[i] for i in p.argmax(1)] for name, p in probs.items()}
    best = dict.fromkeys(classifiers, 0.0)
    for _ in range(repeats):  # alternating: each pass times every variant once
        for name, clf in classifiers.items():
            start = time.perf_counter()
            clf.predict_proba(texts)
            best[name] = max(best[name], len(texts) / (time.perf_counter() - start))
    f32 = macro_f1(gold, preds[REFERENCE])
    rows = []
    for name, clf in classifiers.items():
        f1 = macro_f1(gold, preds[name])
        rows.append({
            "variant": name,
            "description": clf.backend.recipe["description"] if name != REFERENCE else "the checkpoint in torch, fp32 (the reference)",
            "fused_operators": clf.backend.recipe["fused_operators"] if name != REFERENCE else None,
            "macro_f1": f1, "change": f1 - f32,
            "agreement": float(np.mean(np.array(preds[name]) == np.array(preds[REFERENCE]))),
            "max_probability_change": float(np.abs(probs[name] - probs[REFERENCE]).max()),
            "mean_probability_change": float(np.abs(probs[name] - probs[REFERENCE]).mean()),
            "sent_per_s_best": best[name],
        })
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="checkpoint folder")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "validation.jsonl")
    parser.add_argument("--variants", nargs="+", choices=list(RECIPES), default=list(RECIPES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--batch-size", type=int, default=FAST_BATCH_SIZE, help=f"batch size of the ONNX variants (default {FAST_BATCH_SIZE}, fast mode's)")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    if args.data.name.startswith("test"):
        print("note: choosing a variant on the test split makes its test figure optimistic; use validation", file=sys.stderr)
    load_before = os.getloadavg()
    rows_in = read_objects(args.data)
    texts, gold = [r["text"] for r in rows_in], [r["label"] for r in rows_in]
    with tempfile.TemporaryDirectory(prefix="indosec-variants-") as tmp:
        rows = compare(build_variants(args.model, args.variants, Path(tmp), args.threads, args.batch_size), texts, gold, args.repeats)
    print(f"\n{args.data} ({len(texts)} sentences), checkpoint {args.model}; ONNX variants at batch size {args.batch_size}")
    print("| variant | what | macro-F1 | change | labels unchanged | prob. change, mean / largest | sent/s (best) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['variant']} | {r['description']} | {r['macro_f1']:.4f} | {r['change']:+.4f} | {r['agreement']:.1%} "
              f"| {r['mean_probability_change']:.4f} / {r['max_probability_change']:.3f} | {r['sent_per_s_best']:.0f} |")
    fused = next((r["fused_operators"] for r in rows if r["fused_operators"]), None)
    load = {"load_average_before": load_before, "load_average_after": os.getloadavg()}
    print(f"\nfused operators: {fused}\nload average (1, 5, 15 min) before {load_before}, after {load['load_average_after']}")
    if args.json:
        command = " ".join(["python", "scripts/fast_variants.py", *(argv if argv is not None else sys.argv[1:])])
        record = {"command": command, "data": str(args.data), "model": args.model, "batch_size": args.batch_size, "repeats": args.repeats} | load
        write_json_atomic(args.json, record | {"rows": rows})


if __name__ == "__main__":
    main()
