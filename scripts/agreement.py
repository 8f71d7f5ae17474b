"""Blind second labelling: draw a sample without labels, then score the second labels.

    python scripts/agreement.py sample data/ --fraction 0.1 --seed 7 --out /tmp/blind.jsonl
    # a second annotator labels /tmp/blind.jsonl following data/GUIDELINES.md only,
    # writing {"id": ..., "label": ...} lines to data/annotation/second_pass.jsonl
    python scripts/agreement.py score data/ data/annotation/second_pass.jsonl
    python scripts/agreement.py score data/ data/annotation/articles_second_pass.jsonl   # whole articles

`score` prints Cohen's kappa, raw agreement, per-label agreement and every disagreement.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

from train.scores.metrics import annotator_agreement

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from indosec.records import InputError, read_objects, read_rows  # noqa: E402

SPLITS = ("train", "validation", "test")


def read_data(data_dir: Path) -> dict[str, dict]:
    return {r["id"]: r for split in SPLITS for r in read_objects(data_dir / f"{split}.jsonl")}


def sample(data_dir: Path, fraction: float, seed: int, out: Path) -> None:
    rows = read_data(data_dir)
    ids = sorted(rows)
    chosen = sorted(random.Random(seed).sample(ids, round(len(ids) * fraction)))
    out.write_text("".join(json.dumps({"id": i, "text": rows[i]["text"]}, ensure_ascii=False) + "\n" for i in chosen), encoding="utf-8")
    print(f"{len(chosen)} of {len(ids)} sentences written to {out} (labels withheld)")


def read_article_sentences(data_dir: Path) -> dict[tuple[str, str], dict]:
    """Article sentences keyed by (article id, sentence text)."""
    rows = {}
    for split in SPLITS:
        for a in read_objects(data_dir / "articles" / f"{split}.jsonl"):
            for s in a["sentences"]:
                rows.setdefault((a["id"], s["text"]), {"text": s["text"], "label": s["label"]})
    return rows


def score(data_dir: Path, second: Path) -> None:
    """Second labels are {"id", "label"} for sentences, or {"article", "text", "label"} for
    article sentences (a sentence the splitter no longer yields is skipped, and counted)."""
    rows, article_rows, skipped = read_data(data_dir), None, 0
    pairs = []
    for row in read_rows(second):
        if row.error is not None:
            raise InputError(f"{second}:{row.line}: {row.error}")
        n, r = row.line, row.fields
        if "article" in r:
            article_rows = article_rows or read_article_sentences(data_dir)
            key = (r["article"], r["text"])
            if key not in article_rows:
                skipped += 1
                continue
            rows[key] = article_rows[key]
            pairs.append((key, rows[key]["label"], r["label"]))
        elif r["id"] not in rows:
            raise SystemExit(f"{second}:{n}: id {r['id']!r} is not in {data_dir}")
        else:
            pairs.append((r["id"], rows[r["id"]]["label"], r["label"]))
    if skipped:
        print(f"{skipped} second label(s) skipped: their sentence is no longer one the splitter yields")
    first = [p[1] for p in pairs]
    other = [p[2] for p in pairs]
    labels = sorted(set(first) | set(other))
    agreement = annotator_agreement(first, other, labels)
    print(f"{len(pairs)} sentences; raw agreement {sum(a == b for a, b in zip(first, other)) / len(pairs):.3f}; "
          f"Cohen's kappa {agreement['kappa']:.3f}")
    print("confusion (rows = first label, columns = second):", labels)
    for lab, row in zip(labels, agreement["confusion_matrix"]):
        print(f"  {lab:<22}{row}")
    print("per-label agreement:", {lab: f"{sum(1 for a, b in zip(first, other) if a == b == lab)}/{c}" for lab, c in sorted(Counter(first).items())})
    for i, a, b in pairs:
        if a != b:
            print(f"- {i}: first={a} second={b} :: {rows[i]['text']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample")
    s.add_argument("data_dir", type=Path)
    s.add_argument("--fraction", type=float, default=0.1)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("score")
    c.add_argument("data_dir", type=Path)
    c.add_argument("second", type=Path)
    args = parser.parse_args()
    try:
        if args.command == "sample":
            sample(args.data_dir, args.fraction, args.seed, args.out)
        else:
            score(args.data_dir, args.second)
    except InputError as e:
        sys.exit(f"error: {e}")


if __name__ == "__main__":
    main()
