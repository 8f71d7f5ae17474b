"""The section "Your data" of the report and the model card, from metrics.json's `user_data`:
the model beside the TF-IDF baseline on the test stories of the user's own labelled articles,
and how many of the user's labels the run used."""

from __future__ import annotations

from pathlib import Path

from train.render.tables import ci, num


def user_data_section(section: dict) -> str:
    used = section["used"]
    lines = [
        f"Your labelled articles ({', '.join(f'`{Path(f).name}`' for f in section['files'])}), split by story: "
        + ", ".join(f"{split} {u['sentences']} sentences ({u['articles']} articles)" for split, u in used.items())
        + ". The train and validation sentences were trained and tuned on (the baseline's too); the test ones are "
        "scored here, model beside baseline.",
        "",
    ]
    if not section["n"]:
        return "\n".join(lines + ["No test sentences: label more articles, or give some of them `\"split\": \"test\"` in the file."])
    lines += ["| | accuracy | macro-F1 | 95% CI |", "|---|---|---|---|"]
    for name in ("model", "baseline"):
        if name in section:
            s = section[name]
            lines.append(f"| {name} | {num(s['accuracy'])} | **{num(s['macro_f1'])}** | {ci(s['ci']['macro_f1'])} |")
    lines += ["", "Per label (F1, test sentences): " + ", ".join(
        f"{lab} {num(m['f1'])} ({m['support']})" for lab, m in section["model"]["per_class"].items())]
    if section["n"] < 100:
        lines += ["", f"Only {section['n']} test sentences: the interval is wide; a difference inside it is not a difference."]
    return "\n".join(lines)
