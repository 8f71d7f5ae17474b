"""scripts/bench_train.py's IndoBERT-size model, built on the meta device (no weights)."""

import importlib.util

import torch

from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("bench_train", ROOT / "scripts" / "bench_train.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_indobert_base_size_has_indobert_base_shape():
    with torch.device("meta"):
        model = bench.BertForSequenceClassification(bench.indobert_base_config(5))
    config = model.config
    assert (config.num_hidden_layers, config.hidden_size, config.num_attention_heads, config.intermediate_size, config.vocab_size) == (12, 768, 12, 3072, 50000)
    assert 124e6 < model.num_parameters() < 125e6  # indobenchmark/indobert-base-p1: 124.4M plus the 5-way head
