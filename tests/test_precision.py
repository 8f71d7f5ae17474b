"""Precision is chosen once from the machine, printed, recorded, and a request the machine
cannot run is a config error with a message (GPUs simulated here: CI has none)."""

import json

import pytest
import torch

from tests.conftest import tiny_config
from train.config import ConfigError
from train.precision import choose_precision, describe_run_shape


def fake_gpu(monkeypatch, *, bf16: bool, capability: int, name="NVIDIA Test GPU"):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *a: (capability, 0))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a: name)


NO_GPU = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU choice; a real GPU is present")


@NO_GPU
def test_cpu_auto_is_fp32_without_tf32():
    assert choose_precision("auto") | {"why": ""} == {"precision": "fp32", "bf16": False, "fp16": False, "tf32": False, "device": "cpu", "why": ""}


@NO_GPU
@pytest.mark.parametrize("requested", ["bf16", "fp16"])
def test_half_precision_on_a_machine_without_cuda_is_a_config_error(requested):
    with pytest.raises(ConfigError, match=f"train.precision={requested} needs a CUDA GPU.*use train.precision=auto"):
        choose_precision(requested)


def test_ampere_and_later_get_bf16_and_tf32(monkeypatch):
    fake_gpu(monkeypatch, bf16=True, capability=9, name="NVIDIA H200")
    choice = choose_precision("auto")
    assert (choice["precision"], choice["bf16"], choice["tf32"]) == ("bf16", True, True)
    assert choice["why"] == "auto: NVIDIA H200 supports bf16"
    assert choose_precision("fp32")["tf32"] is True and choose_precision("fp32")["precision"] == "fp32"


def test_older_gpus_get_fp16_and_refuse_bf16(monkeypatch):
    fake_gpu(monkeypatch, bf16=False, capability=7, name="Tesla V100")
    choice = choose_precision("auto")
    assert (choice["precision"], choice["fp16"], choice["tf32"]) == ("fp16", True, False)
    with pytest.raises(ConfigError, match="Tesla V100 does not support bf16"):
        choose_precision("bf16")


def test_the_printed_line_gives_the_effective_batch():
    line = describe_run_shape(choose_precision("fp32"), 8, 4, 2, True)
    assert "effective batch 64 = 8 per device × 4 process(es) × 2 accumulation step(s)" in line and "gradient checkpointing on" in line


def test_a_run_records_and_prints_its_precision_and_trains_with_checkpointing(tiny_bert, tmp_path, capsys):
    from train.run import train

    cfg = tiny_config(tiny_bert, tmp_path, "train.gradient_checkpointing=true", "train.gradient_accumulation_steps=2",
                      "data.max_article_train_samples=10", "train.num_train_epochs=1")
    train(cfg)
    out = capsys.readouterr().out
    assert "effective batch 32 = 16 per device × 1 process(es) × 2 accumulation step(s); gradient checkpointing on" in out
    info = json.loads((cfg.train.run_dir / "run_info.json").read_text())
    assert info["precision"] == choose_precision("auto")
    card = (cfg.train.run_dir / "README.md").read_text()
    assert f"| precision | {info['precision']['precision']}, TF32" in card and "| gradient_checkpointing | True |" in card


def test_the_estimate_is_printed_and_does_not_change_the_run(tiny_bert, tmp_path, capsys, monkeypatch):
    import train.run as run_module
    from train.run import train

    overrides = ("data.max_article_train_samples=10", "train.num_train_epochs=1")
    with_estimate = train(tiny_config(tiny_bert, tmp_path / "a", *overrides))
    out = capsys.readouterr().out
    assert "Expected: about" in out and "minutes of training on" in out and "peak process RSS about" in out
    info = json.loads((tmp_path / "a" / "tiny" / "run_info.json").read_text())
    samples = with_estimate["training"]["train_samples"]
    assert info["estimate"]["steps"] == samples // 16 + (samples % 16 > 0)
    monkeypatch.setattr(run_module, "estimate_training", lambda *a, **k: {"minutes": 0, "peak_gb": 0, "seconds_per_step": 0, "steps": 0, "memory": ""})
    without = train(tiny_config(tiny_bert, tmp_path / "b", *overrides))
    assert with_estimate["model"] == without["model"] and with_estimate["training"]["validation"] == without["training"]["validation"]
