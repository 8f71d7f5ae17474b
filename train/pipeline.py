"""One training run, four stages, each reading what the one before wrote into the run folder:

    fit       the Trainer fine-tunes the backbone: model, tokenizer, run_info.json   train/fit.py
    evaluate  metrics.json and predictions; the temperature into config.json     train/evaluate/
    render    report/ and the model card, from metrics.json alone                train/render/
    publish   the staging copy becomes <output_dir>/<run_name>/ in one rename    train/run_folder.py

`python -m train CONFIG.yaml` calls `run`; docs/architecture.md draws the whole house.
"""

from __future__ import annotations

from train.config import Config
from train.evaluate import evaluate
from train.fit import fit
from train.render import render
from train.run_folder import Layout, RunFolder


def run(cfg: Config) -> dict:
    """Train, evaluate, render and publish one run; returns its metrics.json. Under torchrun or
    accelerate only the main process goes on after fit: the others return {}."""
    m, d, t = cfg.model, cfg.data, cfg.train
    folder = RunFolder(t.run_dir)
    fitted = fit(cfg, folder)
    if fitted is None:
        return {}
    metrics = evaluate(
        folder.staging, fitted.data, Layout.of_checkpoint(folder.staging), name=t.run_name, backbone=m.model_name_or_path,
        evaluated_on=f"the test split ({d.path('test')})", calibrate=True, training=fitted.training,
        batch_size=t.per_device_eval_batch_size,
    )
    render(folder.staging)
    folder.publish()
    return metrics
