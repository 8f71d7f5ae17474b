"""The two files a finished checkpoint keeps beside its weights, and the one way to read them:

    metrics.json   every number of the run: the test evaluation (`train.evaluate`'s schema:
                   model, baseline, calibration, documents, run) and a `training` block
                   (validation scores, best checkpoint step, train sample count)
    run_info.json  how it was made: the config, data hashes, versions, git commit, launch,
                   and one record per resume (train.provenance)

`report/` beside them holds the human-readable views (report.md, plots, predictions.jsonl).
Checkpoints written before this layout kept the test evaluation in report/metrics.json, a
summary in metrics.json and the config in training_config.json; they are still read.
"""

from __future__ import annotations

import json
from pathlib import Path

METRICS = "metrics.json"
RUN_INFO = "run_info.json"
REPORT_DIR = "report"
OLD_CONFIG = "training_config.json"  # read only: checkpoints written before run_info.json held the config


def read_metrics(folder: str | Path) -> dict:
    """A checkpoint's metrics.json, in the current schema whichever layout wrote it."""
    folder = Path(folder)
    metrics = _read_json(folder / METRICS)
    old_evaluation = folder / REPORT_DIR / METRICS
    if "model" not in metrics and old_evaluation.is_file():  # the older two-file layout
        summary = metrics
        metrics = _read_json(old_evaluation)
        metrics["training"] = {k: summary.get(k) for k in ("train_samples", "best_checkpoint_step", "validation")}
    return metrics


def read_config(model: str | Path) -> dict | None:
    """The training config a checkpoint (folder or Hub id) was made with; None when it has
    none (a model not trained here), or the Hub cannot be reached."""
    folder = Path(model)
    if folder.is_dir():
        if (folder / RUN_INFO).is_file():
            return _read_json(folder / RUN_INFO)["config"]
        return _read_json(folder / OLD_CONFIG) if (folder / OLD_CONFIG).is_file() else None
    if folder.exists():
        return None
    from huggingface_hub import hf_hub_download

    for name, pick in ((RUN_INFO, lambda info: info["config"]), (OLD_CONFIG, lambda config: config)):
        try:
            return pick(_read_json(Path(hf_hub_download(str(model), name))))
        except Exception:  # offline, private or simply absent: the report says "not recorded"
            continue
    return None


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
