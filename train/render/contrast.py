"""The "Contrast suite" and "Casing" sections of report.md and the model card, from metrics.json's
`contrast` and `casing` keys (train.scores.contrast computed them)."""

from __future__ import annotations

from train.render.tables import cell, num

ABOUT = (
    "The contrast suite (`data/contrast/`, never trained or tuned on) holds groups of 2-4 sentences "
    "that share most of their words but take different labels under `data/GUIDELINES.md`, and "
    "label-preserving variants (the same headline in sentence case, Title Case and capitals; other "
    "places and names). *Group consistency* is the share of groups whose every sentence is right: "
    "a model that reads the words and not the rule gets at most one side of a pair right."
)


def contrast_summary(contrast: dict) -> str:
    """Overall and per-kind accuracy and group consistency, model beside baseline."""
    model, base = contrast["model"], contrast.get("baseline") or {}
    lines = [
        "| | sentences | groups | model accuracy | model group consistency | baseline accuracy | baseline group consistency |",
        "|---|---|---|---|---|---|---|",
        _row("**all**", model, base),
    ]
    for kind, figures in model["by_kind"].items():
        lines.append(_row(kind, figures, base.get("by_kind", {}).get(kind, {})))
    return "\n".join(lines)


def contrast_rules_table(contrast: dict) -> str:
    """Per rule of the catalogue: its guideline section, and both models' figures."""
    model, base, rules = contrast["model"], contrast.get("baseline") or {}, contrast.get("rules") or {}
    lines = [
        "| rule | guideline | sentences | groups | model accuracy | model group consistency | baseline accuracy | baseline group consistency |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rule, figures in model["by_rule"].items():
        b = base.get("by_rule", {}).get(rule, {})
        section = cell(rules.get(rule, {}).get("section", ""))
        lines.append(f"| `{rule}` | {section} | {figures['sentences']} | {figures['groups']} | {num(figures['accuracy'])} | "
                     f"{num(figures['group_consistency'])} | {num(b.get('accuracy'))} | {num(b.get('group_consistency'))} |")
    return "\n".join(lines)


def failed_groups(contrast: dict) -> str:
    groups = contrast["model"]["failed_groups"]
    if not groups:
        return "Every group right."
    lines = ["| group | rule | sentence | gold | predicted |", "|---|---|---|---|---|"]
    for g in groups:
        for s in g["sentences"]:
            mark = "" if s["gold"] == s["predicted"] else " ✗"
            lines.append(f"| {g['group']} | `{g['rule']}` | {cell(s['text'])} | {s['gold']} | {s['predicted']}{mark} |")
    return "\n".join(lines)


def casing_table(casing: dict) -> str:
    """Flip rates of the evaluated sentences rendered in Title Case and in capitals."""
    lines = ["| | sentences | Title Case | capitals | either |", "|---|---|---|---|---|"]
    for name in ("model", "baseline"):
        if name in casing:
            c = casing[name]
            lines.append(f"| {name} | {c['n']} | {_pct(c['title'])} | {_pct(c['upper'])} | **{_pct(c['either'])}** |")
    return "\n".join(lines)


def contrast_section(metrics: dict) -> str:
    """The report's section: summary, per rule, the failed groups, and casing."""
    contrast = metrics["contrast"]
    return "\n\n".join([
        ABOUT, contrast_summary(contrast), "### Per rule\n\n" + contrast_rules_table(contrast),
        f"### Groups the model got wrong (first {len(contrast['model']['failed_groups'])})\n\n" + failed_groups(contrast),
    ])


def casing_section(metrics: dict) -> str:
    casing = metrics["casing"]
    lines = [
        "The evaluated sentences rendered as Indonesian portals print headlines (Title Case) and in capitals: "
        "the share whose predicted label changes. The label must not depend on casing.",
        "", casing_table(casing),
    ]
    examples = casing["model"].get("examples", [])
    if examples:
        lines += ["", "Flipped by the model (first few):", ""]
        lines += [f"- {e['casing']}: {cell(e['text'])} ({e['from']} → {e['to']})" for e in examples]
    return "\n".join(lines)


def _row(name: str, m: dict, b: dict) -> str:
    return (f"| {name} | {m['sentences']} | {m['groups']} | **{num(m['accuracy'])}** | **{num(m['group_consistency'])}** | "
            f"{num(b.get('accuracy'))} | {num(b.get('group_consistency'))} |")


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"
