import json

import pytest

from tests.conftest import ROOT, tiny_config
from train.__main__ import main
from train.seeds import seed_configs, summarise


def fake_metrics(macro_f1, accuracy):
    return {
        "model": {"accuracy": accuracy, "macro_f1": macro_f1},
        "baseline": {"accuracy": 0.5, "macro_f1": 0.4},
        "calibration": {"ece_before": 0.2, "ece_after": 0.1},
    }


def test_each_seed_gets_its_own_run_folder(tmp_path):
    configs = seed_configs(tiny_config("model", tmp_path, "train.seed=7"), 3)
    assert [(c.train.seed, c.train.run_name) for c in configs] == [(7, "tiny-seed7"), (8, "tiny-seed8"), (9, "tiny-seed9")]


def test_summary_is_mean_and_sample_std():
    summary = summarise({1: fake_metrics(0.5, 0.6), 2: fake_metrics(0.7, 0.8)})
    assert summary["seeds"] == [1, 2]
    assert summary["test_macro_f1"] == {"mean": pytest.approx(0.6), "std": pytest.approx(0.1414213, abs=1e-6)}
    assert summary["baseline_test_macro_f1"] == {"mean": pytest.approx(0.4), "std": 0.0}


def test_seeds_flag_trains_every_seed_and_writes_the_summary(tmp_path, monkeypatch, capsys):
    # pipeline.run itself is covered by the session checkpoint; here only the seed loop and the summary
    trained = []

    def fake_train(cfg):
        trained.append((cfg.train.seed, cfg.train.run_name))
        return fake_metrics(0.5 + cfg.train.seed / 100, 0.6)

    monkeypatch.setattr("train.pipeline.run", fake_train)
    assert main([str(ROOT / "configs" / "tiny.yaml"), f"train.output_dir={tmp_path}", "train.seed=1", "--seeds", "2"]) == 0
    assert trained == [(1, "tiny-seed1"), (2, "tiny-seed2")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny-seeds.json", "tiny-seeds.md"]
    summary = json.loads((tmp_path / "tiny-seeds.json").read_text())
    assert summary["test_macro_f1"]["mean"] == pytest.approx(0.515)
    out = capsys.readouterr().out
    assert "| macro-F1 | 0.515 ± 0.007 | 0.400 ± 0.000 |" in out


def test_seeds_must_be_positive(capsys):
    with pytest.raises(SystemExit):
        main([str(ROOT / "configs" / "tiny.yaml"), "--seeds", "0"])
    assert "--seeds must be at least 1" in capsys.readouterr().err
