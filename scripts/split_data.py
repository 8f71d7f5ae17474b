"""Split labelled sentences into train/validation/test (about 80/10/10), stratified by label
and by `hard`, grouped by `story` so that no story spans two splits; with --articles, split
whole labelled articles the same way, stratified by outlet style and by theatre.

    python scripts/split_data.py data/train.jsonl data/validation.jsonl data/test.jsonl --out data/
    python scripts/split_data.py --articles data/articles/*.jsonl --train-only-batch 7 8 --out data/articles/

Deterministic: the result depends only on the rows and --seed, not on input order, so it can
be re-run on its own output. Articles of a writer batch written later for training only (the
batch number starts their `story`: `7-...`) go to train with --train-only-batch, and the
greedy split of the others is unchanged by them. Rows without an `id` get one (`isn-00001`, ...).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from indosec.records import InputError, read_objects  # noqa: E402

FRACTIONS = {"train": 0.8, "validation": 0.1, "test": 0.1}
FIELD_ORDER = ("id", "text", "label", "theatre", "register", "story", "hard")


def read_pool(paths: list[Path]) -> list[dict]:
    rows = [r for p in paths for r in read_objects(p)]
    rows.sort(key=lambda r: (str(r.get("story")), r["text"]))
    used = {r["id"] for r in rows if r.get("id")}
    n = 0
    # new ids in a seeded shuffled order, so that an id says nothing about story or label
    for r in random.Random(0).sample(rows, len(rows)):
        if not r.get("id"):
            while f"isn-{n:05d}" in used:
                n += 1
            r["id"] = f"isn-{n:05d}"
            used.add(r["id"])
    return rows


def assign_stories(rows: list[dict], seed: int) -> dict[str, str]:
    """Greedy: each story goes to the split furthest below its share of the story's stratum."""
    stories = defaultdict(list)
    for r in rows:
        stories[r["story"]].append(r)
    strata = defaultdict(list)
    for story, members in stories.items():
        label = Counter(m["label"] for m in members).most_common(1)[0][0]
        strata[(label, any(m.get("hard") for m in members))].append(story)
    rng = random.Random(seed)
    assignment = {}
    for key in sorted(strata):
        ids = sorted(strata[key])
        rng.shuffle(ids)
        filled = Counter()
        total = sum(len(stories[s]) for s in ids)
        for story in ids:
            split = max(FRACTIONS, key=lambda s: FRACTIONS[s] * total - filled[s])
            assignment[story] = split
            filled[split] += len(stories[story])
    return assignment


ARTICLE_FIELD_ORDER = ("id", "outlet_style", "theatre", "date", "story", "text", "sentences")


def assign_article_stories(rows: list[dict], seed: int) -> dict[str, str]:
    """Greedy over stories, largest first: each goes to the split furthest below its share of
    both the story's outlet styles and theatres (counted in sentences), so the splits are
    stratified on the two at once."""
    stories = defaultdict(list)
    for r in rows:
        stories[r["story"]].append(r)
    total, filled = Counter(), defaultdict(Counter)
    keys = {}
    for story, members in stories.items():
        keys[story] = Counter()
        for m in members:
            keys[story][("style", m["outlet_style"])] += len(m["sentences"])
            keys[story][("theatre", m["theatre"])] += len(m["sentences"])
        total.update(keys[story])
    rng = random.Random(seed)
    order = sorted(stories)
    rng.shuffle(order)
    order.sort(key=lambda st: -sum(len(m["sentences"]) for m in stories[st]))
    assignment = {}
    for story in order:
        need = lambda split: sum(FRACTIONS[split] * total[k] - filled[split][k] for k in keys[story])  # noqa: E731
        split = max(FRACTIONS, key=need)
        assignment[story] = split
        filled[split].update(keys[story])
    return assignment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("data"))
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--articles", action="store_true", help="the inputs are whole labelled articles")
    parser.add_argument("--train-only-batch", nargs="*", default=[], metavar="N",
                        help="with --articles: writer batches (the story's prefix) written for training only")
    args = parser.parse_args()
    try:
        if args.articles:
            rows = sorted((r for p in args.inputs for r in read_objects(p)), key=lambda r: r["id"])
            pinned = {r["story"] for r in rows if r["story"].split("-")[0] in args.train_only_batch}
            assignment = assign_article_stories([r for r in rows if r["story"] not in pinned], args.seed)
            assignment |= dict.fromkeys(pinned, "train")
            order = ARTICLE_FIELD_ORDER
        else:
            rows = read_pool(args.inputs)
            assignment, order = assign_stories(rows, args.seed), FIELD_ORDER
    except InputError as e:
        sys.exit(f"error: {e}")
    out = {s: [] for s in FRACTIONS}
    for r in rows:
        out[assignment[r["story"]]].append({k: r[k] for k in order if k in r})
    args.out.mkdir(parents=True, exist_ok=True)
    for split, split_rows in out.items():
        tmp = args.out / f".{split}.jsonl.tmp"
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in split_rows), encoding="utf-8")
        tmp.replace(args.out / f"{split}.jsonl")
        labels = Counter(x["label"] for r in split_rows for x in r["sentences"]) if args.articles else Counter(r["label"] for r in split_rows)
        print(split, len(split_rows), dict(sorted(labels.items())))


if __name__ == "__main__":
    main()
