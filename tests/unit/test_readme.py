"""The README's figures for the reference run are checked against the files that run produced
(reports/quickstart/metrics.json and model_card.md, both written by `make card`), so they cannot
drift from it."""

import json
import re

from tests.conftest import ROOT

README = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())  # line breaks do not matter
CARD = (ROOT / "model_card.md").read_text(encoding="utf-8")
REPORT = json.loads((ROOT / "reports" / "quickstart" / "metrics.json").read_text(encoding="utf-8"))


def test_quickstart_macro_f1_and_intervals_match_the_reference_report():
    model, baseline = REPORT["model"], REPORT["baseline"]
    lo, hi = model["ci"]["macro_f1"]
    assert f"test macro-F1 **{model['macro_f1']:.3f}** [{lo:.3f}, {hi:.3f}]" in README
    blo, bhi = baseline["ci"]["macro_f1"]
    assert f"({baseline['macro_f1']:.3f} [{blo:.3f}, {bhi:.3f}])" in README


def test_per_class_range_matches_the_reference_report():
    f1 = [c["f1"] for c in REPORT["model"]["per_class"].values()]
    assert f"per-class F1 {min(f1):.2f}–{max(f1):.2f}" in README


def test_training_time_in_the_readme_is_the_one_the_card_renders_from_the_run():
    card_time = re.search(r"\| training time \| (\d+ min \d+ s) on ", CARD).group(1)
    assert f"({card_time} of it training" in README


def test_the_card_and_the_report_are_the_same_run():
    assert f"macro-F1 **{REPORT['model']['macro_f1']:.3f}**" in CARD
    assert f"T = **{REPORT['calibration']['temperature']:.3f}**" in CARD


def test_whole_article_figures_match_the_reference_report():
    docs = REPORT["documents"]
    for name, fmt in (("model", "**{:.3f}** [{:.3f}, {:.3f}]"), ("baseline", "{:.3f} [{:.3f}, {:.3f}]")):
        d = docs[name]
        assert fmt.format(d["macro_f1"], *d["ci"]["macro_f1"]) in README
