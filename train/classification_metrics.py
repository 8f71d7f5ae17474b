"""Classification metrics as an `evaluate.Metric`, computed with scikit-learn.

`evaluate.load("f1")` fetches a script from the Hub and fails offline, so the project ships
its own metric and loads it by path (see `train.metrics.load_metric`). This file must stay
self-contained: evaluate copies and imports it on its own.
"""

import datasets
import evaluate
import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

_DESCRIPTION = "Accuracy, macro- and weighted-F1, per-class precision/recall/F1/support and the confusion matrix."
_INPUTS = """
Args:
    predictions (list of int): predicted label ids.
    references (list of int): gold label ids.
    label_names (list of str, optional): names in id order; every id 0..len-1 gets a row even if absent.
Returns:
    accuracy, macro_f1, weighted_f1 (floats), per_class ({name: {precision, recall, f1, support}}),
    confusion_matrix (rows = gold, columns = predicted), labels (names in matrix order).
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _INPUTS)
class ClassificationMetrics(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_INPUTS,
            features=datasets.Features({"predictions": datasets.Value("int64"), "references": datasets.Value("int64")}),
        )

    def _compute(self, predictions, references, label_names=None):
        y_pred, y_true = np.asarray(predictions), np.asarray(references)
        n = len(label_names) if label_names else int(max(y_pred.max(initial=0), y_true.max(initial=0))) + 1
        names = list(label_names) if label_names else [str(i) for i in range(n)]
        ids = list(range(n))
        p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=ids, zero_division=0)
        # averages over the labels seen in gold or predictions: a class the model never predicts
        # counts as F1 0, a class absent from this split altogether does not count
        seen = sorted(set(y_true.tolist()) | set(y_pred.tolist()))
        return {
            "accuracy": float(accuracy_score(y_true, y_pred)),
            "macro_f1": float(f1_score(y_true, y_pred, labels=seen, average="macro", zero_division=0)),
            "weighted_f1": float(f1_score(y_true, y_pred, labels=seen, average="weighted", zero_division=0)),
            "per_class": {
                name: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
                for i, name in enumerate(names)
            },
            "confusion_matrix": confusion_matrix(y_true, y_pred, labels=ids).tolist(),
            "labels": names,
        }
