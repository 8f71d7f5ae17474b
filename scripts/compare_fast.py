"""Accuracy cost of the fast CPU mode: macro-F1 of fp32 and fast on a labelled split, and
every sentence whose label changes. Exits 1 when the change is outside the tolerance, 2 when
fast mode cannot run (the `fast` extra is not installed).

    python scripts/compare_fast.py outputs/quickstart [--data data/test.jsonl] [--tolerance 0.005] [--record]

Macro-F1 is computed by the function training uses (train.scores.metrics.macro_f1: averaged over
the labels present in gold or predictions). On a small split one changed sentence moves
macro-F1 by several thousandths, so the agreement rate and the flipped sentences' fp32 margins
are printed too: a flip on a near-tie says little about the quantization.

Exit status: 0 when |macro-F1 change| <= --tolerance and labels unchanged >= --min-agreement;
1 when either is outside (the figures are printed either way); 2 on bad arguments or without the
`fast` extra.

--record writes the figures, with the fast model's recipe, as fast_mode.json into the fast
model's folder and into the checkpoint (one entry per --data split: record validation, on which
the recipe was chosen, and test), and re-renders the checkpoint's card (README.md), which then
states them. `make card` carries them into the repository's model_card.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

import indosec
from indosec.records import read_objects
from train.scores.metrics import macro_f1

ROOT = Path(__file__).resolve().parents[1]
RECORD = "fast_mode.json"


def compare(model: str, data: Path, *, threads: int | None = None) -> dict:
    """fp32 against fast on `data`: the figures, plus the changed sentences."""
    rows = read_objects(data)
    texts, gold = [r["text"] for r in rows], [r["label"] for r in rows]
    fp32 = indosec.load(model, device="cpu", threads=threads)
    fast = indosec.load(model, fast=True, threads=threads)
    p32, p8 = fp32.predict_proba(texts), fast.predict_proba(texts)
    labels = fp32.labels
    pred32, pred8 = np.array([labels[i] for i in p32.argmax(1)]), np.array([labels[i] for i in p8.argmax(1)])
    f32, f8 = macro_f1(gold, list(pred32)), macro_f1(gold, list(pred8))
    changed = []
    for i in np.flatnonzero(pred32 != pred8):
        top2 = np.sort(p32[i])[-2:]
        changed.append({"gold": gold[i], "fp32": str(pred32[i]), "fast": str(pred8[i]), "fp32_margin": float(top2[1] - top2[0]), "text": texts[i]})
    return {
        "data": _shown(data), "sentences": len(texts),
        "macro_f1_fp32": f32, "macro_f1_fast": f8, "change": f8 - f32,
        "accuracy_fp32": float(np.mean(pred32 == np.array(gold))), "accuracy_fast": float(np.mean(pred8 == np.array(gold))),
        "agreement": float(np.mean(pred32 == pred8)),
        "max_probability_change": float(np.abs(p32 - p8).max()), "mean_probability_change": float(np.abs(p32 - p8).mean()),
        "fast_model": fast.backend.recipe, "fast_model_file": str(fast.backend.path), "changed": changed,
    }


def verdict(result: dict, tolerance: float, min_agreement: float) -> list[str]:
    """What is outside the limits (empty: all within)."""
    problems = []
    if abs(result["change"]) > tolerance:
        problems.append(f"macro-F1 change {result['change']:+.4f} is outside ±{tolerance}")
    if result["agreement"] < min_agreement:
        problems.append(f"labels unchanged {result['agreement']:.1%} is below {min_agreement:.1%}")
    return problems


def record(result: dict, checkpoint: Path, tolerance: float, min_agreement: float) -> list[Path]:
    """fast_mode.json beside the fast model and in the checkpoint; the checkpoint's card re-rendered.

    The file holds the fast model's recipe and one entry per measured split ("splits", keyed by
    the data path): recording the validation split and then the test split keeps both, as long
    as the fast model is the same; a new recipe starts a new record."""
    from indosec.files import write_json_atomic, write_text_atomic

    figures = {k: v for k, v in result.items() if k not in ("changed", "fast_model_file", "fast_model")}
    figures |= {"tolerance": tolerance, "min_agreement": min_agreement, "within": not verdict(result, tolerance, min_agreement)}
    beside_model = Path(result["fast_model_file"]).parent  # gone when the export could not be cached
    written = [path for path in (beside_model / RECORD, checkpoint / RECORD) if path.parent.is_dir()]
    for path in written:
        old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        splits = old.get("splits", {}) if old.get("fast_model") == result["fast_model"] else {}
        write_json_atomic(path, {"fast_model": result["fast_model"], "splits": splits | {result["data"]: figures}})
    if (checkpoint / "metrics.json").is_file():  # a finished training run: its card states the figures
        from train.render.card import render_card

        write_text_atomic(checkpoint / "README.md", render_card(checkpoint))
        written.append(checkpoint / "README.md")
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))  # the whole first paragraph
    parser.add_argument("model", help="checkpoint folder or Hub id")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "test.jsonl")
    parser.add_argument("--tolerance", type=float, default=0.005, help="largest allowed |macro-F1 change| (default 0.005)")
    parser.add_argument("--min-agreement", type=float, default=0.99, help="smallest allowed share of unchanged labels (default 0.99)")
    parser.add_argument("--threads", type=int, help="CPU threads for both models")
    parser.add_argument("--record", action="store_true", help="write fast_mode.json into the fast model's folder and the checkpoint, re-render its card")
    args = parser.parse_args(argv)
    if args.record and not Path(args.model).is_dir():
        parser.error("--record writes into the checkpoint: give a local folder")

    try:
        r = compare(args.model, args.data, threads=args.threads)
    except ImportError as e:  # the `fast` extra is missing: what to install, in one line
        print(f"error: {e}", file=sys.stderr)
        return 2
    problems = verdict(r, args.tolerance, args.min_agreement)
    print(f"{r['data']} ({r['sentences']} sentences), checkpoint {args.model}")
    print(f"fast model: {r['fast_model'].get('description', 'built by an earlier indosec')}")
    print(f"macro-F1 fp32 {r['macro_f1_fp32']:.4f}   fast {r['macro_f1_fast']:.4f}   change {r['change']:+.4f}   "
          f"({'NOT within' if abs(r['change']) > args.tolerance else 'within'} ±{args.tolerance})")
    print(f"accuracy fp32 {r['accuracy_fp32']:.4f}   fast {r['accuracy_fast']:.4f}")
    print(f"labels unchanged {r['agreement']:.1%} (at least {args.min_agreement:.0%} required); "
          f"largest probability change {r['max_probability_change']:.3f}, mean {r['mean_probability_change']:.4f}")
    for c in r["changed"]:
        print(f"  changed: gold {c['gold']}, fp32 {c['fp32']} -> fast {c['fast']} (fp32 margin {c['fp32_margin']:.3f}): {c['text'][:80]}")
    if args.record:
        for path in record(r, Path(args.model), args.tolerance, args.min_agreement):
            print(f"wrote {path}")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


def _shown(path: Path) -> str:
    """The data path as a reader of the record can find it: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
