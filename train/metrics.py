"""Metric helpers for the Trainer and for final evaluation."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

_METRIC_SCRIPT = Path(__file__).with_name("classification_metrics.py")


@lru_cache(maxsize=1)
def load_metric():
    """The project's ClassificationMetrics, loaded offline through `evaluate.load`."""
    import evaluate

    return evaluate.load(str(_METRIC_SCRIPT))


def classification_report(pred_ids, gold_ids, label_names) -> dict:
    return load_metric().compute(predictions=list(map(int, pred_ids)), references=list(map(int, gold_ids)), label_names=list(label_names))


def trainer_metrics(label_names):
    """`compute_metrics` for the Trainer: flat floats only, since they go to the log."""

    def compute(eval_pred) -> dict[str, float]:
        logits, gold = eval_pred
        report = classification_report(np.argmax(logits, axis=-1), gold, label_names)
        flat = {k: report[k] for k in ("accuracy", "macro_f1", "weighted_f1")}
        flat.update({f"f1_{name}": v["f1"] for name, v in report["per_class"].items()})
        return flat

    return compute
