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
