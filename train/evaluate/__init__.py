"""Stage 2, evaluate: the only producer of metrics.json. Training runs `evaluate` on the checkpoint
it has just trained (fitting the calibration temperature on validation); `python -m
train.evaluate` (__main__.py) runs it on any checkpoint and labelled file, then renders the
report as training does.

metrics.json has one key per section, each written by one call in `evaluate`:

    n, labels, bootstrap   the evaluated sentences, and how intervals are drawn
    model                  the model's scores on them, by metadata field (train.scores.metrics)
    calibration            the temperature; ECE and NLL before and after it
    baseline               the TF-IDF baseline's scores (when there is data to train it on)
    documents              whole articles in document mode (when the data has articles)
    run                    what was evaluated on what, the data counts, the baseline's settings
    training               validation scores and the Trainer's choice of checkpoint (training only)

A new section (a contrast suite, a user's own data) is one more call writing one more key; the
report then renders that key (train/render/report.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import indosec
from train.data.splits import Splits, label_counts
from train.run_folder import Layout
from train.scores.baseline import baseline_probabilities, baseline_summary, fit_baseline
from train.scores.calibration import calibrated_probabilities, calibration_summary, fit_temperature
from train.scores.documents import evaluate_documents
from train.scores.metrics import BOOTSTRAP_SEED, BREAKDOWN_FIELDS, CONFIDENCE, N_RESAMPLES, score_predictions


def evaluate(
    model: str | Path, data: Splits, layout: Layout, *, name: str, backbone: str | None, evaluated_on: str,
    calibrate: bool = False, training: dict | None = None, seed: int = BOOTSTRAP_SEED, batch_size: int | None = None,
) -> dict:
    """Score the checkpoint `model` (folder or Hub id, loaded as `indosec.load` loads it) on
    `data`, write metrics.json and predictions.jsonl where `layout` says, and return the metrics.
    `calibrate`: fit the temperature on the validation split and store it in the checkpoint's
    config.json (training); otherwise the checkpoint's own temperature is used. `training`: the
    Trainer's figures from fit, for the `training` section."""
    labels, split = data.labels, data.evaluated
    examples, gold = data.sentences[split], data.gold(split)

    # 1. the model's logits; calibrated, its temperature fitted on validation and kept in config.json
    clf = indosec.load(str(model), **({"batch_size": batch_size} if batch_size else {}))
    validation = clf.logits(data.texts("validation")) if calibrate or training is not None else None
    logits = clf.logits(data.texts(split))
    if calibrate:
        clf.temperature = _store_temperature(model, fit_temperature(validation, data.gold("validation")))
    probs = calibrated_probabilities(logits, clf.temperature)

    # 2. the baseline, trained on the train split and tuned on validation, when there is one
    baseline = fit_baseline(data.texts("train"), data.gold("train"), data.texts("validation"), data.gold("validation")) if data.sentences.get("train") else None
    baseline_probs = baseline_probabilities(baseline, data.texts(split), len(labels)) if baseline is not None else None

    # 3. the sections of metrics.json, one key each
    metrics = {
        "n": len(examples), "labels": list(labels),
        "bootstrap": {"resamples": N_RESAMPLES, "seed": seed, "confidence": CONFIDENCE, "method": "percentile"},
    }
    metrics["model"] = score_predictions(probs.argmax(-1), examples, labels, seed=seed)
    metrics["calibration"] = calibration_summary(logits, gold, clf.temperature, fit_logits=validation if calibrate else None, fit_gold=data.gold("validation"))
    if baseline is not None:
        metrics["baseline"] = score_predictions(baseline_probs.argmax(-1), examples, labels, seed=seed)
    if data.articles:
        predict = (lambda texts: baseline_probabilities(baseline, texts, len(labels)).argmax(-1)) if baseline is not None else None
        metrics["documents"] = evaluate_documents(clf, data.articles["test"], labels, baseline_predict=predict)
    metrics["run"] = {
        "model": name, "evaluated_on": evaluated_on, "backbone": backbone,
        "data_counts": {s: label_counts(ex, labels) for s, ex in data.sentences.items()},
        "baseline": baseline_summary(baseline) if baseline is not None else None,
        "calibration_fitted_on": f"validation split ({data.paths['validation']})" if calibrate
        else "validation split of the training run" if clf.temperature != 1.0 else None,
    }
    if training is not None:
        metrics["training"] = {**training, "validation": score_predictions(validation.argmax(-1), data.sentences["validation"], labels)}

    # 4. the files
    layout.write(metrics, prediction_rows(examples, labels, probs, baseline_probs))
    return metrics


def _store_temperature(model: str | Path, temperature: float) -> float:
    """`calibration_temperature` in the checkpoint's config.json, where indosec reads it."""
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(model)
    config.calibration_temperature = temperature
    config.save_pretrained(model)
    return temperature


def prediction_rows(examples: list[dict], labels: list[str], probs, baseline_probs=None) -> list[dict]:
    """predictions.jsonl: one row per evaluated sentence, gold beside predicted."""
    rows = []
    for i, e in enumerate(examples):
        best = int(np.argmax(probs[i]))
        row = {
            "id": e["id"], "text": e["text"], "gold": labels[e["label"]], "predicted": labels[best],
            "confidence": round(float(probs[i][best]), 6),
            "probabilities": {lab: round(float(p), 6) for lab, p in zip(labels, probs[i])},
            **{k: e[k] for k in BREAKDOWN_FIELDS if k in e},
        }
        if baseline_probs is not None:
            row["baseline_predicted"] = labels[int(np.argmax(baseline_probs[i]))]
        rows.append(row)
    return rows
