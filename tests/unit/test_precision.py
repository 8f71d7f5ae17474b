"""Precision is chosen once from the machine, printed, recorded, and a request the machine
cannot run is a config error with a message (GPUs simulated here: CI has none)."""

import pytest
import torch

from train import run_plan
from train.config import ConfigError
from train.run_plan import choose_precision, describe_run_shape


def fake_gpu(monkeypatch, *, bf16: bool, capability: int, name="NVIDIA Test GPU"):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *a: (capability, 0))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a: name)


NO_GPU = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU choice; a real GPU is present")


@NO_GPU
def test_cpu_auto_is_fp32_without_amx_and_bf16_with_it(monkeypatch):
    monkeypatch.setattr(run_plan, "cpu_has_fast_bf16", lambda: False)
    assert choose_precision("auto") | {"why": ""} == {"precision": "fp32", "bf16": False, "fp16": False, "tf32": False, "device": "cpu", "why": ""}
    monkeypatch.setattr(run_plan, "cpu_has_fast_bf16", lambda: True)
    choice = choose_precision("auto")
    assert (choice["precision"], choice["bf16"], choice["tf32"]) == ("bf16", True, False)
    assert choice["why"] == "auto: this CPU has AMX bf16 matmuls"
    assert choose_precision("bf16")["precision"] == "bf16"


@NO_GPU
@pytest.mark.parametrize("requested", ["bf16", "fp16"])
def test_half_precision_the_cpu_cannot_run_is_a_config_error(monkeypatch, requested):
    monkeypatch.setattr(run_plan, "cpu_has_fast_bf16", lambda: False)
    needs = "a CUDA GPU or a CPU with AMX" if requested == "bf16" else "a CUDA GPU"
    with pytest.raises(ConfigError, match=f"train.precision={requested} needs {needs}, but .*use train.precision=auto"):
        choose_precision(requested)


def test_fp16_on_a_cpu_with_amx_is_still_a_config_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(run_plan, "cpu_has_fast_bf16", lambda: True)
    with pytest.raises(ConfigError, match=r"train.precision=fp16 needs a CUDA GPU, .*use train.precision=auto \(bf16 on this CPU\)"):
        choose_precision("fp16")


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
