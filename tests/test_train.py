import json
import math

import pytest
from safetensors.torch import load_file

from tests.conftest import tiny_config
from train.run import train


def test_tiny_run_writes_a_complete_checkpoint(tiny_run):
    run_dir, metrics = tiny_run
    names = {p.name for p in run_dir.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", "README.md", "metrics.json", "training_config.json", "report"} <= names
    assert not any(n.endswith((".bin", ".pt", ".pkl")) for n in names), "no pickles in a shared checkpoint"
    assert not run_dir.with_name(run_dir.name + ".partial").exists()
    config = json.loads((run_dir / "config.json").read_text())
    assert config["id2label"] == {"0": "security_cooperation", "1": "attack", "2": "territorial_claim", "3": "propaganda", "4": "other"}
    assert load_file(run_dir / "model.safetensors")


def test_checkpoint_files_are_readable_by_others(tiny_run):
    """transformers writes model.safetensors as 0600; a checkpoint on a shared GPU box must not hide it."""
    run_dir, _ = tiny_run
    for path in [run_dir, *run_dir.rglob("*")]:
        assert path.stat().st_mode & 0o044 == 0o044, path


def test_tiny_run_metrics_are_finite_and_saved(tiny_run):
    run_dir, metrics = tiny_run
    saved = json.loads((run_dir / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(metrics))
    for split in ("validation", "test"):
        m = saved[split]
        assert all(math.isfinite(m[k]) and 0 <= m[k] <= 1 for k in ("accuracy", "macro_f1", "weighted_f1"))
        assert set(m["per_class"]) == set(config_labels(run_dir))
        assert sum(map(sum, m["confusion_matrix"])) == sum(v["support"] for v in m["per_class"].values())


def test_tokenizer_is_saved_with_the_trained_max_length(tiny_run):
    run_dir, _ = tiny_run
    assert json.loads((run_dir / "tokenizer_config.json").read_text())["model_max_length"] == 64


def test_class_weights_and_a_rerun_replace_the_old_checkpoint(tiny_bert, tmp_path):
    cfg = tiny_config(tiny_bert, tmp_path, "train.class_weights=true", "train.max_steps=3", "train.eval_steps=3")
    first = train(cfg)
    second = train(cfg)
    assert math.isfinite(first["test"]["macro_f1"]) and math.isfinite(second["test"]["macro_f1"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny"]


def config_labels(run_dir):
    return json.loads((run_dir / "config.json").read_text())["label2id"].keys()


def test_frozen_embeddings_stay_as_pretrained(tiny_bert, tmp_path):
    cfg = tiny_config(tiny_bert, tmp_path, "model.freeze_embeddings=true", "train.max_steps=3", "train.eval_steps=3")
    train(cfg)
    trained = load_file(cfg.train.run_dir / "model.safetensors")
    pretrained = load_file(tiny_bert / "model.safetensors")
    name = "embeddings.word_embeddings.weight"
    assert (trained[f"bert.{name}"] == pretrained[name]).all()
    assert not (trained["bert.embeddings.LayerNorm.weight"] == pretrained["embeddings.LayerNorm.weight"]).all()


def test_a_training_arguments_key_the_project_never_names_reaches_the_trainer(tiny_bert, tmp_path, monkeypatch):
    seen = {}

    class Built(Exception):
        pass

    def trainer(*, args, **kwargs):
        seen["args"] = args
        raise Built

    monkeypatch.setattr("train.run.Trainer", trainer)
    cfg = tiny_config(tiny_bert, tmp_path, "train.adam_beta2=0.98", "train.label_smoothing_factor=0.1", "train.warmup_steps=0.1")
    with pytest.raises(Built):
        train(cfg)
    args = seen["args"]
    assert args.adam_beta2 == 0.98 and args.label_smoothing_factor == 0.1
    assert args.get_warmup_steps(100) == 10 and args.output_dir == str(tmp_path / "tiny.partial")
