import numpy as np
import pytest

from train.scores.metrics import _macro_f1_rows, annotator_agreement, bootstrap_ci, breakdown, classification_report, macro_f1


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
    result = breakdown([0, 1, 1], [0, 0, 1], ["x", "x", "y"], ["a", "b"])
    assert result["x"] == {"n": 2, "accuracy": 0.5, "macro_f1_present": pytest.approx(1 / 3),
                           "per_label": {"a": {"n": 1, "f1": pytest.approx(2 / 3)}, "b": {"n": 1, "f1": 0.0}},
                           "flag": "fewer than 20 sentences"}
    assert result["y"] == {"n": 1, "accuracy": 1.0, "macro_f1_present": 1.0, "per_label": {"b": {"n": 1, "f1": 1.0}},
                           "flag": "one gold label; fewer than 20 sentences"}


def test_a_one_label_group_is_not_punished_for_predictions_of_absent_labels():
    """Theatre `none`: 58 of 64 `other` sentences right used to read as macro-F1 0.238."""
    gold = [4] * 64
    pred = [4] * 58 + [0, 1, 2, 3, 0, 1]
    group = breakdown(gold, pred, ["none"] * 64, ["sc", "att", "tc", "prop", "other"])["none"]
    assert group["accuracy"] == pytest.approx(58 / 64)
    assert group["macro_f1_present"] == pytest.approx(2 * 58 / (64 + 58)) and list(group["per_label"]) == ["other"]
    assert group["flag"] == "one gold label"


def test_macro_f1_takes_label_names_as_the_scripts_pass_them():
    assert macro_f1(["a", "b", "b"], ["a", "b", "a"]) == pytest.approx(classification_report([0, 1, 0], [0, 1, 1], ["a", "b"])["macro_f1"])


def test_annotator_agreement_matches_hand_computed_kappa():
    # observed agreement 3/4; chance (1/2 * 1/4 + 1/2 * 3/4) = 1/2 -> kappa (3/4 - 1/2) / (1 - 1/2) = 1/2
    result = annotator_agreement(["x", "x", "y", "y"], ["x", "y", "y", "y"], ["x", "y"])
    assert result == {"kappa": pytest.approx(0.5), "confusion_matrix": [[1, 1], [0, 2]]}
