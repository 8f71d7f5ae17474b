import numpy as np
import pytest
from scipy.special import softmax

from train.scores.calibration import (
    calibrated_probabilities,
    calibration_effect,
    calibration_summary,
    coverage_table,
    expected_calibration_error,
    fit_temperature,
    negative_log_likelihood,
    reliability_bins,
)


def over_confident_example(n=400, accuracy=0.7, margin=8.0, seed=0):
    """Logits that put ~all mass on the predicted class while only `accuracy` of them are right."""
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 3, n)
    pred = np.where(rng.random(n) < accuracy, gold, (gold + 1) % 3)
    return margin * np.eye(3)[pred], gold


def test_temperature_scaling_lowers_the_nll_of_an_over_confident_model():
    logits, gold = over_confident_example()
    t = fit_temperature(logits, gold)
    assert t > 1  # over-confident: the scores must be softened
    assert negative_log_likelihood(logits, gold, t) < negative_log_likelihood(logits, gold, 1.0)
    before, after = calibrated_probabilities(logits, 1.0), calibrated_probabilities(logits, t)
    assert expected_calibration_error(after, gold) < expected_calibration_error(before, gold)
    assert (after.argmax(-1) == before.argmax(-1)).all()  # scaling never changes a prediction


def test_fit_recovers_the_temperature_the_labels_were_drawn_with():
    rng = np.random.default_rng(1)
    logits = rng.normal(0, 3, size=(4000, 4))
    gold = np.array([rng.choice(4, p=p) for p in softmax(logits / 2.5, axis=1)])
    assert fit_temperature(logits, gold) == pytest.approx(2.5, rel=0.1)


def test_ece_matches_a_hand_computed_value():
    # confidence 0.9 twice (one right): gap 0.4 ; confidence 0.6 twice (both right): gap 0.4
    probs = [[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]]
    gold = [0, 1, 0, 0]
    assert expected_calibration_error(probs, gold, n_bins=10) == pytest.approx(0.4)
    bins = [b for b in reliability_bins(probs, gold, n_bins=10) if b["count"]]
    assert [(b["count"], b["confidence"], b["accuracy"]) for b in bins] == [(2, pytest.approx(0.6), 1.0), (2, pytest.approx(0.9), 0.5)]


def test_nothing_to_fit_on_means_no_scaling():
    assert fit_temperature(np.zeros((0, 3)), []) == 1.0


def test_the_coverage_table_counts_what_each_threshold_keeps_and_how_often_it_is_right():
    probs = [[0.95, 0.05], [0.15, 0.85], [0.6, 0.4], [0.55, 0.45]]
    gold = [0, 0, 0, 1]  # right, wrong, right, wrong
    table = {row["threshold"]: row for row in coverage_table(probs, gold, thresholds=(0.5, 0.6, 0.9, 0.95, 0.96))}
    assert (table[0.5]["kept"], table[0.5]["of"], table[0.5]["accuracy"]) == (4, 4, 0.5)
    assert (table[0.6]["kept"], table[0.6]["accuracy"]) == (3, pytest.approx(2 / 3))  # at or above: 0.6 keeps its label
    assert (table[0.9]["kept"], table[0.9]["share"], table[0.9]["accuracy"]) == (1, 0.25, 1.0)
    assert (table[0.96]["kept"], table[0.96]["accuracy"]) == (0, None)


def test_the_summary_carries_the_coverage_after_the_temperature_and_the_highest_score():
    logits = np.array([[3.0, 0.0], [0.0, 1.0]])
    summary = calibration_summary(logits, [0, 1], 2.0)
    after = calibrated_probabilities(logits, 2.0)
    assert summary["max_score"] == pytest.approx(after.max())
    assert summary["coverage"] == coverage_table(after, [0, 1])
    effect = calibration_effect(logits, [0, 1], 2.0)
    assert {k: summary[k] for k in ("ece_before", "ece_after", "nll_before", "nll_after")} == {k: effect[k] for k in ("ece_before", "ece_after", "nll_before", "nll_after")}


def test_the_card_says_where_the_temperature_helps_and_where_it_does_not():
    from train.render.tables import calibration_summary_text

    worse = {"ece_before": 0.041, "ece_after": 0.063, "nll_before": 0.195, "nll_after": 0.217}
    better = {"n": 435, "ece_before": 0.137, "ece_after": 0.094, "nll_before": 0.751, "nll_after": 0.700}
    metrics = {"n": 427, "calibration": worse, "documents": {"calibration": better}, "run": {"calibration_fitted_on": "validation split (v.jsonl)"}}
    text = calibration_summary_text(metrics, 1.16)
    assert text.startswith("Scores are temperature-scaled (T = 1.160, fitted on the validation split (v.jsonl)).")
    assert "On the 427 test sentences, it makes calibration worse: ECE 0.041 → 0.063, NLL 0.195 → 0.217" in text
    assert "the 435 sentences of the test articles (document mode), it helps: ECE 0.137 → 0.094" in text
    assert "calibrated by" not in text
    assert calibration_summary_text(metrics, 1.0).startswith("Scores are the model's softmax probabilities, not temperature-scaled")
