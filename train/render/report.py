"""The report of an evaluation: report.md, confusion_matrix.png and reliability.png, drawn from
its metrics.json and predictions.jsonl alone (`train.evaluate` wrote them); no figure is
computed here. A training run's report/ sits beside its weights and metrics.json; `python -m
train.evaluate --out` keeps everything in one folder (train.run_folder.Layout).

report.md has a section per key of metrics.json. A new key (a contrast suite, a user's own
data) gets one function here that turns it into Markdown, and one line in `render_report`.
"""

from __future__ import annotations

import json

from indosec.files import write_bytes_atomic, write_text_atomic
from indosec.records import read_objects
from train.render.plots import confusion_matrix_figure, figure_png, reliability_figure
from train.render.tables import cell, ci, counts_table, num, overall_table, per_class_table
from train.run_folder import Layout

N_CONFIDENT_ERRORS = 20
REPORT_FILES = ("metrics.json", "report.md", "confusion_matrix.png", "reliability.png", "predictions.jsonl")


def write_report(layout: Layout, *, config: dict | None = None) -> None:
    """report.md and the two figures into `layout.report`, from `layout.metrics` and the
    predictions beside the report. `config`: the training config report.md shows."""
    metrics = json.loads(layout.metrics.read_text(encoding="utf-8"))
    rows = read_objects(layout.predictions)
    calibration = metrics["calibration"]
    write_bytes_atomic(layout.report / "confusion_matrix.png", figure_png(confusion_matrix_figure(metrics["model"]["confusion_matrix"], metrics["labels"])))
    write_bytes_atomic(layout.report / "reliability.png", figure_png(reliability_figure(
        calibration["reliability_before"], calibration["reliability_after"],
        ece_before=calibration["ece_before"], ece_after=calibration["ece_after"], temperature=calibration["temperature"],
    )))
    write_text_atomic(layout.report / "report.md", render_report(metrics, rows, config))


def render_report(metrics: dict, rows: list[dict], config: dict | None = None) -> str:
    run = metrics.get("run", {})
    boot = metrics["bootstrap"]
    parts = [
        f"# Evaluation report: `{run.get('model', '?')}`",
        f"Evaluated on {run.get('evaluated_on', 'the test split')}: **{metrics['n']} sentences**. "
        f"Intervals are {boot['confidence']:.0%} {boot['method']} bootstrap intervals over sentences "
        f"({boot['resamples']} resamples, seed {boot['seed']}). Probabilities are temperature-scaled "
        f"(T = {metrics['calibration']['temperature']:.3f}).",
        "## Overall\n\n" + overall_section(metrics),
        "## Per class\n\n" + per_class_table(metrics),
        "## Confusion matrix (rows gold, columns predicted)\n\n" + confusion_table(metrics) + "\n\n![confusion matrix](confusion_matrix.png)",
    ]
    for field, groups in metrics["model"].get("by_field", {}).items():
        parts.append(f"## By {field}\n\n" + breakdown_table(metrics, field, groups))
    if "documents" in metrics:
        parts.append("## Whole articles (document mode)\n\n" + documents_section(metrics["documents"]))
    parts += [
        "## Calibration\n\n" + calibration_text(metrics["calibration"], run) + "\n\n![reliability diagram](reliability.png)",
        f"## The {N_CONFIDENT_ERRORS} most confident errors\n\n" + confident_errors_table(rows),
        "## Configuration\n\n" + config_table(config),
        "## Data\n\n" + (counts_table(run["data_counts"]) if run.get("data_counts") else "Not recorded."),
    ]
    return "\n\n".join(parts) + "\n"


def overall_section(metrics: dict) -> str:
    lines = [overall_table(metrics)]
    about = (metrics.get("run") or {}).get("baseline")
    if about:
        lines.append(f"\nBaseline: {about['description']}; C = {about['C']:g} chosen on validation macro-F1 from {about['C_grid']}.")
    elif not metrics.get("baseline"):
        lines.append("\nNo baseline: no training data was given for it.")
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
        b = num(base[value]["accuracy"]) if value in base else "n/a"
        per_label = ", ".join(f"{lab} {num(v['f1'])} ({v['n']})" for lab, v in g["per_label"].items())
        lines.append(f"| {cell(value)} | {g['n']} | {num(g['accuracy'])} | {b} | {num(g['macro_f1_present'])} | {per_label} | {g['flag'] or ''} |")
    return "\n".join(lines)


def calibration_text(cal: dict, run: dict) -> str:
    lines = [
        f"Temperature T = **{cal['temperature']:.3f}**"
        + (f", fitted on the {run['calibration_fitted_on']} by minimising the negative log-likelihood." if run.get("calibration_fitted_on") else " (1.0 means the checkpoint is uncalibrated)."),
        "",
        "| | before (T = 1) | after |",
        "|---|---|---|",
        f"| expected calibration error ({cal['n_bins']} equal-width bins) | {num(cal['ece_before'])} | **{num(cal['ece_after'])}** |",
        f"| negative log-likelihood | {num(cal['nll_before'])} | {num(cal['nll_after'])} |",
    ]
    if "fit_nll_before" in cal:
        lines.append(f"| negative log-likelihood on the split T was fitted on | {num(cal['fit_nll_before'])} | {num(cal['fit_nll_after'])} |")
    return "\n".join(lines)


def confident_errors_table(rows: list[dict]) -> str:
    errors = sorted((r for r in rows if r["gold"] != r["predicted"]), key=lambda r: -r["confidence"])[:N_CONFIDENT_ERRORS]
    if not errors:
        return "No errors."
    lines = ["| # | confidence | gold | predicted | id | sentence |", "|---|---|---|---|---|---|"]
    for n, r in enumerate(errors, 1):
        lines.append(f"| {n} | {r['confidence']:.3f} | {r['gold']} | {r['predicted']} | {cell(r['id'])} | {cell(r['text'])} |")
    return "\n".join(lines)


def config_table(config: dict | None) -> str:
    if not config:
        return "Not recorded (the checkpoint has no run_info.json)."
    lines = ["| setting | value |", "|---|---|"]
    for section, values in config.items():
        for key, value in values.items():
            lines.append(f"| {section}.{key} | {cell(value)} |")
    return "\n".join(lines)


def documents_section(docs: dict) -> str:
    """The report's document-level section."""
    lines = [
        f"{docs['n_articles']} whole articles of the article test split, {docs['n_sentences']} labelled sentences, "
        "run through `predict_document` as a user would. Sentence figures count a sentence the splitter "
        "dropped as `other`; intervals are 95% bootstrap intervals over sentences.",
        "",
        "| | sentence accuracy | sentence macro-F1 | 95% CI |",
        "|---|---|---|---|",
    ]
    for name in ("model", "baseline"):
        if name in docs:
            s = docs[name]
            lines.append(f"| {name} | {s['accuracy']:.3f} | **{s['macro_f1']:.3f}** | {ci(s['ci']['macro_f1'])} |")
    lines += ["", "Per label, over articles: recall = share of the articles containing the label where at least one "
              "sentence was predicted with it; precision = share of the articles flagged with it that contain it.", "",
              "| label | articles with it | model recall | model precision | baseline recall | baseline precision |",
              "|---|---|---|---|---|---|"]
    for lab, m in docs["model"]["article_recall"].items():
        b = docs.get("baseline", {}).get("article_recall", {}).get(lab, {})
        lines.append(f"| {lab} | {m['articles']} | {num(m['recall'])} | {num(m['precision'])} | {num(b.get('recall'))} | {num(b.get('precision'))} |")
    sp = docs["splitter"]
    lines += ["", f"Splitter against the labelled sentences: {sp['dropped']['count']} dropped, {sp['merged']['count']} merged "
              f"(one predicted sentence over several labelled ones), {sp['split']['count']} cut in pieces."]
    for kind in ("dropped", "merged", "split"):
        lines += [f"- {kind}: {e}" for e in sp[kind]["examples"]]
    return "\n".join(lines)
