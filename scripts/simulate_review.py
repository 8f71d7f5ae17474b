"""The review loop, simulated: the article test split plays the user's news, and its gold labels
are revealed as if an analyst reviewed the sentences in a given order.

    python scripts/simulate_review.py outputs/quickstart --seeds 0 1 2 --budgets 50 100 200 --orders doubt random \
        --labels-out outputs/simulated-labels.jsonl

For each seed, the test articles are split by story (the seeded draw `data.extra_articles` uses:
30% held out). The other articles' sentences are the pool. For each order (`doubt`: smallest
margin between the checkpoint's two top labels first, as the Review tab orders them; `random`)
and each budget, the first N pool sentences get their gold label, and the checkpoint is
fine-tuned further on them plus a seeded replay sample of the project's train split (so it does
not forget). Macro-F1 on the held-out articles' sentences is printed before (N = 0) and after.
The pool items are the gold sentences (the product's splitter finds nearly the same ones).

This is a continued fine-tune (a few hundred steps), not the full retraining of
`python -m train ... data.extra_articles=[...]`; it measures which review order teaches more per
label, on 2 CPU cores in minutes per point.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

import indosec  # noqa: E402
from indosec.records import read_objects  # noqa: E402
from indosec.review import margin, order_items  # noqa: E402
from indosec.reviewed import decision  # noqa: E402
from indosec.text import normalize_text  # noqa: E402
from train.data.reviewed import split_reviewed  # noqa: E402
from train.scores.metrics import macro_f1  # noqa: E402


def pool_and_heldout(seed: int, test_share: float = 0.3):
    articles = [{**r, "split": None, "split_where": None} for r in read_objects(ROOT / "data" / "articles" / "test.jsonl")]
    placed = split_reviewed(articles, test_share=test_share, validation_share=0.0, seed=seed)
    sentences = {split: [(normalize_text(a["text"][s["start"]:s["end"]]), s["label"], a["text"], s["start"], s["end"])
                         for a in placed[split] for s in a["sentences"]] for split in ("train", "test")}
    return sentences["train"], sentences["test"]


def fine_tune(checkpoint: str, examples: list[tuple[str, int]], *, seed: int, epochs: int, lr: float, batch: int = 16):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(seed)
    tok = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModelForSequenceClassification.from_pretrained(checkpoint)
    model.get_input_embeddings().weight.requires_grad_(False)  # as the quickstart recipe: word embeddings frozen
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    rng = random.Random(seed)
    for _ in range(epochs):
        order = list(examples)
        rng.shuffle(order)
        for i in range(0, len(order), batch):
            texts, labels = zip(*order[i:i + batch])
            enc = tok(list(texts), truncation=True, max_length=128, padding=True, return_tensors="pt")
            loss = model(**enc, labels=torch.tensor(labels)).loss
            loss.backward()
            opt.step()
            opt.zero_grad()
    model.eval()
    return model, tok


def predict(model, tok, texts: list[str]) -> list[int]:
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), 64):
            enc = tok(texts[i:i + 64], truncation=True, max_length=128, padding=True, return_tensors="pt")
            out += model(**enc).logits.argmax(-1).tolist()
    return out


def write_labels(path: Path, reviewed, labels, checkpoint: str) -> None:
    """The file the Review tab would have written for these items: gold labels as the analyst's."""
    lines = []
    for it in reviewed:
        _, label, article, start, end = it.gold
        top = int(it.probs.argmax())
        lines.append(json.dumps(decision(article, start, end, label, model_label=labels[top], model_score=float(it.probs[top]),
                                         annotator="simulated", checkpoint=checkpoint), ensure_ascii=False) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    print(f"wrote {len(lines)} decisions to {path}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--budgets", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--orders", nargs="+", default=["doubt", "random"])
    parser.add_argument("--replay", type=int, default=200, help="sentences of data/train.jsonl mixed in")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--labels-out", type=Path, help="write the labels file of the first seed's first order at the largest "
                        "budget, as the Review tab writes it (to time the full retraining with data.extra_articles)")
    args = parser.parse_args(argv)
    clf = indosec.load(args.model, device="cpu")
    label2id = {lab: i for i, lab in enumerate(clf.labels)}
    train_rows = read_objects(ROOT / "data" / "train.jsonl")
    results: dict[tuple[str, int], list[float]] = {}
    for seed in args.seeds:
        pool, heldout = pool_and_heldout(seed)
        gold = [label2id[h[1]] for h in heldout]
        texts = [h[0] for h in heldout]
        before = macro_f1(gold, clf.predict_proba(texts).argmax(-1))
        results.setdefault(("none", 0), []).append(before)
        probs = clf.predict_proba([p[0] for p in pool])
        items = [SimpleNamespace(margin=margin(pr), example=(p[0], label2id[p[1]]), gold=p, probs=pr) for pr, p in zip(probs, pool)]
        replay = [(normalize_text(r["text"]), label2id[r["label"]]) for r in random.Random(seed).sample(train_rows, args.replay)]
        print(f"seed {seed}: pool {len(pool)} sentences, held out {len(heldout)}; macro-F1 before {before:.3f}", flush=True)
        for order in args.orders:
            ordered = order_items(items, order, seed)
            if args.labels_out and seed == args.seeds[0] and order == args.orders[0]:
                write_labels(args.labels_out, ordered[:max(args.budgets)], clf.labels, args.model)
            for budget in args.budgets:
                started = time.time()
                model, tok = fine_tune(args.model, [it.example for it in ordered[:budget]] + replay, seed=seed, epochs=args.epochs, lr=args.lr)
                score = macro_f1(gold, predict(model, tok, texts))
                results.setdefault((order, budget), []).append(score)
                print(f"  {order:6} {budget:4}: macro-F1 {score:.3f} ({time.time() - started:.0f} s)", flush=True)
    print("\n| order | reviewed | held-out macro-F1, mean over seeds | per seed |\n|---|---|---|---|")
    for (order, budget), scores in results.items():
        print(f"| {order} | {budget} | {statistics.mean(scores):.3f} | {', '.join(f'{s:.3f}' for s in scores)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
