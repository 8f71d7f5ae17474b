"""Choose the article rule of `predict_document` (indosec/results.py: ARTICLE_MIN_SENTENCES,
ARTICLE_MIN_SCORE) on labelled articles: per rule, article precision and recall per label.

    python scripts/article_rule.py outputs/quickstart [--articles data/articles/validation.jsonl]

An article is flagged with a content label when at least N of its sentences carry it at a score
of at least S. Each article runs through `predict_document` once; every rule is then applied to
the same sentences. The rule chosen is the one with the best mean article F1 over the content
labels (precision and recall count alike); ties go to the simpler rule (fewer sentences, lower
score). Choose on the validation split: the test split is for reporting the rule's figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
import indosec  # noqa: E402
from indosec.records import read_objects  # noqa: E402
from indosec.results import ARTICLE_MIN_SCORE, ARTICLE_MIN_SENTENCES, OTHER, article_labels  # noqa: E402
from train.scores.documents import article_scores  # noqa: E402

MIN_SENTENCES = (1, 2, 3)
MIN_SCORES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)


def rule_table(docs, gold_sets: list[set], labels: list[str]) -> list[dict]:
    """Per rule: its per-label article scores and their mean F1 (None counts as 0)."""
    other = labels.index(OTHER) if OTHER in labels else None
    table = []
    for n in MIN_SENTENCES:
        for score in MIN_SCORES:
            flagged = [{labels.index(lab) for lab in article_labels(d.sentences, labels, min_sentences=n, min_score=score)} for d in docs]
            per_label = article_scores(gold_sets, flagged, labels, other)
            f1 = [_f1(s["precision"], s["recall"]) for s in per_label.values()]
            table.append({"min_sentences": n, "min_score": score, "labels": per_label, "mean_f1": sum(f1) / len(f1)})
    return table


def _f1(precision, recall) -> float:
    return 2 * precision * recall / (precision + recall) if precision and recall else 0.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))  # the whole first paragraph
    parser.add_argument("model", help="checkpoint folder or Hub id")
    parser.add_argument("--articles", type=Path, default=ROOT / "data" / "articles" / "validation.jsonl",
                        help="labelled articles (default: the article validation split)")
    args = parser.parse_args(argv)
    rows = read_objects(args.articles)
    clf = indosec.load(args.model, device="cpu")
    labels = clf.labels
    docs = [clf.predict_document(r["text"]) for r in rows]
    gold_sets = [{labels.index(s["label"]) for s in r["sentences"]} for r in rows]
    table = rule_table(docs, gold_sets, labels)
    best = max(table, key=lambda r: (round(r["mean_f1"], 6), -r["min_sentences"], -r["min_score"]))
    content = list(table[0]["labels"])
    print(f"{len(rows)} articles of {args.articles}; per label: precision / recall (flagged, found of articles)\n")
    print("| sentences ≥ | score ≥ | mean article F1 | " + " | ".join(content) + " |")
    print("|---|---|---|" + "---|" * len(content))
    for r in table:
        mark = " (chosen)" if r is best else " (in use)" if (r["min_sentences"], r["min_score"]) == (ARTICLE_MIN_SENTENCES, ARTICLE_MIN_SCORE) else ""
        cells = [f"{_num(s['precision'])} / {_num(s['recall'])} ({s['flagged']}, {s['found']} of {s['articles']})" for s in r["labels"].values()]
        print(f"| {r['min_sentences']} | {r['min_score']:.1f} | {r['mean_f1']:.3f}{mark} | " + " | ".join(cells) + " |")
    print(f"\nchosen: ARTICLE_MIN_SENTENCES = {best['min_sentences']}, ARTICLE_MIN_SCORE = {best['min_score']}")
    return 0


def _num(x) -> str:
    return "n/a" if x is None else f"{x:.3f}"


if __name__ == "__main__":
    sys.exit(main())
