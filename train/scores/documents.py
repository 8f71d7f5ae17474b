"""Document mode on whole labelled articles, scored as a user meets it: `predict_document`
splits and labels each article, and each gold sentence is matched to the predicted sentence
that overlaps it most. The section "Whole articles" of metrics.json (`documents`)."""

from __future__ import annotations

import numpy as np

from indosec.records import Row
from indosec.text import normalize_text
from train.scores.metrics import bootstrap_ci, classification_report


def evaluate_documents(clf, rows: list[Row], labels: list[str], *, baseline_predict=None) -> dict:
    """Document mode on whole labelled articles, as a user meets it: `predict_document` splits
    and labels each article. Each gold sentence takes the label of the predicted sentence that
    overlaps it most (`other` if the splitter dropped it). Returns sentence metrics within
    articles, per-label article recall ("did we find the attack in this article?"), the
    splitter's drops, merges and splits against the gold sentences, and the same sentence and
    article figures for `baseline_predict` (texts -> label ids) on the gold sentences."""
    other = labels.index("other") if "other" in labels else None
    gold, pred, base_texts = [], [], []
    per_article_gold, per_article_pred = [], []
    splitter = {"dropped": [], "merged": [], "split": []}
    for r in rows:
        f = r.fields
        doc = clf.predict_document(f["text"])
        spans = [(s.start, s.end, labels.index(s.label)) for s in doc.sentences]
        g_ids, p_ids = [], []
        for s in f["sentences"]:
            overlaps = [(min(b, s["end"]) - max(a, s["start"]), lab) for a, b, lab in spans if a < s["end"] and s["start"] < b]
            if not overlaps:
                splitter["dropped"].append(f"{f['id']}: {f['text'][s['start']:s['end']][:80]}")
            elif len(overlaps) > 1:
                splitter["split"].append(f"{f['id']}: {f['text'][s['start']:s['end']][:80]}")
            g_ids.append(labels.index(s["label"]))
            p_ids.append(max(overlaps)[1] if overlaps else other)
            base_texts.append(normalize_text(f["text"][s["start"]:s["end"]]))
        for a, b, _ in spans:
            if sum(1 for s in f["sentences"] if s["start"] < b and a < s["end"]) > 1:
                splitter["merged"].append(f"{f['id']}: {f['text'][a:b][:80]}")
        gold += g_ids
        pred += p_ids
        per_article_gold.append(set(g_ids))
        per_article_pred.append({lab for _, _, lab in spans})
    result = {
        "n_articles": len(rows), "n_sentences": len(gold),
        "model": _document_scores(gold, pred, per_article_gold, per_article_pred, labels, other),
        "splitter": {k: {"count": len(v), "examples": v[:10]} for k, v in splitter.items()},
    }
    if baseline_predict is not None and gold:
        base = [int(x) for x in baseline_predict(base_texts)]
        offsets = np.cumsum([0] + [len(r.fields["sentences"]) for r in rows])
        base_sets = [set(base[offsets[i]:offsets[i + 1]]) for i in range(len(rows))]
        result["baseline"] = _document_scores(gold, base, per_article_gold, base_sets, labels, other)
    return result


def _document_scores(gold, pred, gold_sets, pred_sets, labels, other) -> dict:
    scores = {k: v for k, v in classification_report(pred, gold, labels).items() if k in ("accuracy", "macro_f1", "weighted_f1", "per_class")}
    scores["ci"] = bootstrap_ci(gold, pred)
    recall = {}
    for k, lab in enumerate(labels):
        if k == other:
            continue
        having = [i for i, g in enumerate(gold_sets) if k in g]
        found = sum(1 for i in having if k in pred_sets[i])
        flagged = [i for i, p in enumerate(pred_sets) if k in p]
        recall[lab] = {
            "articles": len(having), "found": found, "recall": found / len(having) if having else None,
            "flagged": len(flagged), "precision": sum(1 for i in flagged if k in gold_sets[i]) / len(flagged) if flagged else None,
        }
    scores["article_recall"] = recall
    return scores
