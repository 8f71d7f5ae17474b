"""The README's figures for the reference run are checked against the files that run produced
(reports/quickstart/metrics.json and model_card.md, both written by `make card`), so they cannot
drift from it."""

import json
import re

import pytest

from tests.conftest import ROOT

README = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())  # line breaks do not matter
CARD = (ROOT / "model_card.md").read_text(encoding="utf-8")


def _record(name: str) -> dict:
    """A JSON record the README quotes, from reports/."""
    return json.loads((ROOT / "reports" / name).read_text(encoding="utf-8"))


REPORT = _record("quickstart/metrics.json")


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


def _bench_predict():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_predict", ROOT / "scripts" / "bench_predict.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _record("bench_predict.json")


INDOBERT_SHAPE = _record("bench_predict_indobert_shape.json")


@pytest.mark.parametrize(("record", "prefix"), [(BENCH, ""), (INDOBERT_SHAPE, "IndoBERT-base shape, ")], ids=["quickstart", "indobert-shape"])
def test_each_throughput_table_and_the_speed_ups_quoted_are_their_benchmark_record(record, prefix):
    assert " ".join(_bench_predict().markdown_table(record).split()) in README
    for size, against in record["ratios"].items():
        assert f"{prefix}{int(size):,} sentences: **{against['pipeline-default']:.2f}×** the default pipeline, {against['before']:.2f}× the fast mode before" in README
    env = record["environment"]
    assert f"load average {env['load_average_before'][0]:.2f} before, {env['load_average_after'][0]:.2f} after" in README


def test_the_indobert_shape_record_is_make_rehearses_checkpoint_at_one_thread():
    assert INDOBERT_SHAPE["model"] == "outputs/rehearsal/indobert-base" and INDOBERT_SHAPE["environment"]["threads"] == 1


def test_the_cpu_bf16_figures_are_their_benchmark_record():
    record = _record("bench_predict_bf16.json")
    runs = {size: {name: f"{v['best_sent_per_s']:.1f}" for name, v in variants.items()} for size, variants in record["sizes"].items()}
    assert (f"{runs['256']['indosec-bf16']} against {runs['256']['indosec-fast']} at 256 sentences and "
            f"{runs['2000']['indosec-bf16']} against {runs['2000']['indosec-fast']} at 2,000") in README
    assert f"pipeline gave {runs['256']['pipeline-default']} and {runs['2000']['pipeline-default']} sentences/s" in README
    ratios = record["ratios"]
    assert f"fast mode's ratios there are {ratios['256']['pipeline-default']:.2f}× and {ratios['2000']['pipeline-default']:.2f}×" in README


def test_the_fast_mode_recipes_table_is_the_validation_record():
    variants = _record("fast_variants.json")
    assert variants["data"] == "data/validation.jsonl"  # the recipe is chosen on validation, never on test
    for r in variants["rows"]:
        assert f"| `{r['variant']}` | {r['macro_f1']:.4f} | {r['change']:+.4f} | {r['agreement']:.1%} | {r['mean_probability_change']:.4f} | {r['sent_per_s_best']:.0f} |" in README


def test_the_fast_mode_accuracy_quoted_is_the_recorded_one():
    record = _record("fast_mode.json")
    assert f"`{record['fast_model']['recipe']['name']}`" in README
    for data, r in record["splits"].items():
        assert f"`{data}`: {r['macro_f1_fp32']:.4f} → {r['macro_f1_fast']:.4f} ({r['change']:+.4f}; {r['agreement']:.1%} of labels unchanged)" in README


def test_the_length_aware_batching_gains_and_the_memory_figures_are_the_records():
    for size, v in BENCH["sizes"].items():
        gain = {m: v[f"indosec-{m}"]["best_sent_per_s"] / v[f"indosec-{m}-unsorted"]["best_sent_per_s"] for m in ("fp32", "fast")}
        assert f"{int(size):,} sentences: length-aware batching makes indosec fp32 **{gain['fp32']:.2f}×** and fast mode **{gain['fast']:.2f}×**" in README
    memory = _record("bench_cli_memory.json")
    small, large = memory["rows"][0], memory["rows"][-1]
    assert f"peaked at {small['peak_rss_mib']:.0f} MiB on a {small['lines']:,}-line file and {large['peak_rss_mib']:.0f} MiB on a {large['lines']:,}-line file ({memory['growth']:+.1%};" in README
