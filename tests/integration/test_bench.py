"""scripts/bench_train.py measures what it says (nothing is timed against a threshold here)."""

import pytest

from tests.conftest import tiny_config
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
