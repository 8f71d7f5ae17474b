import numpy as np
import pytest

from train.metrics import _macro_f1_rows, bootstrap_ci, breakdown, classification_report, macro_f1


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


def test_fast_macro_f1_matches_the_metric_on_random_predictions():
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = int(rng.integers(2, 30))
        gold = rng.integers(0, 5, n)
        pred = np.where(rng.random(n) < 0.6, gold, rng.integers(0, 5, n))
        expected = classification_report(pred, gold, list("abcde"))["macro_f1"]
        assert _macro_f1_rows(gold, pred)[0] == pytest.approx(expected)
        assert macro_f1(gold, pred) == pytest.approx(expected)


def test_bootstrap_is_reproducible_with_its_seed():
    rng = np.random.default_rng(3)
    gold = rng.integers(0, 4, 80)
    pred = np.where(rng.random(80) < 0.7, gold, rng.integers(0, 4, 80))
    first, again, other = bootstrap_ci(gold, pred, seed=1), bootstrap_ci(gold, pred, seed=1), bootstrap_ci(gold, pred, seed=2)
    assert first == again
    assert first != other
    accuracy = float((gold == pred).mean())
    assert first["accuracy"][0] < accuracy < first["accuracy"][1]
    assert first["macro_f1"][0] < macro_f1(gold, pred) < first["macro_f1"][1]


def test_breakdown_by_group_matches_hand_computed_values():
    # group x: gold a b, pred a a -> accuracy 1/2, F1(a) = 2/3, F1(b) = 0 ; group y: gold b, pred b -> all 1
    result = breakdown([0, 1, 1], [0, 0, 1], ["x", "x", "y"])
    assert result["x"] == {"n": 2, "accuracy": 0.5, "macro_f1": pytest.approx(1 / 3)}
    assert result["y"] == {"n": 1, "accuracy": 1.0, "macro_f1": 1.0}
