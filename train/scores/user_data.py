"""The section "Your data" of metrics.json (`user_data`): the model and the TF-IDF baseline on
the test stories of the user's own labelled articles (`data.extra_articles`), and how many of
the user's sentences and articles each split used."""

from __future__ import annotations

from train.scores.metrics import BOOTSTRAP_SEED, score_predictions


def score_user_data(probs, baseline_probs, user: dict[str, list[dict]], labels: list[str], files: list[str], *, seed: int = BOOTSTRAP_SEED) -> dict:
    """`probs` and `baseline_probs` (or None): probabilities for `user["test"]`, in its order."""
    test = user.get("test", [])
    section = {
        "files": [str(f) for f in files],
        "used": {split: {"sentences": len(ex), "articles": len({e["story"] for e in ex})} for split, ex in user.items()},
        "n": len(test),
    }
    if test:
        section["model"] = score_predictions(probs.argmax(-1), test, labels, seed=seed)
        if baseline_probs is not None:
            section["baseline"] = score_predictions(baseline_probs.argmax(-1), test, labels, seed=seed)
    return section
