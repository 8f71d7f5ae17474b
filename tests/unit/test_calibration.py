import numpy as np
import pytest
from scipy.special import softmax

from train.scores.calibration import (
    calibrated_probabilities,
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
