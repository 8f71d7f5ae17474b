"""Write an evaluation's report folder: metrics.json, report.md, confusion_matrix.png,
reliability.png and predictions.jsonl. The folder appears complete or not at all. A training
run's `report/` holds all but metrics.json, which sits at the checkpoint's top (train.checkpoint)."""

from __future__ import annotations

from pathlib import Path

from train.articles import documents_markdown
from train.io import staged_dir, write_bytes_atomic, write_json_atomic, write_jsonl_atomic, write_text_atomic
from train.plots import confusion_matrix_figure, figure_png, reliability_figure

N_CONFIDENT_ERRORS = 20
REPORT_FILES = ("metrics.json", "report.md", "confusion_matrix.png", "reliability.png", "predictions.jsonl")


def write_report(out_dir: str | Path, metrics: dict, rows: list[dict], *, config: dict | None = None, with_metrics: bool = True) -> Path:
    """Write every report file into a staging folder, then swap it in for `out_dir`.
    `config` is the training config report.md shows; `with_metrics=False` leaves metrics.json
    to the caller (a checkpoint keeps it beside the weights, not in report/)."""
    calibration = metrics["calibration"]
    with staged_dir(out_dir) as staging:
        if with_metrics:
            write_json_atomic(staging / "metrics.json", metrics)
        write_jsonl_atomic(staging / "predictions.jsonl", rows)
        write_bytes_atomic(staging / "confusion_matrix.png", figure_png(confusion_matrix_figure(metrics["model"]["confusion_matrix"], metrics["labels"])))
        write_bytes_atomic(staging / "reliability.png", figure_png(reliability_figure(
            calibration["reliability_before"], calibration["reliability_after"],
            ece_before=calibration["ece_before"], ece_after=calibration["ece_after"], temperature=calibration["temperature"],
        )))
        write_text_atomic(staging / "report.md", render_report(metrics, rows, config))
    return Path(out_dir)


def render_report(metrics: dict, rows: list[dict], config: dict | None = None) -> str:
    run = metrics.get("run", {})
    boot = metrics["bootstrap"]
    parts = [
        f"# Evaluation report: `{run.get('model', '?')}`",
        f"Evaluated on {run.get('evaluated_on', 'the test split')}: **{metrics['n']} sentences**. "
        f"Intervals are {boot['confidence']:.0%} {boot['method']} bootstrap intervals over sentences "
        f"({boot['resamples']} resamples, seed {boot['seed']}). Probabilities are temperature-scaled "
        f"(T = {metrics['calibration']['temperature']:.3f}).",
        "## Overall\n\n" + overall_table(metrics),
        "## Per class\n\n" + per_class_table(metrics),
        "## Confusion matrix (rows gold, columns predicted)\n\n" + confusion_table(metrics) + "\n\n![confusion matrix](confusion_matrix.png)",
    ]
    for field, groups in metrics["model"].get("by_field", {}).items():
        parts.append(f"## By {field}\n\n" + breakdown_table(metrics, field, groups))
    if "documents" in metrics:
        parts.append("## Whole articles (document mode)\n\n" + documents_markdown(metrics["documents"]))
    parts += [
        "## Calibration\n\n" + calibration_text(metrics["calibration"], run) + "\n\n![reliability diagram](reliability.png)",
        f"## The {N_CONFIDENT_ERRORS} most confident errors\n\n" + confident_errors_table(rows),
        "## Configuration\n\n" + config_table(config),
        "## Data\n\n" + data_table(run.get("data_counts") or {}),
    ]
    return "\n\n".join(parts) + "\n"


def _num(x, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _ci(scores: dict | None, name: str) -> str:
    if not scores:
        return "n/a"
    low, high = scores["ci"][name]
    return "n/a" if low is None else f"[{low:.3f}, {high:.3f}]"


def _cell(text) -> str:
    """Markdown-table-safe text."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def overall_table(metrics: dict) -> str:
    model, base = metrics["model"], metrics.get("baseline")
    lines = ["| metric | model | 95% CI | baseline | baseline 95% CI |", "|---|---|---|---|---|"]
    for name, title in (("accuracy", "accuracy"), ("macro_f1", "macro-F1"), ("weighted_f1", "weighted-F1")):
        has_ci = name in model["ci"]
        lines.append(
            f"| {title} | **{_num(model[name])}** | {_ci(model, name) if has_ci else ''} | "
            f"{_num(base[name]) if base else 'n/a'} | {_ci(base, name) if has_ci else ''} |"
        )
    about = (metrics.get("run") or {}).get("baseline")
    if about:
        lines.append(f"\nBaseline: {about['description']}; C = {about['C']:g} chosen on validation macro-F1 from {about['C_grid']}.")
    elif not base:
        lines.append("\nNo baseline: no training data was given for it.")
    return "\n".join(lines)


def per_class_table(metrics: dict) -> str:
    model, base = metrics["model"], metrics.get("baseline")
    lines = ["| label | precision | recall | F1 | baseline F1 | support |", "|---|---|---|---|---|---|"]
    for label in metrics["labels"]:
        m = model["per_class"][label]
        b = _num(base["per_class"][label]["f1"]) if base else "n/a"
        lines.append(f"| {label} | {_num(m['precision'])} | {_num(m['recall'])} | {_num(m['f1'])} | {b} | {m['support']} |")
    return "\n".join(lines)


def confusion_table(metrics: dict) -> str:
    labels = metrics["labels"]
    lines = ["| gold \\ predicted | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    for label, row in zip(labels, metrics["model"]["confusion_matrix"]):
        lines.append(f"| **{label}** | " + " | ".join(map(str, row)) + " |")
    return "\n".join(lines)


def breakdown_table(metrics: dict, field: str, groups: dict) -> str:
    base = (metrics.get("baseline") or {}).get("by_field", {}).get(field, {})
    lines = [
        "F1 is computed over the gold labels present in each group only (macro-F1 over absent labels would "
        "score a one-label group's stray predictions as classes at 0). Flagged groups do not compare with the others.",
        "",
        f"| {field} | sentences | accuracy | baseline accuracy | macro-F1 (labels present) | F1 per label present (sentences) | flag |",
        "|---|---|---|---|---|---|---|",
    ]
    for value, g in groups.items():
        b = _num(base[value]["accuracy"]) if value in base else "n/a"
        per_label = ", ".join(f"{lab} {_num(v['f1'])} ({v['n']})" for lab, v in g["per_label"].items())
        lines.append(f"| {_cell(value)} | {g['n']} | {_num(g['accuracy'])} | {b} | {_num(g['macro_f1_present'])} | {per_label} | {g['flag'] or ''} |")
    return "\n".join(lines)


def calibration_text(cal: dict, run: dict) -> str:
    lines = [
        f"Temperature T = **{cal['temperature']:.3f}**"
        + (f", fitted on the {run['calibration_fitted_on']} by minimising the negative log-likelihood." if run.get("calibration_fitted_on") else " (1.0 means the checkpoint is uncalibrated)."),
        "",
        "| | before (T = 1) | after |",
        "|---|---|---|",
        f"| expected calibration error ({cal['n_bins']} equal-width bins) | {_num(cal['ece_before'])} | **{_num(cal['ece_after'])}** |",
        f"| negative log-likelihood | {_num(cal['nll_before'])} | {_num(cal['nll_after'])} |",
    ]
    if "fit_nll_before" in cal:
        lines.append(f"| negative log-likelihood on the split T was fitted on | {_num(cal['fit_nll_before'])} | {_num(cal['fit_nll_after'])} |")
    return "\n".join(lines)


def confident_errors_table(rows: list[dict]) -> str:
    errors = sorted((r for r in rows if r["gold"] != r["predicted"]), key=lambda r: -r["confidence"])[:N_CONFIDENT_ERRORS]
    if not errors:
        return "No errors."
    lines = ["| # | confidence | gold | predicted | id | sentence |", "|---|---|---|---|---|---|"]
    for n, r in enumerate(errors, 1):
        lines.append(f"| {n} | {r['confidence']:.3f} | {r['gold']} | {r['predicted']} | {_cell(r['id'])} | {_cell(r['text'])} |")
    return "\n".join(lines)


def config_table(config: dict | None) -> str:
    if not config:
        return "Not recorded (the checkpoint has no run_info.json)."
    lines = ["| setting | value |", "|---|---|"]
    for section, values in config.items():
        for key, value in values.items():
            lines.append(f"| {section}.{key} | {_cell(value)} |")
    return "\n".join(lines)


def data_table(counts: dict[str, dict[str, int]]) -> str:
    if not counts:
        return "Not recorded."
    splits = list(counts)
    labels = list(next(iter(counts.values())))
    lines = ["| label | " + " | ".join(splits) + " |", "|---|" + "---|" * len(splits)]
    for label in labels:
        lines.append(f"| {label} | " + " | ".join(str(counts[s].get(label, 0)) for s in splits) + " |")
    lines.append("| **total** | " + " | ".join(str(sum(counts[s].values())) for s in splits) + " |")
    return "\n".join(lines)
