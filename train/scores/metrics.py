"""Every score the project reports, computed here and nowhere else: scikit-learn for the
classification report and F1, scipy for bootstrap intervals. Training, `python -m
train.evaluate`, the baseline's tuning and the scripts all call these functions."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy.stats import bootstrap
from sklearn.metrics import accuracy_score, cohen_kappa_score, confusion_matrix, f1_score, precision_recall_fscore_support

N_RESAMPLES = 1000
CONFIDENCE = 0.95


def classification_report(pred_ids, gold_ids, label_names) -> dict:
    """Accuracy, macro- and weighted-F1, per-class precision/recall/F1/support and the confusion
    matrix (rows gold, columns predicted). Every label id 0..len-1 gets a row even if absent."""
    y_pred, y_true = np.asarray(pred_ids, dtype=int), np.asarray(gold_ids, dtype=int)
    ids = list(range(len(label_names)))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=ids, zero_division=0)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": macro_f1(y_true, y_pred),
        "weighted_f1": float(f1_score(y_true, y_pred, labels=_seen(y_true, y_pred), average="weighted", zero_division=0)),
        "per_class": {
            name: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
            for i, name in enumerate(label_names)
        },
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=ids).tolist(),
        "labels": list(label_names),
    }


def macro_f1(gold, pred) -> float:
    """Macro-F1 over the labels seen in gold or predictions: a label the model never predicts
    counts as F1 0, a label absent from this split altogether does not count. Label ids or names."""
    seen = _seen(gold, pred)
    return float(f1_score(list(gold), list(pred), labels=seen, average="macro", zero_division=0)) if seen else 0.0


def _seen(gold, pred) -> list:
    return sorted(set(np.asarray(gold).tolist()) | set(np.asarray(pred).tolist()))


def annotator_agreement(first: list, second: list, labels: list) -> dict:
    """Two annotators' labels of the same sentences: Cohen's kappa, and the confusion matrix in
    `labels` order (rows the first annotator)."""
    return {"kappa": float(cohen_kappa_score(first, second)), "confusion_matrix": confusion_matrix(first, second, labels=labels).tolist()}


def trainer_metrics(label_names):
    """`compute_metrics` for the Trainer: flat floats only, since they go to the log.

    The Trainer evaluates sentences cut at max_length tokens, while the reported numbers score
    a longer sentence over windows (indosec.Classifier.logits); for every sentence within
    max_length the two give the same logits (tests/test_train.py)."""

    def compute(eval_pred) -> dict[str, float]:
        logits, gold = eval_pred
        report = classification_report(np.argmax(logits, axis=-1), gold, label_names)
        flat = {k: report[k] for k in ("accuracy", "macro_f1", "weighted_f1")}
        flat.update({f"f1_{name}": v["f1"] for name, v in report["per_class"].items()})
        return flat

    return compute


def _accuracy_rows(gold, pred, axis=-1):
    return (gold == pred).mean(axis=axis)


def _macro_f1_rows(gold, pred, axis=-1):
    """macro_f1 for every row of (resamples, n) arrays at once. scipy hands the statistic all
    resamples in one batch; sklearn's f1_score would take ~1.5 ms per resample and per model."""
    gold, pred = np.moveaxis(np.atleast_2d(gold), axis, -1), np.moveaxis(np.atleast_2d(pred), axis, -1)
    k = int(max(gold.max(initial=0), pred.max(initial=0))) + 1
    rows = np.arange(gold.shape[0])[:, None]
    true_pos, gold_count, pred_count = (np.zeros((gold.shape[0], k)) for _ in range(3))
    np.add.at(true_pos, (rows, gold), gold == pred)
    np.add.at(gold_count, (rows, gold), 1)
    np.add.at(pred_count, (rows, pred), 1)
    support = gold_count + pred_count  # F1 = 2 TP / (gold + predicted); 0 for an unseen label
    f1 = np.divide(2 * true_pos, support, out=np.zeros_like(support), where=support > 0)
    return f1.sum(axis=1) / np.maximum((support > 0).sum(axis=1), 1)


def bootstrap_ci(gold, pred, *, n_resamples: int = N_RESAMPLES, seed: int = 0, confidence: float = CONFIDENCE) -> dict[str, list[float]]:
    """Percentile bootstrap intervals for accuracy and macro-F1 over resampled sentences.

    Both statistics use the same `seed`, hence the same resamples, and a fixed seed gives the
    same interval on every run."""
    gold, pred = np.asarray(gold, dtype=int), np.asarray(pred, dtype=int)
    if len(gold) < 2:  # nothing to resample
        return {"accuracy": [None, None], "macro_f1": [None, None]}
    out = {}
    for name, statistic in (("accuracy", _accuracy_rows), ("macro_f1", _macro_f1_rows)):
        result = bootstrap(
            (gold, pred), statistic, paired=True, vectorized=True, n_resamples=n_resamples,
            confidence_level=confidence, method="percentile", rng=np.random.default_rng(seed),
        )
        out[name] = [float(result.confidence_interval.low), float(result.confidence_interval.high)]
    return out


SMALL_GROUP = 20


def breakdown(gold, pred, groups, label_names) -> dict[str, dict]:
    """Per value of a metadata field (theatre, register, ...): sentences, accuracy, and the F1
    of each label present in the group's gold labels, with its count.

    Not macro-F1 over every label: in a group whose gold labels are all one class, each false
    positive of another class would count as a class scored 0 (58 of 64 right read as 0.24).
    `macro_f1_present` averages F1 over the gold labels present only. `flag` marks groups whose
    figures do not compare with the others: one gold label, or fewer than SMALL_GROUP sentences.
    """
    members = defaultdict(list)
    for i, value in enumerate(groups):
        members[str(value)].append(i)
    gold, pred = np.asarray(gold), np.asarray(pred)
    out = {}
    for value, idx in sorted(members.items()):
        g, p = gold[idx], pred[idx]
        present = sorted(set(g.tolist()))
        f1s = f1_score(g, p, labels=present, average=None, zero_division=0)
        flags = (["one gold label"] if len(present) == 1 else []) + ([f"fewer than {SMALL_GROUP} sentences"] if len(idx) < SMALL_GROUP else [])
        out[value] = {
            "n": len(idx), "accuracy": float(accuracy_score(g, p)), "macro_f1_present": float(np.mean(f1s)),
            "per_label": {label_names[k]: {"n": int((g == k).sum()), "f1": float(f)} for k, f in zip(present, f1s)},
            "flag": "; ".join(flags) or None,
        }
    return out


BREAKDOWN_FIELDS = ("theatre", "register", "hard")
BOOTSTRAP_SEED = 0


def score_predictions(pred, examples: list[dict], labels: list[str], *, seed: int = BOOTSTRAP_SEED, n_resamples: int = N_RESAMPLES) -> dict:
    """Classification metrics of one set of predictions on labelled examples, with bootstrap
    intervals and a breakdown by every metadata field all examples carry (`breakdown`)."""
    gold = [e["label"] for e in examples]
    scores = classification_report(pred, gold, labels)
    scores["ci"] = bootstrap_ci(gold, pred, n_resamples=n_resamples, seed=seed)
    scores["by_field"] = {
        name: breakdown(gold, pred, [e[name] for e in examples], labels)
        for name in BREAKDOWN_FIELDS if examples and all(name in e for e in examples)
    }
    return scores
