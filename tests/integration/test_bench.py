"""scripts/bench_train.py and scripts/bench_predict.py measure what they say (nothing is timed
against a threshold here)."""

import importlib.util
import json

import pytest

import indosec

from tests.conftest import ROOT, tiny_config
from tests.unit.test_bench import bench


@pytest.fixture(scope="module")
def results(tiny_bert, tmp_path_factory):
    cfg = tiny_config(tiny_bert, tmp_path_factory.mktemp("bench"))
    return [bench.measure(cfg, variant, steps=2, warmup=1) for variant in bench.VARIANTS]


def test_the_example_variant_pads_every_batch_to_128_and_ours_does_not(results):
    ours, example = results
    assert example["padded_tokens_per_sample"] == 128
    assert ours["real_tokens_per_sample"] <= ours["padded_tokens_per_sample"] < 64  # tiny.yaml: max_length 64


def test_each_variant_times_full_batches_and_the_report_gives_the_ratio(results):
    for r in results:
        assert r["timed_samples"] == 2 * 16 and r["seconds"] > 0 and r["cpu_ms_per_sample"] > 0 and r["peak_memory_mb"] > 0
    text = bench.report(results)
    ratio = results[0]["samples_per_second"] / results[1]["samples_per_second"]
    assert f"samples/s x{ratio:.2f}" in text


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_predict_alternates_the_variants_and_writes_a_record_the_table_is_printed_from(tiny_run, tmp_path, capsys):
    """scripts/bench_predict.py on the tiny model: every variant timed once per repeat, best and
    median from those runs, the machine, threads and versions recorded (no speed is asserted)."""
    bench_predict = _script("bench_predict")
    fast_file = indosec.load(str(tiny_run.run_dir), fast=True).backend.path
    record_path = tmp_path / "bench.json"
    bench_predict.main([str(tiny_run.run_dir), "--sizes", "6", "10", "--repeats", "2", "--latency-samples", "2", "--threads", "1",
                        "--onnx", f"before={fast_file}", "--json", str(record_path)])
    printed = capsys.readouterr().out
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert list(record["sizes"]) == ["6", "10"]
    for size, variants in record["sizes"].items():
        assert list(variants) == ["pipeline-default", "pipeline-batch32", "indosec-fp32", "indosec-fp32-unsorted", "indosec-fast", "indosec-fast-unsorted", "before"]
        for r in variants.values():
            assert len(r["seconds"]) == 2
            assert r["best_sent_per_s"] == pytest.approx(int(size) / min(r["seconds"]))
            assert r["best_sent_per_s"] >= r["median_sent_per_s"]
    env = record["environment"]
    assert len(env["load_average_before"]) == len(env["load_average_after"]) == 3
    assert "length-aware batching gives indosec fast" in printed
    assert env["threads"] == 1 and {"torch", "transformers", "onnxruntime", "python"} <= set(env["versions"]) and env["machine"]["cpu"]
    assert set(record["ratios"]["6"]) == {"pipeline-default", "before"}
    assert bench_predict.markdown_table(record) in printed
    bench_predict.main(["--table", str(record_path)])
    assert capsys.readouterr().out.strip() == bench_predict.markdown_table(record)


def test_bench_predict_times_bf16_on_the_cpu_only_when_asked(tiny_run, tmp_path):
    bench_predict = _script("bench_predict")
    record_path = tmp_path / "bf16.json"
    bench_predict.main([str(tiny_run.run_dir), "--sizes", "4", "--repeats", "1", "--latency-samples", "1", "--threads", "1",
                        "--variants", "indosec-fast", "indosec-bf16", "--json", str(record_path)])
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert list(record["sizes"]["4"]) == ["indosec-bf16", "indosec-fast"]
