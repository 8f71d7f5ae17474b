import pytest

from train.metrics import classification_report


def test_metrics_match_hand_computed_values():
    # gold: a b c c ; pred: a b b c
    r = classification_report([0, 1, 1, 2], [0, 1, 2, 2], ["a", "b", "c", "d"])
    assert r["accuracy"] == 0.75
    assert r["per_class"]["b"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3), "support": 1}
    assert r["per_class"]["c"]["recall"] == 0.5 and r["per_class"]["d"]["support"] == 0
    assert r["macro_f1"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)  # d is absent from gold and predictions
    assert r["weighted_f1"] == pytest.approx((1 * 1 + 2 / 3 * 1 + 2 / 3 * 2) / 4)
    assert r["confusion_matrix"] == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]]


def test_a_class_never_predicted_counts_as_zero():
    r = classification_report([0, 0, 0], [0, 0, 1], ["a", "b"])
    assert r["per_class"]["b"]["f1"] == 0 and r["macro_f1"] == pytest.approx((0.8 + 0) / 2)
