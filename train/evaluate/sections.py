"""The sections of metrics.json scored beyond the evaluated split, model beside baseline: the
contrast suite, headline casing, and the user's own articles. `baseline_predict`: texts ->
label ids (None without a baseline)."""

from __future__ import annotations

from train.data.splits import Splits
from train.scores.baseline import baseline_probabilities
from train.scores.calibration import calibrated_probabilities
from train.scores.contrast import casing_flips, score_contrast
from train.scores.user_data import score_user_data


def contrast_section(clf, data: Splits, baseline_predict=None) -> dict:
    """The contrast suite per rule and group."""
    texts = [e["text"] for e in data.contrast]
    section = {"model": score_contrast(clf.logits(texts).argmax(-1), data.contrast, data.labels, data.rules), "rules": data.rules}
    if baseline_predict is not None:
        section["baseline"] = score_contrast(baseline_predict(texts), data.contrast, data.labels, data.rules)
    return section


def casing_section(clf, data: Splits, baseline_predict=None) -> dict:
    """How often a label of the evaluated sentences flips in Title Case or capitals."""
    texts = data.texts(data.evaluated)
    section = {"model": casing_flips(lambda t: clf.logits(t).argmax(-1), texts, data.labels)}
    if baseline_predict is not None:
        section["baseline"] = casing_flips(baseline_predict, texts, data.labels)
    return section


def user_data_section(clf, baseline, data: Splits, *, seed: int) -> dict:
    """The user's own test articles (data.extra_articles): "Your data"."""
    texts, n = [e["text"] for e in data.user["test"]], len(data.labels)
    return score_user_data(
        calibrated_probabilities(clf.logits(texts), clf.temperature) if texts else None,
        baseline_probabilities(baseline, texts, n) if baseline is not None and texts else None,
        data.user, data.labels, data.user_files, seed=seed)
