"""A run that cannot be saved fails before the model is loaded, with the folder and numbers."""

import os
import shutil
from collections import namedtuple

import numpy as np
import pytest
from safetensors.numpy import save_file

import train.fit
import train.preflight
from tests.conftest import tiny_config
from train.pipeline import run as run_training
from train.preflight import GB, PreflightError, check_distributed, fp32_weights_bytes, required_bytes

Usage = namedtuple("Usage", "total used free")
PARAMS = 10 * 10 + 5


@pytest.fixture
def tiny_bert(tmp_path):
    """Not a model: a folder whose safetensors header says 105 weights, all the disk check reads."""
    folder = tmp_path / "backbone"
    folder.mkdir()
    save_file({"a": np.zeros((10, 10), np.float32), "b": np.zeros(5, np.float32)}, str(folder / "model.safetensors"))
    return folder


@pytest.fixture
def no_model_loading(monkeypatch):
    """Fails the test if training gets as far as loading the backbone."""
    def refuse(*args, **kwargs):
        raise AssertionError("the model was loaded before the preflight check failed")

    monkeypatch.setattr(train.fit.AutoTokenizer, "from_pretrained", refuse)
    monkeypatch.setattr(train.fit.AutoModelForSequenceClassification, "from_pretrained", refuse)


def test_an_output_folder_below_a_file_fails_before_the_model_loads(tiny_bert, tmp_path, no_model_loading):
    (tmp_path / "a-file").write_text("not a folder")
    cfg = tiny_config(tiny_bert, tmp_path / "a-file" / "outputs")
    with pytest.raises(PreflightError, match=r"train.output_dir='.*a-file/outputs' is not writable"):
        run_training(cfg)


def test_a_read_only_output_folder_fails_before_the_model_loads(tiny_bert, tmp_path, monkeypatch, no_model_loading):
    out = tmp_path / "read-only"
    out.mkdir()
    out.chmod(0o500)
    if os.access(out, os.W_OK):  # running as root, which ignores mode bits: simulate the OS's refusal
        def denied(*args, **kwargs):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(train.preflight.tempfile, "mkstemp", denied)
    try:
        with pytest.raises(PreflightError, match=r"read-only' is not writable \(Permission denied\)"):
            run_training(tiny_config(tiny_bert, out))
    finally:
        out.chmod(0o700)


def test_a_full_disk_fails_before_the_model_loads_and_names_the_numbers(tiny_bert, tmp_path, monkeypatch, no_model_loading):
    cfg = tiny_config(tiny_bert, tmp_path)
    need = required_bytes(cfg, str(tiny_bert))
    monkeypatch.setattr(train.preflight.shutil, "disk_usage", lambda path: Usage(10 * GB, 10 * GB - need + 1, need - 1))
    with pytest.raises(PreflightError, match=rf"not enough free disk for train.output_dir='{tmp_path}': 0.\d\d GB free, {need / GB:.2f} GB needed"):
        run_training(cfg)


def test_a_configured_minimum_replaces_the_estimate(tiny_bert, tmp_path, monkeypatch, no_model_loading):
    monkeypatch.setattr(train.preflight.shutil, "disk_usage", lambda path: Usage(100 * GB, 50 * GB, 50 * GB))
    cfg = tiny_config(tiny_bert, tmp_path, "train.min_free_disk_gb=60")
    with pytest.raises(PreflightError, match=r"50.00 GB free, 60.00 GB needed \(set by train.min_free_disk_gb\)"):
        run_training(cfg)


def test_the_estimate_counts_fp32_weights_of_every_kept_checkpoint(tiny_bert, tmp_path):
    params = PARAMS
    assert fp32_weights_bytes(str(tiny_bert)) == 4 * params
    cfg = tiny_config(tiny_bert, tmp_path, "train.save_total_limit=2")
    # weights + 2 AdamW moments for 2 kept + 1 being written + 1 best checkpoint, then the final copy
    assert required_bytes(cfg, str(tiny_bert)) == 4 * params * (3 * 4 + 1) + train.preflight.MARGIN_BYTES
    assert fp32_weights_bytes("some-org/not-cached-anywhere") == train.preflight.DEFAULT_WEIGHTS_BYTES
    assert shutil.disk_usage(tmp_path).free > required_bytes(cfg, str(tiny_bert)), "the real check passes here"


def test_a_run_capped_by_max_steps_counts_only_the_checkpoints_it_can_save(tiny_bert, tmp_path):
    weights = 4 * PARAMS
    # at most one save per step: 2 steps, 2 checkpoints, not save_total_limit + 2
    cfg = tiny_config(tiny_bert, tmp_path, "train.save_total_limit=2", "train.max_steps=2")
    assert required_bytes(cfg, str(tiny_bert)) == weights * (3 * 2 + 1) + train.preflight.MARGIN_BYTES
    # one save every 4 steps: 9 steps save 3 times
    cfg = tiny_config(tiny_bert, tmp_path, "train.save_total_limit=5", "train.max_steps=9", "train.eval_steps=4")
    assert required_bytes(cfg, str(tiny_bert)) == weights * (3 * 3 + 1) + train.preflight.MARGIN_BYTES
    # a long capped run is bounded by save_total_limit as before
    cfg = tiny_config(tiny_bert, tmp_path, "train.save_total_limit=2", "train.max_steps=1000")
    assert required_bytes(cfg, str(tiny_bert)) == weights * (3 * 4 + 1) + train.preflight.MARGIN_BYTES


def test_a_launch_of_n_processes_that_trains_as_one_is_refused(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(PreflightError, match="launched as 2 processes .* Trainer sees 1"):
        check_distributed(1)
    check_distributed(2)


def test_the_transformers_floor_is_pyprojects_and_the_installed_version_meets_it(tmp_path):
    """TrainingArguments(train_sampling_strategy=...) first appears in transformers 5.2."""
    import re

    import transformers
    from packaging.version import Version
    from transformers import TrainingArguments

    from tests.conftest import ROOT
    from train.preflight import MIN_TRANSFORMERS, check_transformers_version

    floor = re.search(r'"transformers>=([\d.]+),<6"', (ROOT / "pyproject.toml").read_text(encoding="utf-8")).group(1)
    assert floor == MIN_TRANSFORMERS and Version(transformers.__version__) >= Version(floor)
    check_transformers_version()
    args = TrainingArguments(output_dir=str(tmp_path), train_sampling_strategy="group_by_length", average_tokens_across_devices=False, use_cpu=True, report_to="none")
    assert args.train_sampling_strategy == "group_by_length"


def test_an_older_transformers_is_a_one_line_error():
    from train.preflight import check_transformers_version

    with pytest.raises(PreflightError, match=r"transformers 5\.1\.0 is installed; training needs transformers>=5\.2 .*pip install -U"):
        check_transformers_version("5.1.0")
