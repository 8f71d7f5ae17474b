"""Every number format and every table the report, the card and `python -m train.data validate`
share, written once: a figure reads the same wherever it appears."""

from __future__ import annotations


def num(x, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def ci(pair) -> str:
    """A 95% interval as `[0.909, 0.956]`; "n/a" when there was nothing to resample."""
    return "n/a" if not pair or pair[0] is None else f"[{pair[0]:.3f}, {pair[1]:.3f}]"


def cell(text) -> str:
    """Markdown-table-safe text."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def counts_table(counts: dict[str, dict[str, int]], corner: str = "label", *, rows=None, total_column: bool = False,
                 bold_total: bool = False) -> str:
    """Counts by row and column (`counts[column][row]`, a missing one 0), with a total row: the
    label × split table of the report, the card and the data validator. `rows`: the row keys in
    order (default: the first column's)."""
    columns = list(counts)
    rows = list(next(iter(counts.values()), {})) if rows is None else list(rows)
    extra = " total |" if total_column else ""
    lines = [f"| {corner} | " + " | ".join(columns) + " |" + extra, "|---|" + "---|" * (len(columns) + total_column)]
    for row in rows:
        cells = [counts[c].get(row, 0) for c in columns]
        lines.append(f"| {row} | " + " | ".join(map(str, cells)) + " |" + (f" {sum(cells)} |" if total_column else ""))
    totals = [sum(counts[c].get(row, 0) for row in rows) for c in columns]
    shown = [f"**{t}**" if bold_total else str(t) for t in totals]
    lines.append("| **total** | " + " | ".join(shown) + " |" + (f" {sum(totals)} |" if total_column else ""))
    return "\n".join(lines)


def overall_table(metrics: dict, model_column: str = "model") -> str:
    """Accuracy, macro- and weighted-F1 with their intervals, model beside baseline."""
    model, base = metrics["model"], metrics.get("baseline")
    lines = [f"| metric | {model_column} | 95% CI | baseline | baseline 95% CI |", "|---|---|---|---|---|"]
    for name, title in (("accuracy", "accuracy"), ("macro_f1", "macro-F1"), ("weighted_f1", "weighted-F1")):
        has_ci = name in model["ci"]
        model_ci, base_ci = (ci(model["ci"][name]), ci(base["ci"][name]) if base else "n/a") if has_ci else ("", "")
        lines.append(f"| {title} | **{num(model[name])}** | {model_ci} | {num(base[name]) if base else 'n/a'} | {base_ci} |")
    return "\n".join(lines)


def per_class_table(metrics: dict) -> str:
    model, base = metrics["model"], metrics.get("baseline")
    lines = ["| label | precision | recall | F1 | baseline F1 | support |", "|---|---|---|---|---|---|"]
    for label in metrics["labels"]:
        m = model["per_class"][label]
        b = num(base["per_class"][label]["f1"]) if base else "n/a"
        lines.append(f"| {label} | {num(m['precision'])} | {num(m['recall'])} | {num(m['f1'])} | {b} | {m['support']} |")
    return "\n".join(lines)


def coverage_table(calibration: dict) -> str:
    """What each threshold keeps of the evaluated sentences, and how often those are right."""
    lines = ["| threshold | sentences kept | share kept | accuracy of those kept |", "|---|---|---|---|"]
    for row in calibration["coverage"]:
        lines.append(f"| {row['threshold']:.2f} | {row['kept']} of {row['of']} | {row['share']:.1%} | {num(row['accuracy'])} |")
    return "\n".join(lines)


def calibration_effect_text(effect: dict, where: str) -> str:
    """One plain sentence on whether the temperature helped on `where`: ECE and NLL before and after."""
    ece, nll = effect["ece_after"] - effect["ece_before"], effect["nll_after"] - effect["nll_before"]
    verdict = ("it helps" if ece <= 0 and nll <= 0 else "it makes calibration worse" if ece > 0 and nll > 0
               else "it helps one measure and hurts the other")
    return (f"on {where}, {verdict}: ECE {num(effect['ece_before'])} → {num(effect['ece_after'])}, "
            f"NLL {num(effect['nll_before'])} → {num(effect['nll_after'])}")


def calibration_places_text(metrics: dict) -> str:
    """Where the temperature helps and where it does not, as one sentence: the test sentences,
    and the sentences of the test articles in document mode when they were scored."""
    places = [calibration_effect_text(metrics["calibration"], f"the {metrics['n']} test sentences")]
    docs = (metrics.get("documents") or {}).get("calibration")
    if docs:
        places.append(calibration_effect_text(docs, f"the {docs['n']} sentences of the test articles (document mode)"))
    text = "; ".join(places) + "."
    return text[0].upper() + text[1:]


def calibration_summary_text(metrics: dict, temperature: float) -> str:
    """The card's one claim about calibration, from the figures (never "calibrated" unqualified)."""
    if temperature == 1.0:
        return "Scores are the model's softmax probabilities, not temperature-scaled (T = 1)."
    fitted = metrics["run"].get("calibration_fitted_on") or "validation split"
    return f"Scores are temperature-scaled (T = {num(temperature)}, fitted on the {fitted}). {calibration_places_text(metrics)}"
