"""Accuracy cost of the fast CPU mode: macro-F1 of fp32 and fast on a labelled split, and
every sentence whose label changes. Exit status 1 when macro-F1 moves by more than 0.01 (TOLERANCE),
2 when fast mode cannot run (the `fast` extra is not installed).

    python scripts/compare_fast.py outputs/quickstart [--data data/test.jsonl]

Macro-F1 is computed by the function training uses (train.scores.metrics.macro_f1: averaged over
the labels present in gold or predictions). On a small split one changed sentence moves
macro-F1 by several points, so the agreement rate and the flipped sentences' fp32 margins
are printed too: a flip on a near-tie says little about the quantization.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import indosec
from indosec.records import read_objects
from train.scores.metrics import macro_f1

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 0.01  # the macro-F1 change fast mode may cost; beyond it the script fails


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))  # the whole first paragraph
    parser.add_argument("model", help="checkpoint folder or Hub id")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "test.jsonl")
    args = parser.parse_args(argv)

    rows = read_objects(args.data)
    texts, gold = [r["text"] for r in rows], [r["label"] for r in rows]
    fp32 = indosec.load(args.model, device="cpu")
    try:
        fast = indosec.load(args.model, fast=True)
    except ImportError as e:  # the `fast` extra is missing: what to install, in one line
        print(f"error: {e}", file=sys.stderr)
        return 2
    p32, p8 = fp32.predict_proba(texts), fast.predict_proba(texts)
    labels = fp32.labels
    pred32, pred8 = [labels[i] for i in p32.argmax(1)], [labels[i] for i in p8.argmax(1)]

    f32, f8 = macro_f1(gold, pred32), macro_f1(gold, pred8)
    print(f"{args.data} ({len(texts)} sentences), checkpoint {args.model}")
    print(f"macro-F1 fp32 {f32:.4f}   fast {f8:.4f}   change {f8 - f32:+.4f}   "
          f"({'within' if abs(f8 - f32) <= TOLERANCE else 'NOT within'} {TOLERANCE})")
    print(f"accuracy fp32 {np.mean(np.array(pred32) == gold):.4f}   fast {np.mean(np.array(pred8) == gold):.4f}")
    print(f"labels unchanged {np.mean(np.array(pred32) == pred8):.1%}; "
          f"largest probability change {np.abs(p32 - p8).max():.3f}, mean {np.abs(p32 - p8).mean():.4f}")
    for i in np.flatnonzero(np.array(pred32) != np.array(pred8)):
        top2 = np.sort(p32[i])[-2:]
        print(f"  changed: gold {gold[i]}, fp32 {pred32[i]} -> fast {pred8[i]} "
              f"(fp32 margin {top2[1] - top2[0]:.3f}): {texts[i][:80]}")
    return 0 if abs(f8 - f32) <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
