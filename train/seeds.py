"""Train one config under several seeds and summarise them: a single seed is not a result.

    python -m train configs/quickstart.yaml --seeds 3

runs seeds s, s+1, s+2 (s = train.seed) into `<output_dir>/<run_name>-seed<k>/`, each a complete
checkpoint with its own report, and writes `<output_dir>/<run_name>-seeds.json` and `.md` with
the mean ± sample standard deviation of the test numbers, model and baseline side by side.
A data.max_eval_samples subset of validation and test is the same rows for every seed
(train.data.splits.EVAL_SAMPLE_SEED), so the spread is the seeds' alone, not the subsets'.
"""

from __future__ import annotations

import dataclasses
import statistics
from pathlib import Path

from train.config import Config
from indosec.files import write_json_atomic, write_text_atomic

SUMMARISED = (  # (name in the summary, how to read it from a run's metrics)
    ("test_accuracy", lambda m: m["model"]["accuracy"]),
    ("test_macro_f1", lambda m: m["model"]["macro_f1"]),
    ("baseline_test_accuracy", lambda m: m["baseline"]["accuracy"]),
    ("baseline_test_macro_f1", lambda m: m["baseline"]["macro_f1"]),
    ("ece_before", lambda m: m["calibration"]["ece_before"]),
    ("ece_after", lambda m: m["calibration"]["ece_after"]),
)


def seed_configs(cfg: Config, n: int) -> list[Config]:
    """One config per seed, each writing to its own run folder."""
    if n < 1:
        raise ValueError(f"--seeds must be at least 1, got {n}")
    t = cfg.train
    return [
        dataclasses.replace(cfg, train=dataclasses.replace(
            t, run_name=f"{t.run_name}-seed{t.seed + k}", training_arguments=t.training_arguments | {"seed": t.seed + k},
        ))
        for k in range(n)
    ]


def summarise(runs: dict[int, dict]) -> dict:
    """Mean and sample standard deviation (0 for a single seed) of each SUMMARISED number."""
    summary = {"seeds": sorted(runs), "runs": {str(s): {name: get(m) for name, get in SUMMARISED} for s, m in runs.items()}}
    for name, _ in SUMMARISED:
        values = [summary["runs"][str(s)][name] for s in summary["seeds"]]
        summary[name] = {"mean": statistics.fmean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0}
    return summary


def summary_markdown(run_name: str, summary: dict) -> str:
    def pm(name: str) -> str:
        return f"{summary[name]['mean']:.3f} ± {summary[name]['std']:.3f}"

    return "\n".join([
        f"# {run_name}: {len(summary['seeds'])} seeds ({', '.join(map(str, summary['seeds']))})",
        "",
        "Mean ± sample standard deviation over seeds, test split.",
        "",
        "| metric | model | baseline |",
        "|---|---|---|",
        f"| accuracy | {pm('test_accuracy')} | {pm('baseline_test_accuracy')} |",
        f"| macro-F1 | {pm('test_macro_f1')} | {pm('baseline_test_macro_f1')} |",
        f"| ECE before → after calibration | {pm('ece_before')} → {pm('ece_after')} | |",
        "",
    ])


def run_seeds(cfg: Config, n: int) -> tuple[dict, Path]:
    """Train every seed in turn, then write the summary; returns it and its JSON path."""
    from train.pipeline import run

    runs = {c.train.seed: run(c) for c in seed_configs(cfg, n)}
    out = Path(cfg.train.output_dir) / f"{cfg.train.run_name}-seeds.json"
    if not all(runs.values()):  # a non-main DDP process: the main one writes the summary
        return {}, out
    summary = summarise(runs)
    write_json_atomic(out, summary)
    write_text_atomic(out.with_name(f"{cfg.train.run_name}-seeds.md"), summary_markdown(cfg.train.run_name, summary))
    return summary, out
